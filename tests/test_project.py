"""Recording layout: manifests, track discovery, ids, `tmtool new` and `tmtool info`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtool import languages, project
from tmtool.cli import cli
from tmtool.errors import InputError, RecordingError, TmtoolError

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "transcripts" / "the-platform-kazakhstan"

MANIFEST = """\
id = "demo"
title = "Demo"
languages = ["en", "kk", "ru"]
duration = "00:01:00"

[[speakers]]
name = "Interviewer"
role = "question"
aliases = ["Тео"]

[[speakers]]
name = "Alma Nurusheva"
role = "answer"
aliases = ["Алма"]
"""

KK_SRT = """\
1
00:00:01,000 --> 00:00:03,000
Тео: Veritas не істейді?

2
00:00:04,000 --> 00:00:06,500
Алма: Veritas — адам құқықтары

3
00:00:06,700 --> 00:00:09,000
мәселелерімен айналысатын ұйым.
"""


def make_recording(root: Path, files: dict[str, str | bytes], manifest: str = MANIFEST) -> Path:
    folder = root / "transcripts" / "demo"
    folder.mkdir(parents=True)
    (folder / "recording.toml").write_text(manifest, encoding="utf-8")
    for name, data in files.items():
        p = folder / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return folder


def test_load_recording_reads_tracks_and_maps_speaker_aliases(tmp_path):
    make_recording(tmp_path, {"en.txt": "What does Veritas do?\n\nIt is a human rights group.\n", "kk.srt": KK_SRT})
    rec = project.load_recording("demo", root=tmp_path)
    assert [t.language for t in rec.tracks] == ["en", "kk"]
    kk = rec.track("kk")
    assert kk.timed and kk.span_ms == (1000, 9000)
    assert kk.speakers == ("Interviewer", "Alma Nurusheva")
    en = rec.track("en")
    assert not en.timed
    assert [s.speaker for s in en.segments] == ["Interviewer", "Alma Nurusheva"]
    assert project.missing_tracks(rec) == ["ru"]


def test_cp1251_track_needs_an_explicit_encoding(tmp_path):
    ru = "1\n00:00:01,000 --> 00:00:02,000\nПривет, мир.\n".encode("cp1251")
    make_recording(tmp_path, {"ru.srt": ru})
    with pytest.raises(InputError) as err:
        project.load_recording("demo", root=tmp_path)
    assert "ru.srt" in str(err.value) and "--encoding" in str(err.value)
    rec = project.load_recording("demo", root=tmp_path, encoding="cp1251")
    assert rec.track("ru").segments[0].text == "Привет, мир."


def test_manifest_encoding_setting(tmp_path):
    ru = "1\n00:00:01,000 --> 00:00:02,000\nПривет.\n".encode("cp1251")
    make_recording(tmp_path, {"ru.srt": ru}, MANIFEST + '\n[encoding]\nru = "cp1251"\n')
    assert project.load_recording("demo", root=tmp_path).track("ru").segments[0].text == "Привет."


@pytest.mark.parametrize("bad, fragment", [
    ("languages = [", "invalid TOML"),
    ('id = "other"', "does not match the folder"),
    ('languages = ["xx"]', "unknown language code"),
    ('duration = "1:99:00"', "duration"),
    ('[[speakers]]\nrole = "question"', "needs a name"),
    ('[[speakers]]\nname = "A"\nrole = "boss"', "role"),
    ('media = "../../etc/passwd"', "media"),
])
def test_bad_manifest_is_one_clear_error(tmp_path, bad, fragment):
    make_recording(tmp_path, {}, bad + "\n")
    with pytest.raises(InputError) as err:
        project.load_recording("demo", root=tmp_path)
    msg = str(err.value)
    assert fragment in msg and "recording.toml" in msg and "\n" not in msg
    assert err.value.line is not None, msg  # every error points at a line, not only TOML syntax errors


def test_toml_error_names_the_line(tmp_path):
    make_recording(tmp_path, {}, 'title = "x"\nlanguages = [\n')
    with pytest.raises(InputError) as err:
        project.load_recording("demo", root=tmp_path)
    assert err.value.line is not None and err.value.line >= 2


@pytest.mark.parametrize("rid", ["..", "../x", "/etc", "a b", "Демо", "UPPER", "-x", "x-", "", "a/b"])
def test_recording_ids_are_slugs(rid):
    with pytest.raises(RecordingError):
        project.check_id(rid)


def test_two_tracks_for_one_language_is_an_error(tmp_path):
    make_recording(tmp_path, {"kk.srt": KK_SRT, "kk.vtt": "WEBVTT\n"})
    with pytest.raises(RecordingError, match="two tracks"):
        project.load_recording("demo", root=tmp_path)


def test_other_files_in_the_folder_are_not_tracks(tmp_path):
    make_recording(tmp_path, {"kk.srt": KK_SRT, "notes.txt": "x", "draft.srt": "x", "demo.mp4": b"\0"})
    assert [t.language for t in project.load_recording("demo", root=tmp_path).tracks] == ["kk"]


def test_languages_keep_the_script():
    assert languages.normalize("kk_latn") == "kk-Latn"
    assert languages.english_name("kk-Latn") == "Kazakh (Latin)"
    assert languages.posix("kk-Latn") == "kk@latin"
    with pytest.raises(TmtoolError):
        languages.normalize("zz")


@pytest.mark.parametrize("code, tag", [("kk-KZ", "kk"), ("KK_kz", "kk"), ("ru-RU", "ru"), ("kk-Cyrl", "kk"),
                                       ("kk-Cyrl-KZ", "kk"), ("en-US", "en"), ("en-GB", "en-GB"),
                                       ("kk-Latn", "kk-Latn"), ("ru-KZ", "ru-KZ")])
def test_the_usual_script_and_region_are_left_out(code, tag):
    # Trados writes kk-KZ and ru-RU: they must reach the kk and ru memory, not a memory of their own.
    assert languages.normalize(code) == tag


def test_new_scaffolds_and_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    r = runner.invoke(cli, ["new", "interview-2", "--title", "Second"])
    assert r.exit_code == 0, r.output
    manifest = tmp_path / "transcripts" / "interview-2" / "recording.toml"
    text = manifest.read_text(encoding="utf-8")
    m = project.parse_manifest(text, str(manifest), "interview-2")
    assert m.title == "Second" and m.languages == ("en", "kk", "ru")
    r = runner.invoke(cli, ["new", "interview-2"])
    assert r.exit_code == 1 and "already exists" in r.output
    assert manifest.read_text(encoding="utf-8") == text
    r = runner.invoke(cli, ["new", "../escape"])
    assert r.exit_code == 1 and "invalid recording id" in r.output
    assert not (tmp_path / "escape").exists()


def test_info_on_a_broken_track_is_one_line_exit_1(tmp_path):
    folder = make_recording(tmp_path, {"kk.srt": "1\n00:00:01,000 --> 00:00:0X,000\nСәлем\n"})
    r = CliRunner().invoke(cli, ["info", str(folder)])
    assert r.exit_code == 1
    assert "kk.srt" in r.output and len(r.output.strip().splitlines()) == 1
    assert "Traceback" not in r.output


def test_info_on_the_sample_recording():
    r = CliRunner().invoke(cli, ["info", str(SAMPLE), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    tracks = {t["language"]: t for t in data["tracks"]}
    assert set(tracks) == {"en", "kk", "ru"}
    assert not tracks["en"]["timed"] and tracks["kk"]["timed"] and tracks["ru"]["timed"]
    assert tracks["en"]["speakers"] == ["Theo Casablanca", "Alma Nurusheva"]
    assert set(tracks["kk"]["speakers"]) == {"Theo Casablanca", "Alma Nurusheva"}
    for lang in ("kk", "ru"):
        start, end = (project.parse_duration(x) for x in tracks[lang]["span"])
        assert 12 * 60_000 <= end - start <= 15 * 60_000
        assert tracks[lang]["segments"] > tracks["en"]["segments"]


def test_info_table_lists_three_tracks():
    r = CliRunner().invoke(cli, ["info", str(SAMPLE)])
    assert r.exit_code == 0, r.output
    rows = [line.split()[0] for line in r.output.splitlines() if line[:3] in ("en.", "kk.", "ru.")]
    assert rows == ["en.txt", "kk.srt", "ru.srt"]


def test_every_command_has_help_text():
    def walk(group, prefix=()):
        for name, cmd in group.commands.items():
            yield prefix + (name,), cmd
            if hasattr(cmd, "commands"):
                yield from walk(cmd, prefix + (name,))

    for path, cmd in walk(cli):
        assert cmd.help or cmd.short_help, f"tmtool {' '.join(path)} has no help text"
        r = CliRunner().invoke(cli, [*path, "--help"])
        assert r.exit_code == 0, (path, r.output)


def test_a_closed_pipe_ends_quietly():
    """`tmtool … | head -1`: no 'Broken pipe' error and no traceback on stderr."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "tmtool", "align", str(SAMPLE), "--lang", "kk", "--print", "--format", "tsv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away before tmtool has written everything
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "Broken pipe" not in err


# ---------------------------------------------------------------- speakers the manifest declares


def test_a_declared_speaker_list_keeps_a_word_and_colon_as_speech(tmp_path, monkeypatch):
    """QA: "Короче: мы не можем" gave a speaker "Короче" and the word vanished from the export."""
    kk = KK_SRT.replace("мәселелерімен айналысатын ұйым.", "Короче: мәселелерімен айналысатын ұйым.")
    make_recording(tmp_path, {"kk.srt": kk})
    seg = project.load_recording("demo", root=tmp_path).track("kk").segments[2]
    assert (seg.speaker, seg.text) == ("Alma Nurusheva", "Короче: мәселелерімен айналысатын ұйым.")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["info", "demo", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["tracks"][0]["speakers"] == ["Interviewer", "Alma Nurusheva"]


def test_without_declared_speakers_labels_are_guessed(tmp_path):
    kk = KK_SRT.replace("Тео:", "Журналист:")
    make_recording(tmp_path, {"kk.srt": kk}, 'languages = ["kk"]\n')
    assert project.load_recording("demo", root=tmp_path).track("kk").speakers == ("Журналист", "Алма")


# ---------------------------------------------------------------- manifest errors name their line


@pytest.mark.parametrize("manifest, line, fragment", [
    ('id = "demo"\nlanguages = ["en","kz","ru"]\n', 2, "unknown language code 'kz'"),
    ('title = "x"\n\nid = "other"\n', 3, "does not match the folder"),
    ('# comment\nduration = "1:99:00"\n', 2, "duration"),
    ('duration = -5\n', 1, "negative"),
    ('languages = [\n  "en",\n  "kk",\n  "KK",\n]\n', 4, "lists kk twice"),
    ('languages = ["en", "kk", "en"]\n', 1, "lists en twice"),
    ('source_language = "xx"\n', 1, "source_language"),
    (MANIFEST + '\n[[speakers]]\nname = "C"\n\nrole = "boss"\n', 19, "role"),
    (MANIFEST.replace('role = "answer"', 'role = "boss"'), 13, "role"),
    ('[[speakers]]\nname = "A"\n[[speakers]]\nrole = "question"\n', 3, "needs a name"),
    ('[[speakers]]\nname = "A"\naliases = [1]\n', 3, "aliases"),
    ('speakers = "A"\n', 1, "array of tables"),
    ('title = "t"\nmedia = "../x.mp4"\n', 2, "media"),
    ('[encoding]\nru = "cp1251"\nkk = 5\n', 3, "[encoding]"),
    ('[encoding]\nkz = "cp1251"\n', 2, "[encoding]"),
    ('metadata = 5\n', 1, "[metadata]"),
    ('x = 1\n[captions.kz]\nmax_cps = 15\n', 2, "[captions.kz]"),
    ('title = 5\n', 1, "'title' must be a string"),
    # a key inside a multi-line string is text, not the key
    ('intro = """\nlanguages = ["kz"]\n"""\nlanguages = ["kz"]\n', 4, "unknown language"),
    # [[speakers]] keys are not top-level keys
    ('[metadata]\nid = "other"\n[[speakers]]\nname = "A"\nrole = "boss"\n', 5, "role"),
])
def test_manifest_errors_name_the_line(tmp_path, manifest, line, fragment):
    folder = make_recording(tmp_path, {}, manifest)
    with pytest.raises(InputError) as err:
        project.load_recording("demo", root=tmp_path)
    assert fragment in err.value.message
    assert str(err.value).startswith(f"{folder / 'recording.toml'}:{line}: "), str(err.value)


@settings(max_examples=40, deadline=None)
@given(
    before=st.lists(st.sampled_from(['title = "t"', "# languages = [\"kz\"]", "", 'date = "2022"',
                                     'note = """\nlanguages = ["kz"]\nid = "x"\n"""']), max_size=5, unique=True),
    key=st.sampled_from([('languages = ["en", "kz"]', "kz"), ('id = "other"', "other"),
                         ('duration = "99:99"', "duration"), ("media = 'a/b'", "media")]),
    after=st.lists(st.sampled_from(["", "[metadata]\nlanguages = 1", '[[speakers]]\nname = "A"']),
                   max_size=3, unique=True),
)
def test_the_error_line_is_the_line_of_the_bad_key(before, key, after):
    """Whatever comes before and after it, the error points at the line holding the bad value."""
    text = "\n".join([*before, key[0], *after]) + "\n"
    want = len("\n".join([*before, ""]).split("\n"))
    with pytest.raises(InputError) as err:
        project.parse_manifest(text, "recording.toml", "demo")
    assert err.value.line == want, (text, str(err.value))
    assert text.split("\n")[err.value.line - 1] == key[0]


# ---------------------------------------------------------------- tmtool new


def test_new_refuses_a_language_twice_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for langs in (["en", "en"], ["kk", "KK"], ["kk-latn", "kk_Latn"]):
        r = CliRunner().invoke(cli, ["new", "t", *(x for lang in langs for x in ("--lang", lang))])
        assert r.exit_code == 1 and "twice" in r.output, r.output
        assert not (tmp_path / "transcripts").exists()


@pytest.mark.parametrize("langs, source, names", [
    (["EN"], "en", "en.txt"),
    (["ru", "EN", "kk_latn"], "en", "ru.srt, en.txt, kk-Latn.srt"),
    (["kk", "ru"], "kk", "kk.txt, ru.srt"),
])
def test_new_names_normalised_tracks_for_the_languages_given(tmp_path, monkeypatch, langs, source, names):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["new", "t", *(x for lang in langs for x in ("--lang", lang))])
    assert r.exit_code == 0, r.output
    assert f"next to it: {names} (" in r.output
    path = tmp_path / "transcripts" / "t" / "recording.toml"
    text = path.read_text(encoding="utf-8")
    assert f"e.g. {names} (" in text and "kk.srt, ru.srt" not in text.replace(names, "")
    m = project.parse_manifest(text, str(path), "t")
    assert m.source_language == source and m.languages == tuple(languages.normalize(x) for x in langs)
    assert project.missing_tracks(project.load_recording("t", root=tmp_path)) == list(m.languages)


@pytest.mark.parametrize("folder", ["qaB", "Interview 2", "Демо", "x..y", "-a-"])
def test_info_on_a_folder_without_manifest_suggests_an_id_new_accepts(tmp_path, monkeypatch, folder):
    (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path / folder)
    r = CliRunner().invoke(cli, ["info", "."])
    assert r.exit_code == 1
    suggested = r.output.split("tmtool new ")[1].split()[0].rstrip(")")
    assert project.check_id(suggested) == suggested
    r = CliRunner().invoke(cli, ["new", suggested])
    assert r.exit_code == 0, r.output


def test_info_in_a_project_folder_points_at_its_recordings(tmp_path, monkeypatch):
    make_recording(tmp_path, {"kk.srt": KK_SRT})
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["info", "."])
    assert r.exit_code == 1 and "tmtool info demo" in r.output


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_suggested_ids_are_valid(name):
    rid = project.suggest_id(name)
    assert project.check_id(rid) == rid


# ---------------------------------------------------------------- which files are tracks


def test_only_the_manifests_languages_are_tracks(tmp_path, monkeypatch):
    """QA: a stray de.srt was aligned and created locales/de/."""
    make_recording(tmp_path, {"kk.srt": KK_SRT, "de.srt": KK_SRT, "fr.srt": KK_SRT, "fr.vtt": "WEBVTT\n"})
    rec = project.load_recording("demo", root=tmp_path)
    assert [t.language for t in rec.tracks] == ["kk"]
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["info", "demo", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ignored_files"] == ["de.srt", "fr.srt", "fr.vtt"]
    assert "warning: de.srt is not read" in r.stderr


def test_the_source_language_is_a_track_even_when_not_listed(tmp_path):
    make_recording(tmp_path, {"en.txt": "Hello?\n\nYes.\n", "kk.srt": KK_SRT}, 'languages = ["kk"]\n')
    assert [t.language for t in project.load_recording("demo", root=tmp_path).tracks] == ["kk", "en"]


def test_a_partly_stamped_text_shows_no_span_and_says_why(tmp_path, monkeypatch):
    """QA: en.txt with [00:00:10] stamps showed 'timed: no' beside a span."""
    en = "[00:00:10] What does Veritas do?\n\n[00:00:20] It is a human rights group.\n"
    make_recording(tmp_path, {"en.txt": en})
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["info", "demo", "--format", "json"])
    [track] = json.loads(r.stdout)["tracks"]
    assert (track["timed"], track["span"], track["timed_segments"]) == (False, None, 1)
    assert "1 of 2 segments have a start and an end" in r.stderr
    r = CliRunner().invoke(cli, ["info", "demo"])
    row = next(line for line in r.stdout.splitlines() if line.startswith("en.txt"))
    assert row.split()[4:6] == ["part", "-"]
    make_recording(tmp_path / "b", {"en.txt": en + "\n[00:00:30]\n"})
    monkeypatch.chdir(tmp_path / "b")
    [track] = json.loads(CliRunner().invoke(cli, ["info", "demo", "--format", "json"]).stdout)["tracks"]
    assert track["timed"] and track["span"] == ["00:00:10.000", "00:00:30.000"]
