"""Hostile transcript tracks and manifests, read from disk by every command that reads them.

Each broken file must give exit 1, one ``Error:`` line naming the file and the line, no
traceback, and leave every file of the project as it was. Files that look hostile but are
valid (CR-only line ends, ``-->`` inside text, hours above 99, a legacy code page that the
user names) must read exactly like their plain UTF-8 counterparts.
"""

from __future__ import annotations

import codecs
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import (
    RID, TRACKS, assert_clean_error, assert_unchanged, invoke, snapshot,
)
from tmtool import project as proj
from tmtool.errors import InputError, TmtoolError

# Every command that reads a recording's tracks and manifest.
READING_COMMANDS = (
    ("info", RID),
    ("align", RID),
    ("align", RID, "--print"),
    ("export", "srt", RID, "--lang", "kk", "-o", "out.srt"),
    ("export", "text", RID, "--lang", "kk", "--lang", "en", "-o", "out.html", "--format", "html"),
    ("check", "captions", RID),
    ("build", RID),
)


def every_command_fails_cleanly(root, *fragments: str) -> None:
    before = snapshot(root)
    for command in READING_COMMANDS:
        assert_clean_error(invoke(*command), *fragments)
    assert_unchanged(root, before)


def sample(name: str) -> str:
    from tests.hostile.conftest import REPO

    return (REPO / TRACKS / name).read_text(encoding="utf-8")


def info_json(*extra: str) -> dict:
    r = invoke("info", RID, "--format", "json", *extra)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def segments(root, *, encoding: str | None = None):
    rec = proj.load_recording(RID, root, encoding=encoding)
    return {t.language: t.segments for t in rec.tracks}


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# ---------------------------------------------------------------- broken tracks

KK = sample("kk.srt")
EN = sample("en.txt")
CUE3 = "00:00:11,782 --> 00:00:13,800"
KK_BYTES = KK.encode("utf-8")


def _cut_in_a_character(text: str, needle: str) -> bytes:
    data = text.encode("utf-8")
    at = data.index(needle.encode("utf-8")) + 1  # inside the first (two-byte) character
    return data[:at]


BROKEN_TRACKS = {
    # name: (file, bytes, fragments of the error line)
    "srt-empty": ("kk.srt", b"", ("kk.srt:1:", "no cues")),
    "srt-blank": ("kk.srt", b"\n \n\t\n", ("kk.srt:", "no cues")),
    "srt-binary": ("kk.srt", bytes(range(256)) * 4, ("kk.srt:1:", "binary")),
    "srt-nul-in-line-7": ("kk.srt", KK_BYTES.replace("Veritas ұйымы".encode(), "Veritas\x00ұйымы".encode(), 1),
                          ("kk.srt:7:", "NUL")),
    "srt-utf16-no-bom": ("kk.srt", KK.encode("utf-16-le"), ("kk.srt:1:", "UTF-16")),
    "srt-truncated-in-timing": ("kk.srt", KK_BYTES[: KK_BYTES.index(CUE3.encode()) + len(CUE3) - 4],
                                (f"kk.srt:{line_of(KK, CUE3)}:", "cue 3")),
    "srt-truncated-in-a-character": ("kk.srt", _cut_in_a_character(KK, "Алғашқы"),
                                     (f"kk.srt:{line_of(KK, 'Алғашқы')}:", "UTF-8")),
    "srt-backwards": ("kk.srt", b"1\n00:00:05,000 --> 00:00:02,000\nhello\n", ("kk.srt:2:", "backwards")),
    "srt-overlapping": ("kk.srt", b"1\n00:00:01,000 --> 00:00:05,000\na\n\n2\n00:00:03,000 --> 00:00:06,000\nb\n",
                        ("kk.srt:6:", "overlap")),
    "srt-out-of-order": ("kk.srt", b"1\n00:00:05,000 --> 00:00:06,000\na\n\n2\n00:00:01,000 --> 00:00:02,000\nb\n",
                         ("kk.srt:6:", "time order")),
    "srt-minutes-60": ("kk.srt", b"1\n00:60:01,000 --> 00:60:02,000\na\n", ("kk.srt:2:", "above 59")),
    "srt-hours-beyond-any-clock": ("kk.srt", b"1\n" + b"9" * 5000 + b":00:01,000 --> 00:00:02,000\na\n",
                                   ("kk.srt:2:", "out of range")),
    "srt-number-without-timing": ("kk.srt", b"1\nhello\n", ("kk.srt:2:", "no timing line")),
    "srt-garbage": ("kk.srt", b"<html><body>not subtitles</body></html>\n", ("kk.srt:1:",)),
    "srt-cue-without-text": ("kk.srt", b"1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nb\n",
                             ("kk.srt:2:", "no text")),
    "srt-timing-inside-text": ("kk.srt", b"1\n00:00:01,000 --> 00:00:02,000\na\n00:00:03,000 --> 00:00:04,000\nb\n",
                               ("kk.srt:4:", "timing line")),
    "vtt-no-header": ("kk.vtt", b"00:00:01.000 --> 00:00:02.000\nhello\n", ("kk.vtt:1:", "WEBVTT")),
    "vtt-lowercase-header": ("kk.vtt", b"webvtt\n\n00:00:01.000 --> 00:00:02.000\nhello\n", ("kk.vtt:1:", "WEBVTT")),
    "vtt-header-run-on": ("kk.vtt", b"WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nhello\n", ("kk.vtt:1:", "WEBVTT")),
    "vtt-arrow-in-header": ("kk.vtt", b"WEBVTT\nKind: captions\nbogus --> header\n\n00:00:01.000 --> 00:00:02.000\nx\n",
                            ("kk.vtt:3:",)),
    "vtt-only-header": ("kk.vtt", b"WEBVTT\nKind: captions\n", ("kk.vtt:", "no cues")),
    "vtt-no-milliseconds": ("kk.vtt", b"WEBVTT\n\n00:00:01 --> 00:00:02.000\nhello\n", ("kk.vtt:3:", "start time")),
    "vtt-seconds-61": ("kk.vtt", b"WEBVTT\n\n00:61.000 --> 00:62.000\nhello\n", ("kk.vtt:3:", "above 59")),
    "vtt-text-without-timing": ("kk.vtt", b"WEBVTT\n\nhello\nworld\n", ("kk.vtt:",)),
    "txt-empty": ("en.txt", b"", ("en.txt:1:", "no text")),
    "txt-binary": ("en.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("en.txt:", "binary")),
    "txt-cp1251-unnamed": ("en.txt", "Сұхбат\n\nПривет, мир.\n".encode("cp1251", "replace"), ("en.txt:1:", "UTF-8")),
    "txt-koi8r-unnamed": ("en.txt", "\n\nПривет, мир.\n".encode("koi8-r"), ("en.txt:3:", "--encoding")),
    "txt-stamps-backwards": ("en.txt", b"[00:02:00] Later.\n\n[00:01:00] Earlier.\n", ("en.txt:3:", "time order")),
    "txt-stamp-minutes-99": ("en.txt", b"[00:99:00] Hello.\n", ("en.txt:1:", "above 59")),
}


@pytest.mark.parametrize("name", sorted(BROKEN_TRACKS))
def test_broken_track_is_one_located_error_and_nothing_changes(project, name):
    filename, data, fragments = BROKEN_TRACKS[name]
    folder = project / TRACKS
    if filename.endswith(".vtt"):
        (folder / "kk.srt").unlink()
    (folder / filename).write_bytes(data)
    every_command_fails_cleanly(project, *fragments)


# ---------------------------------------------------------------- hostile but valid tracks


def test_cr_only_and_crlf_line_ends_read_like_lf(project):
    want = segments(project)
    folder = project / TRACKS
    for name in ("en.txt", "kk.srt", "ru.srt"):
        (folder / name).write_bytes(sample(name).replace("\n", "\r").encode("utf-8"))
    assert segments(project) == want
    for name in ("en.txt", "kk.srt", "ru.srt"):
        (folder / name).write_bytes(sample(name).replace("\n", "\r\n").encode("utf-8"))
    assert segments(project) == want


def test_utf16_and_bom_tracks_read_like_utf8(project):
    want = segments(project)
    folder = project / TRACKS
    (folder / "en.txt").write_bytes(codecs.BOM_UTF8 + EN.encode("utf-8"))
    (folder / "kk.srt").write_bytes(codecs.BOM_UTF16_LE + KK.encode("utf-16-le"))
    (folder / "ru.srt").write_bytes(codecs.BOM_UTF16_BE + sample("ru.srt").encode("utf-16-be"))
    assert segments(project) == want


def test_cp1251_russian_is_refused_then_read_exactly_when_named(project):
    want = info_json()
    ru = project / TRACKS / "ru.srt"
    ru.write_bytes(sample("ru.srt").encode("cp1251"))  # every character of the sample fits
    before = snapshot(project)
    assert_clean_error(invoke("info", RID), "ru.srt:3:", "--encoding")
    assert_unchanged(project, before)
    assert info_json("--encoding", "cp1251") == want
    manifest = project / TRACKS / "recording.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + '\n[encoding]\nru = "cp1251"\n', encoding="utf-8")
    assert info_json() == want


def test_koi8r_with_its_encoding_named_reads_like_utf8(project):
    text = sample("ru.srt").translate(str.maketrans({"«": '"', "»": '"', "—": "-"}))  # KOI8-R lacks these
    ru = project / TRACKS / "ru.srt"
    ru.write_text(text, encoding="utf-8")
    want = segments(project)["ru"]
    ru.write_bytes(text.encode("koi8-r"))
    assert_clean_error(invoke("info", RID), "ru.srt:3:")
    assert segments(project, encoding="koi8-r")["ru"] == want


def test_utf16_without_bom_reads_when_named(project):
    want = segments(project)["en"]
    (project / TRACKS / "en.txt").write_bytes(EN.encode("utf-16-le"))
    assert_clean_error(invoke("info", RID), "en.txt:1:", "UTF-16")
    assert segments(project, encoding="utf-16-le")["en"] == want


def test_arrow_inside_cue_text_is_text(project):
    (project / TRACKS / "kk.srt").write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nБаға 5-тен --> 7-ге өсті.\n\n2\n00:00:03,000 --> 00:00:04,000\nИә.\n",
        encoding="utf-8")
    kk = segments(project)["kk"]
    assert [s.text for s in kk] == ["Баға 5-тен --> 7-ге өсті.", "Иә."]


def test_srt_without_cue_numbers_reads_like_with_them(project):
    want = segments(project)["kk"]
    no_numbers = re.sub(r"(?m)^\d+\n(?=\d\d:)", "", KK)
    assert no_numbers != KK
    (project / TRACKS / "kk.srt").write_text(no_numbers, encoding="utf-8")
    got = segments(project)["kk"]
    assert [(s.text, s.start_ms, s.end_ms, s.speaker) for s in got] == \
        [(s.text, s.start_ms, s.end_ms, s.speaker) for s in want]


def test_hours_above_99_are_read(project):
    (project / TRACKS / "kk.srt").write_text(
        "1\n99:59:59,000 --> 100:00:01,500\nҰзақ жазба.\n\n2\n123:00:00,000 --> 123:00:02,000\nИә.\n", encoding="utf-8")
    kk = segments(project)["kk"]
    assert [(s.start_ms, s.end_ms) for s in kk] == [(359_999_000, 360_001_500), (442_800_000, 442_802_000)]


def test_vtt_with_bom_header_text_and_note_blocks_reads(project):
    (project / TRACKS / "kk.srt").unlink()
    (project / TRACKS / "kk.vtt").write_bytes(
        codecs.BOM_UTF8 + "WEBVTT - Сұхбат\nKind: captions\nLanguage: kk\n\nNOTE a note\n\nSTYLE\n::cue {}\n\n"
        "00:01.000 --> 00:02.000 align:start\n<v Алма>Иә.\n".encode("utf-8"))
    kk = segments(project)["kk"]
    assert [(s.text, s.start_ms, s.end_ms) for s in kk] == [("Иә.", 1000, 2000)]


def test_vtt_voice_names_go_through_the_manifest_aliases_like_srt_labels(project):
    (project / TRACKS / "kk.srt").unlink()
    (project / TRACKS / "kk.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Алма>Иә.\n", encoding="utf-8")
    assert [s.speaker for s in segments(project)["kk"]] == ["Alma Nurusheva"]


# ---------------------------------------------------------------- broken manifests


def _manifest_with(project, replace: dict[str, str] | None = None, append: str = "", raw: bytes | None = None):
    path = project / TRACKS / "recording.toml"
    if raw is not None:
        path.write_bytes(raw)
        return
    text = path.read_text(encoding="utf-8")
    for key, value in (replace or {}).items():
        text = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", text)
    path.write_text(text + append, encoding="utf-8")


BROKEN_MANIFESTS = {
    "binary": (dict(raw=b"\x00\x01\x02id"), ("recording.toml:1:", "binary")),
    "cp1251": (dict(raw='title = "Сұхбат"\n'.encode("cp1251", "replace")), ("recording.toml:1:", "UTF-8")),
    "bad-toml": (dict(append="\nid = \n"), ("recording.toml:", "invalid TOML")),
    "nested-too-deep": (dict(raw=b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n"), ("recording.toml", "nested")),
    "id-mismatch": (dict(replace={"id": '"other"'}), ("recording.toml", "folder name")),
    "duration-inf": (dict(replace={"duration": "inf"}), ("recording.toml", "duration")),
    "duration-nan": (dict(replace={"duration": "nan"}), ("recording.toml", "duration")),
    "duration-huge": (dict(replace={"duration": "1e300"}), ("recording.toml", "duration")),
    "duration-hours-huge": (dict(replace={"duration": '"99999999999999999999:00:00"'}), ("recording.toml", "duration")),
    "duration-minutes-99": (dict(replace={"duration": '"00:99:00"'}), ("recording.toml", "duration")),
    "languages-not-a-list": (dict(replace={"languages": '"en"'}), ("recording.toml", "languages")),
    "language-twice": (dict(replace={"languages": '["en", "kk", "kk"]'}), ("recording.toml", "twice")),
    "language-invalid": (dict(replace={"languages": '["en", "../../etc"]'}), ("recording.toml", "language code")),
    "media-with-a-path": (dict(replace={"media": '"../../../etc/passwd"'}), ("recording.toml", "media")),
    "speaker-without-name": (dict(append='\n[[speakers]]\nrole = "answer"\n'), ("recording.toml", "name")),
    "unknown-encoding": (dict(append='\n[encoding]\nru = "no-such-codec"\n'), ("ru.srt", "unknown encoding")),
    "encoding-not-text": (dict(append='\n[encoding]\nru = "rot13"\n'), ("ru.srt", "not a text encoding")),
    "encoding-bytes-codec": (dict(append='\n[encoding]\nru = "hex"\n'), ("ru.srt", "not a text encoding")),
}


@pytest.mark.parametrize("name", sorted(BROKEN_MANIFESTS))
def test_broken_manifest_is_one_located_error_and_nothing_changes(project, name):
    how, fragments = BROKEN_MANIFESTS[name]
    _manifest_with(project, **how)
    every_command_fails_cleanly(project, *fragments)


@pytest.mark.parametrize("value", ["rot13", "hex", "base64", "zlib", "no-such-codec"])
def test_encoding_option_that_is_no_text_encoding_is_one_line(project, value):
    (project / TRACKS / "ru.srt").write_bytes(sample("ru.srt").encode("cp1251"))  # so that the fallback is used
    before = snapshot(project)
    assert_clean_error(invoke("info", RID, "--encoding", value), "ru.srt", "encoding")
    assert_unchanged(project, before)


# ---------------------------------------------------------------- generated input (Hypothesis)

_TOML_PIECES = st.sampled_from([
    'id = "the-platform-kazakhstan"\n', 'id = "x"\n', "languages = [", '"en"', '"kk"', '"ru"', '"x"', "]", ", ",
    "\n", "[[speakers]]\n", 'name = "A"\n', 'role = "question"\n', 'role = "boss"\n', "aliases = [1]\n",
    "duration = ", '"00:12:30"', "1e309", "-1", "nan", "inf", '"99:99"', "12", "true", "[encoding]\n",
    'ru = "cp1251"\n', 'ru = "rot13"\n', "[captions]\n", "max_cps = 0\n", "[captions.kk]\n", "[metadata]\n",
    'a = "b"\n', "media = ", '"a/b"', '"x.mp4"', "title = ", '"""', "'", "{", "}", "=", "#", "\ufeff", "\x00",
    "[" * 50, "]" * 50,
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TOML_PIECES, st.text(max_size=4)), max_size=30).map("".join))
def test_any_manifest_text_gives_a_manifest_or_one_located_error(text):
    try:
        m = proj.parse_manifest(text, "recording.toml", "the-platform-kazakhstan")
    except InputError as exc:
        assert exc.path == "recording.toml" and "\n" not in str(exc)
    else:
        assert m.id == "the-platform-kazakhstan"
        assert m.duration_ms is None or 0 <= m.duration_ms <= proj.MAX_DURATION_HOURS * 3_600_000


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["en.txt", "kk.srt", "ru.srt"]), data=st.binary(max_size=300))
def test_any_bytes_as_a_track_give_exit_0_or_one_line_and_no_writes(project, name, data):
    track = project / TRACKS / name
    original = track.read_bytes()
    track.write_bytes(data)
    try:
        before = snapshot(project)
        r = invoke("info", RID)
        if r.exit_code != 0:
            assert_clean_error(r, name)
        assert_unchanged(project, before)
    finally:
        track.write_bytes(original)


def test_reading_errors_are_tmtool_errors_not_others(project):
    """The readers' contract the CLI relies on: only TmtoolError escapes (checked on one case per family)."""
    (project / TRACKS / "kk.srt").write_bytes(b"1\n00:00:02,000 --> 00:00:01,000\nx\n")
    with pytest.raises(TmtoolError):
        proj.load_recording(RID, project)
