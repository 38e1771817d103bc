"""The main job (`tmtool build`), the export commands and `tmtool check captions`, on the sample recording."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pysubs2
import pytest
import srt
import webvtt
from click.testing import CliRunner

from tmtool.build import caption_files
from tmtool.cli import cli
from tmtool.formats.po import catalog_paths, read_po

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "the-platform-kazakhstan"


@contextlib.contextmanager
def cwd(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run(root: Path, *args: str):
    """Run tmtool in ``root`` as a user would (coverage cache kept inside the test's folder)."""
    with cwd(root):
        return CliRunner().invoke(cli, list(args), env={"XDG_CACHE_HOME": str(root / ".cache")},
                                  catch_exceptions=False)


def new_project(root: Path, *recordings: str) -> Path:
    for rid in recordings or (SAMPLE,):
        shutil.copytree(REPO / "transcripts" / rid, root / "transcripts" / rid)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object]:
    root = new_project(tmp_path_factory.mktemp("project"))
    result = run(root, "build")
    return root, result


def ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if path is None:
        reason = "ffmpeg is not installed (apt-get install -y ffmpeg)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def out_files(root: Path) -> dict[str, Path]:
    return {p.name: p for p in (root / "build" / SAMPLE).iterdir()}


# --- tmtool build --------------------------------------------------------------------------------------


def test_build_writes_catalogues_captions_and_text_and_ends_with_coverage(built):
    root, result = built
    assert result.exit_code == 0, result.output
    for lang in (None, "kk", "ru"):
        assert catalog_paths(root, SAMPLE, lang).is_file()
    expected = {name for _, name in caption_files(SAMPLE, ["en", "kk", "ru"], "en")}
    assert expected == set(out_files(root))
    assert {f"{SAMPLE}.kk.srt", f"{SAMPLE}.ru.vtt", f"{SAMPLE}.kk+en.srt", f"{SAMPLE}.kk+en.html",
            f"{SAMPLE}.ru+en.md"} <= expected
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["recording", "lang"] and lines[-1].startswith("TOTAL")
    assert any(line.startswith(SAMPLE) and " kk " in line for line in lines)
    assert f"wrote {len(expected)} files under build/{SAMPLE}/" in result.stderr
    assert "Building" not in result.stderr  # no progress bar when stderr is not a terminal


def test_every_caption_file_parses_with_srt_webvtt_and_pysubs2_with_the_same_cue_count(built):
    root, _ = built
    for name, path in out_files(root).items():
        text = path.read_text(encoding="utf-8")
        if name.endswith(".srt"):
            n = len(list(srt.parse(text)))
            assert n == text.count("\n\n") + (not text.endswith("\n\n"))  # one blank line per cue
            assert len(pysubs2.SSAFile.from_string(text, format_="srt")) == n
            vtt = path.with_suffix(".vtt").read_text(encoding="utf-8")
            assert len(webvtt.from_string(vtt).captions) == n
            assert len(pysubs2.SSAFile.from_string(vtt, format_="vtt")) == n
            assert n > 50


def test_ffmpeg_accepts_every_caption_file(built, tmp_path):
    exe = ffmpeg()
    root, _ = built
    for name, path in out_files(root).items():
        if not name.endswith((".srt", ".vtt")):
            continue
        out = tmp_path / (name + ".ass")
        done = subprocess.run([exe, "-nostdin", "-loglevel", "error", "-y", "-i", str(path), str(out)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (name, done.stderr)
        n = len(list(srt.parse(path.with_suffix(".srt").read_text(encoding="utf-8"))))
        assert out.read_text(encoding="utf-8").count("\nDialogue:") == n


def test_kazakh_captions_burn_into_a_video(built, tmp_path):
    exe = ffmpeg()
    root, _ = built
    captions = out_files(root)[f"{SAMPLE}.kk.srt"]
    shutil.copy(captions, tmp_path / "kk.srt")  # a plain name: the filter's argument has its own escaping
    done = subprocess.run(
        [exe, "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=320x240:d=5",
         "-vf", "subtitles=kk.srt", "-frames:v", "125", "out.mp4"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.mp4").stat().st_size > 0


def test_sample_captions_break_no_limit_the_source_timing_does_not_force(built):
    root, _ = built
    result = run(root, "check", "captions", SAMPLE, "--strict")
    assert result.exit_code == 0, result.output
    summary = {line.split(":")[0]: line for line in result.stdout.splitlines() if " cues, " in line}
    assert set(summary) == {"en", "kk", "ru"}
    data = json.loads(run(root, "check", "captions", SAMPLE, "--format", "json").stdout)
    for lang in data:
        assert lang["unforced"] == 0, lang["violations"]
        assert lang["cues"] > 50


def test_check_captions_lists_violations_and_which_are_forced(built):
    root, _ = built
    result = run(root, "check", "captions", SAMPLE, "--lang", "en", "--set", "max_cps=8", "--strict")
    assert result.exit_code == 0  # the layout meets every limit the timing lets it meet
    first = result.stdout.splitlines()[0]
    assert first.startswith("en 00:") and "reading speed" in first and "> 8" in first
    assert "(forced by the source timing)" in first
    assert result.stdout.splitlines()[-1].startswith("en: ") and "forced by the source timing, 0 not" in result.stdout
    bad = run(root, "check", "captions", SAMPLE, "--set", "max_speed=8")
    assert bad.exit_code == 1 and "unknown caption setting" in bad.stderr


def test_check_captions_strict_fails_on_an_unforced_violation(built, monkeypatch):
    from tmtool import build, export
    from tmtool.captions import Violation
    from tmtool.model import Cue

    root, _ = built
    fake = export.CaptionResult(("kk",), (Cue(1000, 1500, ("Сәлем, Алма!",), 1),),
                                {"kk": (Violation(1, "min_duration", 500, 833, forced=False),)}, ())
    monkeypatch.setattr(build, "check_captions", lambda *a, **k: {"kk": fake})
    result = run(root, "check", "captions", SAMPLE, "--strict")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "kk 00:00:01.000 cue 1: duration 500 ms < 833 ms: Сәлем, Алма!"
    assert "kk: 1 cues, 1 violation (0 forced by the source timing, 1 not)" in result.stdout
    assert "1 violation not forced" in result.stderr
    assert run(root, "check", "captions", SAMPLE).exit_code == 0  # without --strict: a report


def test_caption_limits_come_from_the_manifest_then_the_flags(tmp_path):
    root = new_project(tmp_path)
    assert run(root, "build", "-q").stderr == ""  # --quiet: nothing on stderr
    manifest = root / "transcripts" / SAMPLE / "recording.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n[captions]\nmax_cps = 8\n[captions.kk]\nmax_cps = 30\n",
                        encoding="utf-8")
    data = {r["language"]: r for r in json.loads(run(root, "check", "captions", SAMPLE, "--format", "json").stdout)}
    assert data["en"]["violations"] and not data["kk"]["violations"]
    assert all(v["allowed"] == 8 for v in data["en"]["violations"] if v["limit"] == "max_cps")
    flagged = json.loads(run(root, "check", "captions", SAMPLE, "--lang", "en", "--set", "max_cps=30",
                             "--format", "json").stdout)
    assert flagged[0]["violations"] == []
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("max_cps = 30", 'max_cps = "fast"'),
                        encoding="utf-8")
    bad = run(root, "export", "srt", SAMPLE, "--lang", "kk")
    assert bad.exit_code == 1 and "recording.toml" in bad.stderr and "max_cps" in bad.stderr


def test_a_second_build_keeps_a_translators_work(tmp_path):
    root = new_project(tmp_path)
    assert run(root, "build", "-q").exit_code == 0
    po = catalog_paths(root, SAMPLE, "kk")
    text = po.read_text(encoding="utf-8")
    old = 'msgstr "Veritas қазір қандай қиындықтарға тап болып отыр?"'
    assert old in text
    po.write_text(text.replace(old, 'msgstr "Veritas қандай қиындықтарға тап болды? (аудармашы)"'), encoding="utf-8")
    result = run(root, "build", SAMPLE)
    assert result.exit_code == 0, result.output
    assert any(e.msgstr == "Veritas қандай қиындықтарға тап болды? (аудармашы)" for e in read_po(po).entries)
    kk = (root / "build" / SAMPLE / f"{SAMPLE}.kk.srt").read_text(encoding="utf-8")
    assert "(аудармашы)" in kk


def test_build_reports_a_broken_recording_and_still_builds_the_others(tmp_path):
    root = new_project(tmp_path)
    broken = root / "transcripts" / "broken"
    broken.mkdir()
    (broken / "recording.toml").write_text('id = "broken"\nlanguages = ["en", "kk"]\n', encoding="utf-8")
    (broken / "en.txt").write_text("Hello.\n", encoding="utf-8")
    (broken / "kk.srt").write_text("1\n00:00:01,000 --> 00:00:00,500\nСәлем.\n", encoding="utf-8")
    result = run(root, "build")
    assert result.exit_code == 1
    assert "broken: error:" in result.stderr and "kk.srt:2" in result.stderr
    assert (root / "build" / SAMPLE / f"{SAMPLE}.kk.srt").is_file()


def test_untimed_recording_uses_the_duration_and_says_the_timing_is_estimated(tmp_path):
    root = tmp_path
    folder = root / "transcripts" / "untimed"
    folder.mkdir(parents=True)
    (folder / "recording.toml").write_text('id = "untimed"\nlanguages = ["en", "ru"]\nduration = "00:00:30"\n',
                                           encoding="utf-8")
    (folder / "en.txt").write_text("We met in Astana. It was cold.\n\nThen we talked for an hour.\n", encoding="utf-8")
    (folder / "ru.txt").write_text("Мы встретились в Астане. Было холодно.\n\nПотом мы говорили час.\n",
                                   encoding="utf-8")
    result = run(root, "build", "untimed")
    assert result.exit_code == 0, result.output
    assert "timing is estimated" in result.stderr
    vtt = (root / "build" / "untimed" / "untimed.ru.vtt").read_text(encoding="utf-8")
    assert "\nNOTE Timing is estimated" in vtt and len(webvtt.from_string(vtt).captions) >= 3
    out = run(root, "export", "vtt", "untimed", "--lang", "en", "--duration", "00:01:00")
    assert out.exit_code == 0
    last = webvtt.from_string(out.stdout).captions[-1]
    assert last.start > "00:00:30.000"  # spread over the 60 s of --duration, not the manifest's 30 s
    (folder / "recording.toml").write_text('id = "untimed"\nlanguages = ["en", "ru"]\n', encoding="utf-8")
    result = run(root, "build", "untimed")
    assert result.exit_code == 0
    assert "not written" in result.stderr and "--duration" in result.stderr
    assert (root / "build" / "untimed" / "untimed.ru+en.html").is_file()  # text needs no timing


# --- tmtool export -------------------------------------------------------------------------------------


def test_export_srt_to_stdout_and_to_a_file(built, tmp_path):
    root, _ = built
    result = run(root, "export", "srt", SAMPLE, "--lang", "kk")
    assert result.exit_code == 0
    assert result.stdout.startswith("1\n00:00:04,210 --> ")
    assert "untranslated entr" in result.stderr and "left out" in result.stderr and "--fallback" in result.stderr
    target = tmp_path / "kk.srt"
    assert run(root, "export", "srt", SAMPLE, "--lang", "kk", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == result.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left behind


def test_export_fallback_shows_english_and_says_how_many(built):
    root, _ = built
    plain = run(root, "export", "srt", SAMPLE, "--lang", "kk")
    fb = run(root, "export", "srt", SAMPLE, "--lang", "kk", "--fallback", "en")
    assert fb.exit_code == 0
    assert "shown in en" in fb.stderr and "left out" not in fb.stderr
    # Every untranslated entry's English is on screen with --fallback, and only then.
    untranslated = [e.msgid for e in read_po(catalog_paths(root, SAMPLE, "kk")).entries
                    if not e.obsolete and not e.msgstr]
    assert untranslated
    shown = " ".join(" ".join(c.content.split()) for c in srt.parse(fb.stdout))
    hidden = " ".join(" ".join(c.content.split()) for c in srt.parse(plain.stdout))
    for msgid in untranslated:
        assert msgid in shown and msgid not in hidden


def test_export_bilingual_vtt(built):
    root, _ = built
    result = run(root, "export", "vtt", SAMPLE, "--lang", "ru", "--lang", "en")
    assert result.exit_code == 0
    caps = webvtt.from_string(result.stdout).captions
    assert caps[0].lines == ["Первый вопрос: чем занимается Veritas?", "What does Veritas do?"]


def test_export_usage_errors(built):
    root, _ = built
    assert run(root, "export", "srt", SAMPLE).exit_code == 2
    assert run(root, "export", "srt", SAMPLE, "--lang", "kk", "--lang", "ru", "--lang", "en").exit_code == 2
    missing = run(root, "export", "srt", SAMPLE, "--lang", "de")
    assert missing.exit_code == 1 and "no de catalogue" in missing.stderr
    nothing = run(root, "export", "srt", "no-such-recording", "--lang", "kk")
    assert nothing.exit_code == 1 and "no recording" in nothing.stderr
    bad = run(root, "export", "srt", SAMPLE, "--lang", "kk", "--set", "max_cps")
    assert bad.exit_code == 1 and "NAME=VALUE" in bad.stderr


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "csv"])
def test_export_text_formats(built, fmt):
    root, _ = built
    result = run(root, "export", "text", SAMPLE, "--lang", "kk", "--lang", "en", "--format", fmt)
    assert result.exit_code == 0
    assert "Veritas ұйымы немен айналысады?" in result.stdout and "What does Veritas do?" in result.stdout
    if fmt == "html":
        assert "@media print" in result.stdout and "Alma Nurusheva" in result.stdout


def test_export_before_build_says_what_to_run(tmp_path):
    root = new_project(tmp_path)
    result = run(root, "export", "srt", SAMPLE, "--lang", "kk")
    assert result.exit_code == 1 and f"tmtool build {SAMPLE}" in result.stderr


def test_every_command_has_help():
    for args in (["build"], ["export", "srt"], ["export", "vtt"], ["export", "text"], ["check", "captions"]):
        result = CliRunner().invoke(cli, args + ["--help"])
        assert result.exit_code == 0 and len(result.output) > 200


def test_single_language_captions_carry_every_timed_cue_once_in_order(built):
    """Speech the aligner matched to no English sentence is captioned too (issue 6)."""
    from tmtool.build import load
    from tmtool.catalog import clean_text

    root, result = built
    loaded = load(root / "transcripts" / SAMPLE)
    unaligned = {r.unaligned for r in loaded.rows if r.unaligned}
    assert unaligned == {"kk", "ru"}  # the sample has 0-1 beads in both
    for track in loaded.recording.tracks:
        if not track.timed:
            continue
        cues = list(srt.parse(out_files(root)[f"{SAMPLE}.{track.language}.srt"].read_text(encoding="utf-8")))
        assert all(a.end <= b.start and a.start < a.end for a, b in zip(cues, cues[1:]))
        shown = " ".join(" ".join(c.content.split()) for c in cues)
        pos = 0
        for seg in track.segments:  # each cue's text, in order, and nothing shown beyond them
            text = " ".join(clean_text(seg.text).split())
            found = shown.find(text, pos)
            assert found >= 0, (track.language, text)
            assert not shown[pos:found].strip(), (track.language, shown[pos:found])
            pos = found + len(text)
        assert pos == len(shown)
    assert "speech segment" in result.output and "aligned with no entry" in result.output


def test_align_reports_a_broken_catalogue_before_aligning(tmp_path, monkeypatch):
    root = new_project(tmp_path)
    po_path = catalog_paths(root, SAMPLE, "ru")
    po_path.parent.mkdir(parents=True)
    po_path.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "x"\nmsgstr "y\n',
                       encoding="utf-8")
    called = []
    import tmtool.align

    monkeypatch.setattr(tmtool.align, "align", lambda *a, **k: called.append(1) or [])
    result = run(root, "align", SAMPLE)
    assert result.exit_code == 1
    assert f"{po_path.name}:5:" in result.output
    assert called == []


@pytest.mark.parametrize("track, change", [
    ("kk.srt", lambda s: "0\n00:00:01,000 --> 00:00:02,000\nСәлеметсіз бе.\n\n" + s),  # cues shift down
    ("en.txt", lambda s: s.replace("What does Veritas do?", "What does Veritas really do?", 1)),
])
def test_export_refuses_a_catalogue_built_from_an_earlier_track(tmp_path, track, change):
    # Captions from it would repeat or drop text (its #: lines name other cues now).
    root = new_project(tmp_path)
    assert run(root, "align", SAMPLE).exit_code == 0
    path = root / "transcripts" / SAMPLE / track
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    for args in (["export", "srt", SAMPLE, "--lang", "kk", "-o", "k.srt"], ["check", "captions", SAMPLE]):
        result = run(root, *args)
        assert result.exit_code == 1
        assert f"earlier version of {track}" in result.output and "tmtool align" in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not (root / "k.srt").exists()
    assert run(root, "align", SAMPLE).exit_code == 0
    assert run(root, "export", "srt", SAMPLE, "--lang", "kk", "-o", "k.srt").exit_code == 0
    if track == "kk.srt":
        assert (root / "k.srt").read_text(encoding="utf-8").count("Сәлеметсіз бе.") == 1


def test_an_english_only_recording_builds_its_template_and_captions(tmp_path):
    folder = tmp_path / "transcripts" / "solo"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "transcripts" / SAMPLE / "en.txt", folder / "en.txt")
    manifest = (REPO / "transcripts" / SAMPLE / "recording.toml").read_text(encoding="utf-8")
    manifest = manifest.replace(f'id = "{SAMPLE}"', 'id = "solo"').replace(
        'languages = ["en", "kk", "ru"]', 'languages = ["en"]')
    (folder / "recording.toml").write_text(manifest, encoding="utf-8")
    result = run(tmp_path, "build", "solo")
    assert result.exit_code == 0, result.output
    assert len(read_po(catalog_paths(tmp_path, "solo")).messages) > 50
    assert (tmp_path / "build" / "solo" / "solo.en.srt").exists()


def test_a_language_with_no_track_gets_a_catalogue_the_memory_fills(tmp_path):
    # The manifest names kk and ru, the recording has only the English: translators still
    # get catalogues (from the English alone), and the memory of the sample pre-fills them.
    root = new_project(tmp_path)
    assert run(root, "build", SAMPLE).exit_code == 0
    folder = root / "transcripts" / "t3"
    folder.mkdir()
    shutil.copy(root / "transcripts" / SAMPLE / "en.txt", folder / "en.txt")
    manifest = (root / "transcripts" / SAMPLE / "recording.toml").read_text(encoding="utf-8")
    (folder / "recording.toml").write_text(manifest.replace(f'id = "{SAMPLE}"', 'id = "t3"'), encoding="utf-8")
    result = run(root, "build", "t3")
    assert result.exit_code == 0, result.output
    kk = read_po(catalog_paths(root, "t3", "kk"))
    assert len(kk.messages) > 50 and sum(bool(e.msgstr) for e in kk.messages) > 50
    assert all(e.fuzzy for e in kk.messages if e.msgstr)  # the sample's aligner output: unreviewed
    assert run(root, "align", "t3", "--lang", "ru").exit_code == 0
    # No timing at all: the two halves of a bilingual cue share one estimate per entry.
    r = run(root, "export", "srt", "t3", "--lang", "kk", "--lang", "en", "-o", "t3.srt")
    assert r.exit_code == 0 and "estimated" in r.output
    cues = list(srt.parse((root / "t3.srt").read_text(encoding="utf-8")))
    at = next(k for k, c in enumerate(cues) if "20,000 terrorists" in c.content)
    assert "20 000" in " ".join(c.content for c in cues[at - 1:at + 2])


def test_a_track_that_stops_early_is_aligned_fuzzy_with_a_warning(tmp_path):
    # Nothing tells the aligner where a half-transcribed track ends in the English: its beads
    # must not enter the catalogue as confirmed translations.
    root = new_project(tmp_path)
    kk = root / "transcripts" / SAMPLE / "kk.srt"
    cues = kk.read_text(encoding="utf-8").strip().split("\n\n")
    kk.write_text("\n\n".join(cues[:60]) + "\n", encoding="utf-8")  # about the first 4 minutes
    result = run(root, "align", SAMPLE)
    assert result.exit_code == 0, result.output
    assert "kk.srt ends at 00:03:" in result.output and "fuzzy" in result.output
    po_kk = read_po(catalog_paths(root, SAMPLE, "kk"))
    assert all(e.fuzzy for e in po_kk.messages if e.msgstr)
    ru = read_po(catalog_paths(root, SAMPLE, "ru"))
    assert sum(not e.fuzzy for e in ru.messages if e.msgstr) > 50  # the whole Russian track: as before


def test_a_track_gone_missing_leaves_its_catalogue_alone(tmp_path):
    root = new_project(tmp_path)
    assert run(root, "align", SAMPLE).exit_code == 0
    path = catalog_paths(root, SAMPLE, "kk")
    before = path.read_bytes()
    (root / "transcripts" / SAMPLE / "kk.srt").unlink()
    assert run(root, "align", SAMPLE).exit_code == 0
    assert path.read_bytes() == before


def test_build_does_not_refill_a_translation_a_person_emptied(tmp_path):
    root = new_project(tmp_path)
    assert run(root, "build", SAMPLE).exit_code == 0
    path = catalog_paths(root, SAMPLE, "kk")
    text = path.read_text(encoding="utf-8")
    c = read_po(path)
    target = next(e for e in c.messages if e.msgid == "Why do you think that is?" and e.msgstr)
    path.write_text(text.replace(f'msgstr "{target.msgstr}"', 'msgstr ""', 1), encoding="utf-8")
    assert run(root, "build", SAMPLE).exit_code == 0
    again = next(e for e in read_po(path).messages if e.key == target.key)
    assert again.msgstr == ""
