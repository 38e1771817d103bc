"""SubRip and WebVTT writers: validation, safe text, and round trips through our readers."""

from __future__ import annotations

import codecs
import doctest
import html
import os
import re
import shutil
import subprocess
from datetime import timedelta

import pysubs2
import pysubs2.time
import pytest
import srt
import webvtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pysubs2.formats.webvtt import WebVTTFormat

from tmtool.errors import InputError
from tmtool.formats._common import WORD_JOINER as WJ
from tmtool.formats._common import cue_speaker
from tmtool.formats.subrip import compose_srt, read_srt
from tmtool.formats.webvtt import compose_vtt, read_vtt
from tmtool.model import Cue
from tmtool.textio import decode

CUES = [
    Cue(1_200, 4_050, ("Veritas – Қазақстандағы адам", "құқықтары жөніндегі ұйым."), 1),
    Cue(4_300, 7_900, ("Мы подавали заявку восемь раз.",), 2),
]


def test_doctests():
    from tmtool.formats import _common

    assert doctest.testmod(_common).failed == 0


def test_compose_srt_golden():
    assert compose_srt(CUES) == (
        "1\n00:00:01,200 --> 00:00:04,050\nVeritas – Қазақстандағы адам\nқұқықтары жөніндегі ұйым.\n\n"
        "2\n00:00:04,300 --> 00:00:07,900\nМы подавали заявку восемь раз.\n\n"
    )


def test_compose_vtt_golden():
    assert compose_vtt(CUES, header="kk") == (
        "WEBVTT kk\n\n00:00:01.200 --> 00:00:04.050\nVeritas – Қазақстандағы адам\nқұқықтары жөніндегі ұйым.\n\n"
        "00:00:04.300 --> 00:00:07.900\nМы подавали заявку восемь раз.\n"
    )


@pytest.mark.parametrize("compose", [compose_srt, compose_vtt])
@pytest.mark.parametrize(
    "cues, words",
    [
        ([Cue(0, 1000, ("",), 4)], "cue 4 has no text"),
        ([Cue(0, 1000, (" ", "\n\n", "\t"))], "cue 1 has no text"),
        ([Cue(0, 1000, ())], "cue 1 has no text"),
        ([Cue(1000, 1000, ("x",))], "cue 1 runs backwards or has no duration"),
        ([Cue(0, 1000, ("x",)), Cue(3000, 2000, ("y",))], "cue 2 runs backwards"),
        ([Cue(-5, 1000, ("x",))], "starts before 0"),
        ([Cue(0, 2000, ("x",)), Cue(1500, 3000, ("y",))], "before cue 1 ends"),
        ([Cue(5000, 6000, ("x",), 7), Cue(1000, 2000, ("y",), 8)], "cue 8 starts at"),
        ([], "no cues to write"),
    ],
)
def test_writers_refuse_what_srt_compose_would_drop_or_reorder(compose, cues, words):
    with pytest.raises(InputError) as exc:
        compose(cues)
    assert words in str(exc.value) and "\n" not in str(exc.value)


def test_srt_compose_really_drops_them():
    # Why the writers validate: the library silently loses these cues.
    td = timedelta
    subs = [srt.Subtitle(1, td(0), td(seconds=1), ""), srt.Subtitle(2, td(seconds=2), td(seconds=2), "x")]
    assert srt.compose(subs) == ""


def test_srt_text_made_safe():
    out = compose_srt([
        Cue(0, 1000, ("a --> b", "", "c - > d"), 1),
        Cue(1000, 2000, ("Ответ:", "12", "00:00:05,000 --> 00:00:06,000 not a cue"), 2),
        Cue(2000, 3000, ("line\r\nbreak\rinside\x00nul",), 3),
    ])
    subs = list(srt.parse(out))
    # The timestamps get an (invisible) word joiner after their colons, so the
    # line no longer starts like a time and the cue number over it stays a line.
    times = f"00:{WJ}00:{WJ}05,000 -> 00:{WJ}00:{WJ}06,000 not a cue"
    assert [s.content for s in subs] == [
        "a -> b\nc -> d",
        f"Ответ:\n12\n{times}",
        "line\nbreak\ninside nul",
    ]
    segs = read_srt(out, "w.srt")
    assert [s.text for s in segs] == ["a -> b c -> d", f"12 {times}", "line break inside nul"]
    assert segs[1].speaker == "Ответ"


def test_srt_digits_line_before_timestamp_would_split_the_cue():
    # Without the writer's merge, srt itself reads this back as two cues or fails.
    naive = "1\n00:00:00,000 --> 00:00:01,000\nhello\n2\n00:00:03,000 and more\n\n"
    with pytest.raises(srt.SRTParseError):
        list(srt.parse(naive))
    out = compose_srt([Cue(0, 1000, ("hello", "2", "00:00:03,000 and more"))])
    assert [s.text for s in read_srt(out, "w.srt")] == [f"hello 2 00:{WJ}00:{WJ}03,000 and more"]
    # a time srt takes for one but pysubs2 does not (no milliseconds) is not
    # touched: the number joins the line below it
    naive = "1\n00:00:00,000 --> 00:00:01,000\nhello\n2\n00:00:03 and more\n\n"
    with pytest.raises(srt.SRTParseError):
        list(srt.parse(naive))
    out = compose_srt([Cue(0, 1000, ("hello", "2", "00:00:03 and more"))])
    assert [s.content for s in srt.parse(out)] == ["hello\n2 00:00:03 and more"]
    assert [s.text for s in read_srt(out, "w.srt")] == ["hello 2 00:00:03 and more"]


def test_vtt_text_escaped():
    out = compose_vtt([Cue(0, 1000, ("<v Alma>not a voice</v> & <i>", "a --> b", "", "&amp;"))])
    assert "-->" not in out.split("\n", 3)[3]
    [seg] = read_vtt(out, "w.vtt")
    assert seg.text == "<v Alma>not a voice</v> & <i> a --> b &amp;" and seg.speaker is None


def test_vtt_output_parses_with_webvtt_py(tmp_path):
    webvtt = pytest.importorskip("webvtt")
    p = tmp_path / "w.vtt"
    p.write_text(compose_vtt(CUES + [Cue(8000, 9000, ("a --> b & <c>",))], header="kk"), encoding="utf-8")
    caps = webvtt.read(str(p))
    assert [c.start for c in caps] == ["00:00:01.200", "00:00:04.300", "00:00:08.000"]
    assert html.unescape(caps[2].text) == "a --> b & <c>"  # webvtt-py leaves entities as written


# ------------------------------------------------------------------ what readers take for structure


def test_srt_markup_is_text_not_formatting():
    # SubRip has no escapes: a word joiner after "<" and "{" keeps every reader
    # from seeing a tag or an override block; our reader used to drop them and
    # then refuse the cue as empty.
    out = compose_srt([Cue(0, 1000, ("<b>", "{\\an8}"), 1), Cue(1000, 2000, ("</i>x< b >{y:i}",), 2)])
    assert out.split("\n")[2:4] == [f"<{WJ}b>", f"{{{WJ}\\an8}}"]
    assert [s.text for s in read_srt(out, "w.srt")] == [
        f"<{WJ}b> {{{WJ}\\an8}}", f"<{WJ}/i>x<{WJ} b >{{{WJ}y:i}}",
    ]
    subs = pysubs2.SSAFile.from_string(out, format_="srt")
    assert [e.text.replace(WJ, "") for e in subs] == ["<b>\\N{\\an8}", "</i>x< b >{y:i}"]


@pytest.mark.parametrize("compose, fmt", [(compose_srt, "srt"), (compose_vtt, "vtt")])
def test_two_timestamps_on_a_text_line_are_not_a_timing_line(compose, fmt):
    lines = ("00:00:01,000 --> 00:00:02,000", "00:00:01.000 00:00:02.000", "01:02.003 04:05.006", "at 12:30")
    naive = "\n".join(lines)
    # Why: pysubs2 takes any line holding two of its timestamps for a new cue.
    assert len(pysubs2.SSAFile.from_string(f"1\n00:00:00,000 --> 00:00:09,000\n{naive}\n", format_="srt")) == 3
    out = compose([Cue(0, 9000, lines, 1)])
    assert len(pysubs2.SSAFile.from_string(out, format_=fmt)) == 1
    assert f"00:{WJ}00:{WJ}01" in out and "at 12:30" in out  # a lone clock time is left alone
    read = read_srt if fmt == "srt" else read_vtt
    [seg] = read(out, "w." + fmt)
    assert seg.text.replace(WJ, "").replace("->", "-->" if fmt == "srt" else "->") == " ".join(lines)


def test_vtt_notes_after_the_header():
    notes = ["Timing is estimated.", "a --> b\n\nsecond 00:00:01.000 00:00:02.000", "", "\n"]
    out = compose_vtt(CUES, header="kk", notes=notes)
    assert out.startswith(
        "WEBVTT kk\n\nNOTE Timing is estimated.\n\n"
        f"NOTE a -> b\nsecond 00:{WJ}00:{WJ}01.000 00:{WJ}00:{WJ}02.000\n\n00:00:01.200 --> "
    )
    assert [s.text for s in read_vtt(out, "n.vtt")] == [s.text for s in read_vtt(compose_vtt(CUES), "n.vtt")]
    v = webvtt.from_string(out)
    assert len(v.captions) == 2 and len(v.header_comments) == 2
    assert len(pysubs2.SSAFile.from_string(out, format_="vtt")) == 2
    assert compose_vtt(CUES, notes=()) == compose_vtt(CUES)


def _ffmpeg_or_skip() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ffmpeg is not installed (.ci/run installs it)")
        pytest.skip("ffmpeg is not installed")
    return exe


@pytest.mark.parametrize("compose, fmt", [(compose_srt, "srt"), (compose_vtt, "vtt")])
def test_ffmpeg_reads_every_cue_of_hostile_text(tmp_path, compose, fmt):
    exe = _ffmpeg_or_skip()
    hostile = ["a --> b", "12", "00:00:01,000 --> 00:00:02,000", "<b>bold?</b> {\\an8}", "", "NOTE", "WEBVTT",
               "00:01.000 00:02.000", "- >", "3", "&amp; <i>"]
    cues = [Cue(i * 2000, i * 2000 + 1500, (line, hostile[(i + 1) % len(hostile)]), i + 1)
            for i, line in enumerate(hostile)]
    src = tmp_path / f"in.{fmt}"
    src.write_text(compose(cues), encoding="utf-8")
    dst = tmp_path / "out.ass"
    subprocess.run([exe, "-nostdin", "-loglevel", "error", "-y", "-i", str(src), str(dst)], check=True)
    assert dst.read_text(encoding="utf-8").count("\nDialogue:") == len(cues)


# ------------------------------------------------------------------ round trips (Hypothesis)

_LINE_PIECES = st.sampled_from([
    "-->", " --> ", "- >", "--->", "00:00:01,000", "00:01.000", "12", "7\n", "\n", "\r\n", "\r", "\n\n",
    "Alma: ", "Q: ", "- ", "– ", "Тоқаев", "Ұлы", "ОДКБ", "?", ":", "&", "&amp;", "&lt;", ">", "\x00",
    "\t", " ", "\xa0", "\u2028", "WEBVTT", "NOTE", "1", "0",
    "<b>", "</i>", "< b >", "<font color=red>", "{\\an8}", "{y:i}", "{", "<", WJ, "12:30", "1:2:3.4",
    "00:00:01,000 --> 00:00:02,000", "00:00:01.000 00:00:02.000", "01:02.003 ", "１２:３４.５６７",
])
_LINE = st.lists(st.one_of(_LINE_PIECES, st.text(max_size=4)), max_size=8).map("".join)


def _lines_as_written(lines: tuple[str, ...], fmt: str) -> list[str]:
    """The documented text changes: line breaks split, control characters become
    spaces, blank lines go; in a line holding a timestamp pysubs2 would see, a
    word joiner after every colon between digits; in SubRip, arrows become
    ``->`` and a word joiner follows every ``<`` and ``{``."""
    out = []
    for raw in lines:
        for part in re.split(r"\r\n|[\r\n\x85\u2028\u2029]", raw):
            part = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", part).strip()
            if part:
                if pysubs2.time.TIMESTAMP.search(part) or WebVTTFormat.TIMESTAMP.search(part):
                    part = re.sub(r"(?<=\d):(?=\d)", ":" + WJ, part)
                if fmt == "srt":
                    while re.search(r"-[ -] *>", part):
                        part = re.sub(r"-[ -] *>", "->", part)
                    part = re.sub(r"[<{]", lambda m: m.group() + WJ, part)
                out.append(part)
    return out


def _no_arrows(line: str) -> str:
    while "-->" in line:
        line = line.replace("-->", "->")
    return line


@st.composite
def cue_lists(draw):
    """Non-overlapping cues in order, hours above 99 included, text with every trap."""
    n = draw(st.integers(1, 6))
    t, cues = draw(st.integers(0, 400 * 3_600_000)), []
    for i in range(n):
        t += draw(st.integers(0, 5_000))
        d = draw(st.integers(1, 8_000))
        lines = draw(st.lists(_LINE, min_size=1, max_size=4))
        if not _lines_as_written(tuple(lines), "vtt"):
            lines.append(f"x{i}")
        cues.append(Cue(t, t + d, tuple(lines), i + 1))
        t += d
    return cues


def _check_round_trip(cues, segs, fmt):
    assert [(s.start_ms, s.end_ms, s.cue) for s in segs] == [(c.start_ms, c.end_ms, i) for i, c in enumerate(cues, 1)]
    carried = None
    for cue, seg in zip(cues, segs):
        speaker, text = cue_speaker(_lines_as_written(cue.lines, fmt), carried)
        assert (seg.speaker, seg.text) == (speaker, text)
        assert seg.text == " ".join(seg.text.split()) and seg.text
        carried = speaker


def _as_file(text: str, bom: bool, crlf: bool, utf16: bool) -> bytes:
    if crlf:
        text = text.replace("\n", "\r\n")
    if utf16:
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


def _spans(cues) -> list[tuple[int, int]]:
    return [(c.start_ms, c.end_ms) for c in cues]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cue_lists(), st.booleans(), st.booleans(), st.booleans())
def test_srt_round_trip(cues, bom, crlf, utf16):
    out = compose_srt(cues)
    data = _as_file(out, bom, crlf, utf16)
    _check_round_trip(cues, read_srt(decode(data, "rt.srt"), "rt.srt"), "srt")
    # and the srt package (what players use) and pysubs2 read the same cues back
    assert [(s.start, s.end) for s in srt.parse(out)] == [
        (timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms)) for c in cues
    ]
    events = pysubs2.SSAFile.from_string(out, format_="srt")
    assert len(events) == len(cues)
    if cues[-1].end_ms < 100 * 3_600_000:  # pysubs2 reads two hour digits
        assert [(e.start, e.end) for e in events] == _spans(cues)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cue_lists(), st.lists(_LINE, max_size=3), _LINE, st.booleans(), st.booleans(), st.booleans())
def test_vtt_round_trip(cues, notes, header, bom, crlf, utf16):
    out = compose_vtt(cues, header=header, notes=notes)
    data = _as_file(out, bom, crlf, utf16)
    _check_round_trip(cues, read_vtt(decode(data, "rt.vtt"), "rt.vtt"), "vtt")
    # webvtt-py and pysubs2 read the same cues back; the notes stay comments
    v = webvtt.from_string(out)
    assert [(c.start_in_seconds, c.end_in_seconds) for c in v.captions] == [
        (c.start_ms // 1000, c.end_ms // 1000) for c in cues
    ]
    written = [[_no_arrows(line) for line in _lines_as_written((n,), "vtt")] for n in notes]
    assert v.header_comments == ["\n".join(w) for w in written if w]
    assert [(e.start, e.end) for e in pysubs2.SSAFile.from_string(out, format_="vtt")] == _spans(cues)
