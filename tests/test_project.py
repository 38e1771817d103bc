"""Recording layout: manifests, track discovery, ids, `tmtool new` and `tmtool info`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

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
        [sys.executable, "-m", "tmtool", "align", str(SAMPLE), "--print", "--format", "tsv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away before tmtool has written everything
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "Broken pipe" not in err
