"""SubRip and WebVTT writers: validation, safe text, and round trips through our readers."""

from __future__ import annotations

import codecs
import html
import re
from datetime import timedelta

import pytest
import srt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtool.errors import InputError
from tmtool.formats._common import cue_speaker
from tmtool.formats.subrip import compose_srt, read_srt
from tmtool.formats.webvtt import compose_vtt, read_vtt
from tmtool.model import Cue
from tmtool.textio import decode

CUES = [
    Cue(1_200, 4_050, ("Veritas – Қазақстандағы адам", "құқықтары жөніндегі ұйым."), 1),
    Cue(4_300, 7_900, ("Мы подавали заявку восемь раз.",), 2),
]


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
    assert [s.content for s in subs] == [
        "a -> b\nc -> d",
        "Ответ:\n12 00:00:05,000 -> 00:00:06,000 not a cue",
        "line\nbreak\ninside nul",
    ]
    segs = read_srt(out, "w.srt")
    assert [s.text for s in segs] == ["a -> b c -> d", "12 00:00:05,000 -> 00:00:06,000 not a cue", "line break inside nul"]
    assert segs[1].speaker == "Ответ"


def test_srt_digits_line_before_timestamp_would_split_the_cue():
    # Without the writer's merge, srt itself reads this back as two cues or fails.
    naive = "1\n00:00:00,000 --> 00:00:01,000\nhello\n2\n00:00:03,000 and more\n\n"
    with pytest.raises(srt.SRTParseError):
        list(srt.parse(naive))
    out = compose_srt([Cue(0, 1000, ("hello", "2", "00:00:03,000 and more"))])
    assert [s.text for s in read_srt(out, "w.srt")] == ["hello 2 00:00:03,000 and more"]


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


# ------------------------------------------------------------------ round trips (Hypothesis)

_LINE_PIECES = st.sampled_from([
    "-->", " --> ", "- >", "--->", "00:00:01,000", "00:01.000", "12", "7\n", "\n", "\r\n", "\r", "\n\n",
    "Alma: ", "Q: ", "- ", "– ", "Тоқаев", "Ұлы", "ОДКБ", "?", ":", "&", "&amp;", "&lt;", ">", "\x00",
    "\t", " ", "\xa0", "\u2028", "WEBVTT", "NOTE", "1", "0",
])
_LINE = st.lists(st.one_of(_LINE_PIECES, st.text(max_size=4)), max_size=8).map("".join)


def _lines_as_written(lines: tuple[str, ...], srt_arrows: bool) -> list[str]:
    """The documented text changes: line breaks split, control characters become
    spaces, blank lines go; SubRip arrows become ``->``."""
    out = []
    for raw in lines:
        for part in re.split(r"\r\n|[\r\n\x85\u2028\u2029]", raw):
            part = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", part).strip()
            if part:
                while srt_arrows and re.search(r"-[ -] *>", part):
                    part = re.sub(r"-[ -] *>", "->", part)
                out.append(part)
    return out


@st.composite
def cue_lists(draw, allow_markup: bool):
    """Non-overlapping cues in order, hours above 99 included, text with every trap."""
    n = draw(st.integers(1, 6))
    t, cues = draw(st.integers(0, 400 * 3_600_000)), []
    for i in range(n):
        t += draw(st.integers(0, 5_000))
        d = draw(st.integers(1, 8_000))
        lines = draw(st.lists(_LINE, min_size=1, max_size=4))
        if not allow_markup:  # SubRip formatting (<i>, {\an8}) is dropped on reading
            lines = [ln.replace("<", "‹").replace("{", "(") for ln in lines]
        if not _lines_as_written(tuple(lines), srt_arrows=False):
            lines.append(f"x{i}")
        cues.append(Cue(t, t + d, tuple(lines), i + 1))
        t += d
    return cues


def _check_round_trip(cues, segs, srt_arrows):
    assert [(s.start_ms, s.end_ms, s.cue) for s in segs] == [(c.start_ms, c.end_ms, i) for i, c in enumerate(cues, 1)]
    carried = None
    for cue, seg in zip(cues, segs):
        speaker, text = cue_speaker(_lines_as_written(cue.lines, srt_arrows), carried)
        assert (seg.speaker, seg.text) == (speaker, text)
        assert seg.text == " ".join(seg.text.split()) and seg.text
        carried = speaker


def _as_file(text: str, bom: bool, crlf: bool, utf16: bool) -> bytes:
    if crlf:
        text = text.replace("\n", "\r\n")
    if utf16:
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cue_lists(allow_markup=False), st.booleans(), st.booleans(), st.booleans())
def test_srt_round_trip(cues, bom, crlf, utf16):
    out = compose_srt(cues)
    data = _as_file(out, bom, crlf, utf16)
    _check_round_trip(cues, read_srt(decode(data, "rt.srt"), "rt.srt"), srt_arrows=True)
    # and the srt package (what players use) reads the same cues back
    assert [(s.start, s.end) for s in srt.parse(out)] == [
        (timedelta(milliseconds=c.start_ms), timedelta(milliseconds=c.end_ms)) for c in cues
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cue_lists(allow_markup=True), st.booleans(), st.booleans(), st.booleans())
def test_vtt_round_trip(cues, bom, crlf, utf16):
    data = _as_file(compose_vtt(cues, header="round trip"), bom, crlf, utf16)
    _check_round_trip(cues, read_vtt(decode(data, "rt.vtt"), "rt.vtt"), srt_arrows=False)
