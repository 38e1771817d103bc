"""Coverage counts (exactly msgfmt's messages, pocount's source words) and ``tmtool coverage``."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_poscan import DJANGO_RU_PLURALS, PLURAL_FORMS, RU_PLURALS, catalogues, header, run_msgfmt
from tmtool import coverage
from tmtool.cli import cli
from tmtool.formats import poscan
from tmtool.formats.poscan import Entry


def counts_of(text: str | bytes) -> coverage.Counts:
    """Counted every way (Entry values, Scan.brief, Scan.tally's whole-file path): they must agree."""
    full = coverage.count(poscan.scan(text, "t.po"))
    brief = coverage.count_brief(poscan.scan(text, "t.po").brief())
    assert brief == full
    assert coverage.count_scan(poscan.scan(text, "t.po")) == full
    return brief


def pocount():
    """translate-toolkit's pocount module (the anchor for word counts)."""
    try:
        from translate.tools import pocount as module
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("translate-toolkit (pocount) is required under CI")
        pytest.skip("translate-toolkit (pocount) is not installed")
    return module


# ---------------------------------------------------------------- the counting rules


def test_header_and_obsolete_entries_do_not_count():
    c = counts_of(header() + 'msgid "a"\nmsgstr "x"\n\n#~ msgid "b"\n#~ msgstr "y"\n')
    assert (c.total, c.translated) == (1, 1)


def test_fuzzy_with_empty_msgstr_is_untranslated():
    c = counts_of(header() + '#, fuzzy\nmsgid "a"\nmsgstr ""\n\n#, fuzzy\nmsgid "b"\nmsgstr "y"\n')
    assert (c.translated, c.fuzzy, c.untranslated) == (0, 1, 1)


def test_plural_entries_count_by_their_first_form_as_msgfmt_does():
    text = header() + ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] "x"\nmsgstr[2] "y"\n\n'
                       'msgid "b"\nmsgid_plural "bs"\nmsgstr[0] "x"\nmsgstr[1] ""\nmsgstr[2] ""\n')
    s = poscan.scan(text, "t.po")
    c = coverage.count(s)
    assert (c.translated, c.untranslated) == (1, 1)
    assert any("msgstr[1] is empty" in w.message for w in s.warnings)


def test_empty_catalogue_is_never_100_percent():
    assert counts_of(header()).percent is None
    with pytest.raises(poscan.InputError):
        counts_of(b"")


def test_notes_are_entries_with_translator_comments():
    c = counts_of(header() + '# check the name\n# with Alma\nmsgid "a"\nmsgstr ""\n\n#. speaker: A\nmsgid "b"\nmsgstr ""\n'
                  '\n#\nmsgid "c"\nmsgstr ""\n')
    assert c.notes == 1


def test_words_go_to_the_bucket_of_their_entry():
    c = counts_of(header("kk", PLURAL_FORMS[2]) + 'msgid "One two three."\nmsgstr "x"\n\n#, fuzzy\nmsgid "four five"\nmsgstr "y"\n\n'
                  'msgid "a file"\nmsgid_plural "many files"\nmsgstr[0] ""\nmsgstr[1] ""\n')
    assert (c.translated_words, c.fuzzy_words, c.untranslated_words, c.total_words) == (3, 2, 4, 9)
    assert c.percent_words == pytest.approx(100 * 3 / 9)


def test_counts_add_up():
    a = coverage.Counts(1, 1, 0, 0, 3, 3, 0, 0, 1)
    b = coverage.Counts(2, 0, 1, 1, 5, 0, 2, 3, 0)
    assert a + b == coverage.Counts(3, 1, 1, 1, 8, 3, 2, 3, 1)


@pytest.mark.parametrize("text, n", [
    ("", 0), ("Don't stop", 2), ("3.14 and 1,000", 3), ("e.g. this", 1), ("Hello.World", 2),
    ("foo_bar __ _a", 2), ("Привет, мир! Қазақ тілі", 4), ("<b>bold</b> <br/>line", 2), ("日本語", 3),
    ("naïve café", 2), ("won’t", 1), ("a:b", 1), ("x² ½", 3),
])
def test_words_examples(text, n):
    assert coverage.words(text) == n


WORD_ALPHABET = (list("abcXYZ019 _.,;:'’-\n\t!?\"()<>/=") + list("аӘқҚіЖжәүұ")
                 + ["\u0301", "\u00ad", "\u202f", "²", "日", "カ", "ー", "ひ", "\u200b", "\u2060", "·", "<br>",
                    "<b>", "</b>", '<a href="x">', "e.g.", "\u00a0", "…", "—", "«", "»", "é", "%(name)s", "{0}",
                    "%d", "&amp;", "https://x.org/a_b", "№"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORD_ALPHABET), max_size=16).map("".join))
def test_words_equal_pocounts_rule(text):
    assert coverage.words(text) == pocount().wordcount(text)


DOT_ALPHABET = ["a", "b", "1", "2", ".", ". ", "..", "...", "e.g.", "U.S.", "3.14", "a.m.", ",", "'", ":", ";",
                "_", " ", "\n", "x.y.z", "1.2.3", "<br>", "Қ", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(DOT_ALPHABET), max_size=14).map("".join))
def test_dot_triples_and_joins_equal_pocounts_rule(text):
    """pocount's "." rule (leftmost, non-overlapping) and UAX #29's joins, on dots in runs and chains."""
    assert coverage.words(text) == pocount().wordcount(text)


def _class_words_reference(b: bytes) -> int:
    """The earlier, plainer version of coverage._class_words (a loop over the dots, replace() joins)."""
    if b"." in b:
        ba = bytearray(b)
        end = 0
        i = ba.find(46, 1)
        while 0 < i < len(ba) - 1:
            if i > end and ba[i - 1] not in b"0|" and ba[i + 1] not in b"0|":
                ba[i - 1:i + 2] = b"   "
                end = i + 2
            i = ba.find(46, i + 1)
        b = bytes(ba)
    for pattern, joined in ((b"a.a", b"aaa"), (b"a:a", b"aaa"), (b"aqa", b"aaa"),
                            (b"0.0", b"000"), (b"0,0", b"000"), (b"0q0", b"000")):
        b = b.replace(pattern, joined).replace(pattern, joined)
    b = b.translate(bytes(ord("a") if i in b"a0" else ord("_") if i == 95 else ord(" ") for i in range(256)))
    return sum(1 for t in b.split() if b"a" in t)


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=16).map(lambda b: bytes(b"a0_:.,q |"[x % 9] for x in b)))
def test_class_words_equal_the_plain_reference(b):
    """The fast word rules (one re pass each, no loop over the dots) on every class sequence."""
    assert coverage._class_words(b) == _class_words_reference(b)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORD_ALPHABET + DOT_ALPHABET + ["\0"]), max_size=8).map("".join), max_size=12))
def test_words_sum_equals_the_sum_of_words(texts):
    """Texts counted together (joined by NUL) give exactly the sum of their counts."""
    assert coverage.words_sum(list(texts)) == sum(map(coverage.words, texts))


def test_words_sum_equals_the_sum_of_words_on_real_catalogues(corpora):
    files = sorted((corpora / "django_po").rglob("*.po"))
    files += sorted((Path(__file__).resolve().parents[1] / "locales").rglob("*.po"))
    texts = 0
    for path in files:
        t = poscan.scan(path.read_bytes(), str(path)).tally()
        for source in t.sources:
            assert coverage.words_sum(list(source)) == sum(map(coverage.words, source)), path
            texts += len(source)
    assert texts > 1000


def test_missing_lists_untranslated_and_fuzzy_with_time_and_id():
    from tmtool.catalog import entry_id

    es = [Entry("", ("Language: kk\n",)),
          Entry("Yes.", ("Иә.",), line=5),
          Entry("Why?", ("",), msgctxt="occurrence 2", extracted_comments=("time: 00:01:23.450 --> 00:01:25.000",), line=8),
          Entry("No.", ("Жоқ.",), fuzzy=True, extracted_comments=("time: 00:00:02,5",), line=11)]
    got = list(coverage.missing(es))
    assert [(m.text, m.state, m.time_ms, m.line) for m in got] == [
        ("Why?", "untranslated", 83450, 8), ("No.", "fuzzy", 2500, 11)]
    assert got[0].entry == entry_id(es[2]) and got[0].msgctxt == "occurrence 2"


# ---------------------------------------------------------------- exactness against the anchors


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogues())
def test_counts_equal_msgfmt_statistics(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("po") / "t.po"
    path.write_text(text, encoding="utf-8")
    rc, stats, stderr = run_msgfmt(path, check=False)
    assert rc == 0, stderr
    c = counts_of(text)
    assert (c.translated, c.fuzzy, c.untranslated) == stats


def django_catalogues(corpora: Path) -> list[Path]:
    files = sorted((corpora / "django_po").rglob("*.po"))
    assert len(files) >= 20
    return files


def test_django_counts_equal_msgfmt(corpora):
    for path in django_catalogues(corpora):
        rc, stats, stderr = run_msgfmt(path, check=False)
        assert rc == 0, stderr
        c = counts_of(path.read_bytes())
        assert (c.translated, c.fuzzy, c.untranslated) == stats, path


def test_django_source_words_equal_pocount(corpora):
    module = pocount()
    for path in django_catalogues(corpora):
        p = module.calcstats(str(path))
        c = counts_of(path.read_bytes())
        assert c.total_words == p["translatedsourcewords"] + p["fuzzysourcewords"] + p["untranslatedsourcewords"], path
        assert c.translated_words == p["translatedsourcewords"], path


# ---------------------------------------------------------------- the command


def po(lang: str, entries: str, plural: str | None = None) -> str:
    return header(lang, plural or (RU_PLURALS if lang == "ru" else PLURAL_FORMS[2])) + entries


KK = ('# note from the translator\n#. time: 00:00:01.000 --> 00:00:02.000\nmsgid "Hello there."\nmsgstr "Сәлем."\n\n'
      '#. time: 00:00:03.500 --> 00:00:04.000\nmsgid "Why do you think that is?"\nmsgstr ""\n\n'
      '#, fuzzy\nmsgid "Yes, of course."\nmsgstr "Иә."\n\n'
      'msgid "See you."\nmsgstr "Көріскенше."\n')
RU = 'msgid "Hello there."\nmsgstr "Привет."\n\nmsgid "Why do you think that is?"\nmsgstr "Почему?"\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A tmtool project with one recording in kk and ru, run from its root with a private cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    for lang, body in (("kk", KK), ("ru", RU)):
        d = tmp_path / "locales" / lang / "LC_MESSAGES"
        d.mkdir(parents=True)
        (d / "the-interview.po").write_text(po(lang, body), encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, ["coverage", *args], catch_exceptions=False)


def test_table_has_a_row_per_recording_and_language_and_a_total(project):
    r = run()
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split()[:4] == ["recording", "lang", "total", "translated"]
    assert lines[1].split() == ["the-interview", "kk", "4", "2", "1", "1", "50.0", "1"]
    assert lines[2].split() == ["the-interview", "ru", "2", "2", "0", "0", "100.0", "0"]
    assert lines[3].split() == ["TOTAL", "6", "4", "1", "1", "66.6", "1"]
    assert all(len(x) <= 80 for x in lines) and "\x1b[" not in r.output


def test_json_rows_are_stable_for_scripts(project):
    r = run("--format", "json")
    rows = json.loads(r.stdout)
    kk = rows[0]
    assert kk["path"] == os.path.join("locales", "kk", "LC_MESSAGES", "the-interview.po")
    assert (kk["recording"], kk["language"]) == ("the-interview", "kk")
    assert (kk["total"], kk["translated"], kk["fuzzy"], kk["untranslated"], kk["notes"]) == (4, 2, 1, 1, 1)
    assert (kk["total_words"], kk["translated_words"], kk["fuzzy_words"], kk["untranslated_words"]) == (13, 4, 3, 6)
    assert kk["percent"] == 50.0 and kk["error"] is None


def test_csv_has_a_header_line(project):
    r = run("--format", "csv", "--lang", "ru")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("path,recording,language,total,translated,fuzzy,untranslated")
    assert len(lines) == 2 and ",ru,2,2,0,0," in lines[1]


def test_by_words(project):
    r = run("--by", "words", "--lang", "kk")
    assert r.output.splitlines()[1].split() == ["the-interview", "kk", "13", "4", "3", "6", "30.7", "1"]


def test_fail_under_exits_1_and_names_the_rows(project):
    ok = run("--fail-under", "50")
    assert ok.exit_code == 0
    low = run("--fail-under", "60")
    assert low.exit_code == 1
    assert "the-interview (kk) 50.0%" in low.stderr and "(ru)" not in low.stderr
    assert run("--fail-under", "50", "--by", "words").exit_code == 1


def test_recording_and_language_filters(project):
    assert run("the-interview", "--lang", "ru").output.count("the-interview") == 1
    r = run("no-such-recording")
    assert r.exit_code == 1 and "no-such-recording" in r.output
    assert run("--lang", "xx-bogus").exit_code == 2


def test_missing_lists_what_is_left(project):
    r = run("--missing", "--format", "json")
    rows = json.loads(r.stdout)
    assert [(x["language"], x["state"], x["text"], x["time"]) for x in rows] == [
        ("kk", "untranslated", "Why do you think that is?", "00:00:03.500"),
        ("kk", "fuzzy", "Yes, of course.", None)]
    assert rows[0]["line"] == 14 and len(rows[0]["entry"]) == 8
    table = run("--missing").output.splitlines()
    assert table[1].split()[:4] == ["the-interview", "kk", rows[0]["entry"], "00:00:03"]


def test_a_broken_catalogue_is_an_error_row_and_the_others_still_count(project):
    bad = project / "locales" / "kk" / "LC_MESSAGES" / "broken.po"
    bad.write_text(po("kk", 'msgid "a"\nmsgstr "unclosed\n'), encoding="utf-8")
    empty = project / "locales" / "ru" / "LC_MESSAGES" / "empty.po"
    empty.write_bytes(b"")
    r = run("--format", "json")
    assert r.exit_code == 1
    rows = {(x["recording"], x["language"]): x for x in json.loads(r.stdout)}
    assert rows[("broken", "kk")]["error"].endswith("broken.po:9: end-of-line within string (a closing \" is missing)")
    assert rows[("empty", "ru")]["percent"] is None and "header missing" in rows[("empty", "ru")]["error"]
    assert rows[("the-interview", "kk")]["translated"] == 2
    assert "broken.po:9:" in r.stderr
    table = run()
    assert table.exit_code == 1 and "ERROR" in table.stdout and "TOTAL" in table.stdout


def test_path_counts_any_gettext_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    for app, lang, body in (("app", "kk", KK), ("lib", "ru", RU)):
        d = tmp_path / "src" / app / "locale" / lang / "LC_MESSAGES"
        d.mkdir(parents=True)
        (d / "django.po").write_text(po(lang, body), encoding="utf-8")
    (tmp_path / "src" / "loose.po").write_text(po("ru", RU), encoding="utf-8")
    r = run("--path", "src", "--format", "json")
    rows = json.loads(r.stdout)
    assert sorted((x["recording"], x["language"], x["total"]) for x in rows) == [
        ("django", "kk", 4), ("django", "ru", 2), ("loose", "ru", 2)]
    assert run("--path", "src", "--lang", "ru", "--format", "json").stdout.count('"ru"') == 2
    table = run("--path", "src").stdout
    assert "app/django" in table and "lib/django" in table


def test_no_locales_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run()
    assert r.exit_code == 1 and "locales/" in r.output


def test_django_tree(corpora, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    r = run("--path", str(corpora / "django_po"), "--format", "json", "--quiet")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)
    assert len(rows) == 26 and {x["language"] for x in rows} == {"kk", "ru"}
    ru = [x for x in rows if x["language"] == "ru"]
    assert all(x["percent"] == 100.0 for x in ru)


# ---------------------------------------------------------------- the cache


def test_warm_run_uses_the_cache(project, monkeypatch):
    from tmtool.cli import coverage as cmd

    first = run("--format", "json").stdout

    def no_scanning(*a, **k):
        raise AssertionError("scanned although nothing changed")

    monkeypatch.setattr(cmd, "scan_file", no_scanning)
    assert run("--format", "json").stdout == first
    po_file = project / "locales" / "ru" / "LC_MESSAGES" / "the-interview.po"
    po_file.write_text(po("ru", RU + '\nmsgid "New."\nmsgstr ""\n'), encoding="utf-8")
    with pytest.raises(AssertionError, match="scanned"):
        run()


def test_cache_catches_a_change_hidden_from_the_file_identity(project):
    """A rewrite within one timestamp tick (same size, same identity) is caught by the content hash."""
    from tmtool.cli import coverage as cmd

    po_file = project / "locales" / "ru" / "LC_MESSAGES" / "the-interview.po"
    assert json.loads(run("--format", "json", "--lang", "ru").stdout)[0]["translated"] == 2
    cache_files = list((project / ".cache" / "tmtool" / "coverage").glob("*.json"))
    assert len(cache_files) == 1
    stored = json.loads(cache_files[0].read_text())
    assert "hash" in stored["files"]["ru/LC_MESSAGES/the-interview.po"]  # just written: racy
    same_size = po_file.read_text(encoding="utf-8").replace('msgstr "Почему?"', 'msgstr ""\n"Почему?"')
    same_size = same_size.replace('msgstr "Привет."', 'msgstr ""')
    po_file.write_text(same_size, encoding="utf-8")
    # Pretend the file system could not tell: give the cache the new identity.
    stored["files"]["ru/LC_MESSAGES/the-interview.po"]["identity"] = cmd._identity(os.stat(po_file))
    cache_files[0].write_text(json.dumps(stored))
    assert json.loads(run("--format", "json", "--lang", "ru").stdout)[0]["translated"] == 1


def test_damaged_cache_is_ignored(project):
    run()
    for f in (project / ".cache" / "tmtool" / "coverage").glob("*.json"):
        f.write_text("{not json")
    assert run().exit_code == 0


def test_cached_errors_name_the_file_as_given_now(project):
    bad = project / "locales" / "kk" / "LC_MESSAGES" / "broken.po"
    bad.write_text(po("kk", 'msgid "a"\nmsgstr "unclosed\n'), encoding="utf-8")
    first = run("--path", "locales", "--format", "json").stdout
    second = run("--path", str(project / "locales"), "--format", "json").stdout
    errors = [x["error"] for x in json.loads(second) if x["error"]]
    assert errors and errors[0].startswith(str(project / "locales" / "kk")) and first != second


def test_no_cache_writes_nothing(project):
    run("--no-cache")
    assert not (project / ".cache").exists()


def test_counts_in_real_russian_four_form_catalogue_are_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    d = tmp_path / "locales" / "ru" / "LC_MESSAGES"
    d.mkdir(parents=True)
    (d / "rec.po").write_text(po("ru", 'msgid "a"\nmsgid_plural "b"\nmsgstr[0] "1"\nmsgstr[1] "2"\nmsgstr[2] "3"\nmsgstr[3] "4"\n',
                                 DJANGO_RU_PLURALS), encoding="utf-8")
    r = run("--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["translated"] == 1
    assert "nplurals=4" in r.stderr


def test_two_workers_give_the_same_rows(project, monkeypatch):
    from tmtool.cli import coverage as cmd

    for n in range(6):
        d = project / "locales" / ("kk", "ru")[n % 2] / "LC_MESSAGES"
        (d / f"rec-{n}.po").write_text(po(("kk", "ru")[n % 2], KK if n % 2 == 0 else RU), encoding="utf-8")
    serial = run("--format", "json", "--no-cache", "--jobs", "1").stdout
    assert run("--format", "json", "--no-cache", "--jobs", "2").stdout == serial
    monkeypatch.setattr(cmd, "PARALLEL_MIN_BYTES", 0)
    assert cmd._auto_workers(8, 0) == (2 if (os.cpu_count() or 1) > 1 else 1)


def test_files_with_something_to_report_are_counted_and_reported(tmp_path, monkeypatch):
    """Files the whole-file path leaves to the exact one: their warnings reach the user, a broken
    one is an error row (file:line), the others are still counted."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    d = tmp_path / "tree" / "ru" / "LC_MESSAGES"
    d.mkdir(parents=True)
    (d / "forms.po").write_text(po("ru", 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n'), encoding="utf-8")
    (d / "flags.po").write_text(po("ru", '#, fuzzy\n#, c-format\nmsgid "a"\nmsgstr "b"\n'), encoding="utf-8")
    (d / "two.po").write_text(po("ru", 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "x"\nmsgstr[1] "y"\n'), encoding="utf-8")
    (d / "fine.po").write_text(po("ru", RU), encoding="utf-8")
    r = run("--path", "tree", "--format", "json")
    assert r.exit_code == 1
    rows = {x["recording"]: x for x in json.loads(r.stdout)}
    assert rows["forms"]["untranslated"] == 1 and rows["flags"]["translated"] == 1 and rows["fine"]["translated"] == 2
    assert "forms.po:8: warning: 2 plural forms but nplurals=3" in r.stderr
    assert "flags.po:10: warning: fuzzy flag on an earlier '#,' line" in r.stderr
    assert rows["two"]["error"].endswith("two.po:8: only 2 plural forms but the header's Plural-Forms says nplurals=3: "
                                         "a plural entry needs exactly msgstr[0] … msgstr[2]")


def test_missing_table_keeps_a_long_recording_id_whole_within_80_columns(tmp_path):
    """A person copies the id from the table into `tmtool notes add`: it must not be cut."""
    from tmtool.cli import cli as tmtool_cli

    long_id = "the-platform-kazakhstan-pt-2"  # 28 characters
    folder = tmp_path / "locales" / "kk" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / f"{long_id}.po").write_text(po("kk", 'msgid "Why do you think that is?"\nmsgstr ""\n'),
                                          encoding="utf-8")
    r = CliRunner().invoke(tmtool_cli, ["coverage", "--missing", "--path", str(tmp_path / "locales"), "--no-cache"])
    lines = r.output.splitlines()
    assert lines[1].split()[0] == long_id
    assert all(len(line) <= 80 for line in lines)


# ---------------------------------------------------------------- what the manifests declare

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "the-platform-kazakhstan"


@pytest.fixture
def sample(tmp_path, monkeypatch):
    """The sample recording (manifest, tracks, kk and ru catalogues), run from its root."""
    import shutil

    shutil.copytree(REPO / "transcripts" / SAMPLE, tmp_path / "transcripts" / SAMPLE)
    shutil.copytree(REPO / "locales", tmp_path / "locales")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    return tmp_path


def sample_po(root: Path, lang: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{SAMPLE}.po"


def test_a_deleted_catalogue_is_a_missing_row_and_fails_the_gate(sample):
    assert run(SAMPLE, "--lang", "kk", "--fail-under", "85").exit_code == 0
    run()  # the cache knows the file: its deletion must still show
    sample_po(sample, "kk").unlink()
    r = run(SAMPLE, "--lang", "kk", "--fail-under", "85")
    assert r.exit_code == 1
    assert r.stdout.splitlines()[1].split()[:3] == [SAMPLE, "kk", "MISSING:"]
    assert f"{SAMPLE} (kk) no catalogue" in r.stderr and "no catalogues found" not in r.stderr
    every = run("--fail-under", "85")
    assert every.exit_code == 1 and " kk " in every.stdout and " ru " in every.stdout
    rows = {x["language"]: x for x in json.loads(run("--format", "json").stdout)}
    assert rows["kk"]["status"] == "missing" and rows["kk"]["percent"] == 0.0 and rows["kk"]["total"] is None
    assert rows["kk"]["path"] == os.path.join("locales", "kk", "LC_MESSAGES", f"{SAMPLE}.po")
    assert rows["ru"]["status"] == "ok" and rows["ru"]["percent"] > 85
    assert run("--format", "json").exit_code == 0  # without a gate, a report


def test_a_new_recording_without_catalogues_is_counted_as_missing(sample):
    from tmtool import project

    project.create_recording(sample, "new-interview", "New", ("en", "kk", "kk-Latn"))
    r = run("--format", "json")
    rows = {(x["recording"], x["language"]): x["status"] for x in json.loads(r.stdout)}
    assert rows == {(SAMPLE, "kk"): "ok", (SAMPLE, "ru"): "ok", ("new-interview", "kk"): "missing",
                    ("new-interview", "kk@latin"): "missing"}
    assert run("new-interview", "--lang", "kk-Latn", "--format", "json").stdout.count('"missing"') == 1
    assert run("--fail-under", "50").exit_code == 1
    assert "new-interview (kk) no catalogue" in run("--fail-under", "50").stderr
    left = run("new-interview", "--missing")
    assert "no kk catalogue yet" in left.stderr


def test_recordings_without_a_locales_folder_are_missing_rows_not_an_error(sample):
    import shutil

    shutil.rmtree(sample / "locales")
    r = run("--format", "json", "--fail-under", "1")
    assert r.exit_code == 1 and [x["status"] for x in json.loads(r.stdout)] == ["missing", "missing"]


def test_a_broken_manifest_is_an_error_row(sample):
    manifest = sample / "transcripts" / SAMPLE / "recording.toml"
    manifest.write_text('id = "the-platform-kazakhstan"\nlanguages = [\n', encoding="utf-8")
    r = run("--format", "json")
    assert r.exit_code == 1
    errors = [x for x in json.loads(r.stdout) if x["status"] == "error"]
    assert len(errors) == 1 and errors[0]["error"].startswith(os.path.join("transcripts", SAMPLE, "recording.toml"))


def test_fail_under_nan_is_a_usage_error(project):
    for value in ("nan", "NaN", "-nan"):
        r = run("--fail-under", value)
        assert r.exit_code == 2 and "nan" in r.output


def test_a_gate_over_nothing_fails(project):
    r = run("--lang", "de", "--fail-under", "50")
    assert r.exit_code == 1 and "no catalogues found" in r.stderr


def test_absolute_path_names_are_not_doubled(tmp_path, monkeypatch):
    from tmtool.cli.coverage import short_names

    assert short_names(["/abs/dir/kk/LC_MESSAGES/x.po"]) == {"/abs/dir/kk/LC_MESSAGES/x.po": "/abs/dir/x"}
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    d = tmp_path / "tree" / "kk" / "LC_MESSAGES"
    d.mkdir(parents=True)
    (d / "one.po").write_text(po("kk", KK), encoding="utf-8")
    r = run("--path", str(tmp_path / "tree"))
    name = r.stdout.splitlines()[1].split()[0]
    assert not name.startswith("//") and name.endswith("tree/one")


@contextlib.contextmanager
def fifo_writer(path: Path):
    """Opens the FIFO for writing whenever a reader waits on it, and closes it at once.

    Without the fix a reader blocks on the FIFO for ever; this lets it through (it reads
    nothing) so that such a test fails instead of hanging. With the fix nobody waits.
    """
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # no reader waiting
                stop.wait(0.02)
                continue
            os.close(fd)

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


@needs_fifo
def test_a_fifo_in_place_of_a_catalogue_is_an_error_row(sample):
    kk = sample_po(sample, "kk")
    kk.unlink()
    os.mkfifo(kk)
    with fifo_writer(kk):
        r = run("--format", "json")
    assert r.exit_code == 1
    rows = {x["language"]: x for x in json.loads(r.stdout)}
    assert rows["kk"]["status"] == "error" and "named pipe" in rows["kk"]["error"]
    assert rows["ru"]["status"] == "ok" and kk.is_fifo()
    assert "named pipe (FIFO), not a regular file" in r.stderr


def test_lang_kk_is_not_kk_latin_and_the_table_shows_kk_latin_whole(tmp_path):
    from tmtool.cli.coverage import lang_matches

    assert lang_matches("kk", ["kk"]) and lang_matches("ru_RU", ["ru"])
    assert not lang_matches("kk@latin", ["kk"]) and lang_matches("kk@latin", ["kk@latin"])
    for lang in ("kk", "kk@latin"):
        path = tmp_path / "locales" / lang / "LC_MESSAGES" / "x.po"
        path.parent.mkdir(parents=True)
        path.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b"\n',
                        encoding="utf-8")
    r = CliRunner().invoke(cli, ["coverage", "--path", str(tmp_path / "locales")])
    assert r.exit_code == 0, r.output
    assert any(line.split()[1:2] == ["kk@latin"] for line in r.stdout.splitlines())
    assert all(len(line) <= 80 for line in r.stdout.splitlines())
