"""Track readers: plain text, SubRip and WebVTT, their encodings and their bad input."""

from __future__ import annotations

import codecs
import re
from datetime import timedelta

import pytest
import srt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtool.errors import InputError, TmtoolError
from tmtool.formats import READERS
from tmtool.formats._common import split_speaker_label
from tmtool.formats.plaintext import read_plaintext
from tmtool.formats.subrip import read_srt
from tmtool.formats.webvtt import read_vtt
from tmtool.textio import decode

QA = ("Interviewer", "Alma Nurusheva")

KK_SRT = """\
1
00:00:01,200 --> 00:00:04,050
Алма: Veritas – Қазақстандағы адам құқықтары
мәселелерімен айналысатын ұйым.

2
00:00:04,300 --> 00:00:07,900
Біз тіркелуге сегіз рет өтініш бердік,
бірақ әр жолы бас тартты.

3
00:00:08,100 --> 00:00:10,000
<i>Тоқаев</i> ҰҚШҰ-дан көмек сұрады.

4
00:00:10,400 --> 00:00:12,000
Журналист: Неге деп ойлайсыз?
"""

RU_SRT = """\
1
00:12:01,000 --> 00:12:03,480
- Почему, как вы думаете?
- Потому что мы работаем над острыми вопросами.

2
00:12:03,900 --> 00:12:06,200
Токаев сказал, что в Алматы приехали 20 000 террористов.
"""


def one_line_error(exc: pytest.ExceptionInfo, path: str, where: str) -> str:
    """The error as a user sees it: one line with the file and the line (or cue) number."""
    msg = str(exc.value)
    assert "\n" not in msg and "\r" not in msg
    assert msg.startswith(f"{path}:"), msg
    assert where in msg, msg
    return msg


# ------------------------------------------------------------------ plain text


def test_seed_in_qa_mode(seed_text):
    segs = read_plaintext(seed_text, "en.txt", qa_speakers=QA)
    paragraphs = [p for p in re.split(r"\n\s*\n", seed_text.strip()) if p.strip()]
    assert len(segs) == len(paragraphs)
    first_q = next(s for s in segs if s.text == "What does Veritas do?")
    assert first_q.speaker == "Interviewer" and first_q.line == 11
    assert segs[segs.index(first_q) + 1].text.startswith("Veritas is an organization")
    assert segs[segs.index(first_q) + 1].speaker == "Alma Nurusheva"
    # The introduction before the first question belongs to no one.
    assert segs[0].text == "The Platform" and segs[0].speaker is None and segs[0].line == 1
    assert all(s.speaker is None for s in segs[: segs.index(first_q)])
    # A question ending in a closing quote or bracket is still a question.
    quoted = next(s for s in segs if s.text.startswith("Can you be more specific"))
    assert quoted.speaker == "Interviewer"
    # Mid-text colons ("law enforcement: their nails") are not labels; text kept whole.
    nails = next(s for s in segs if "their nails were pulled out" in s.text)
    assert nails.text.startswith("There were shootings of protestors.")
    assert {s.speaker for s in segs} == {None, *QA}
    assert all(s.start_ms is None and s.cue is None and s.part == 0 for s in segs)


def test_seed_without_qa_has_no_speakers(seed_text):
    segs = read_plaintext(seed_text, "en.txt")
    assert {s.speaker for s in segs} == {None}


def test_labelled_plain_text_carries_the_speaker():
    text = (
        "Interviewer: What does Veritas do?\n\n"
        "Alma Nurusheva: Veritas is an organization\nthat is focused on human rights.\n\n"
        "The main focus is to highlight abuses.\n\n"
        "Note: this answer was edited.\n\n"
        "12:30 was when the meeting began.\n\n"
        "# not a comment, just text\n\n"
        "AN: We applied eight times.\n\n"
        "Interviewer:\n\n"
        "Why do you think that is?\n"
    )
    segs = read_plaintext(text, "x.txt", speaker_aliases={"an": "Alma Nurusheva"})
    assert [(s.speaker, s.line) for s in segs] == [
        ("Interviewer", 1),
        ("Alma Nurusheva", 3),
        ("Alma Nurusheva", 6),
        ("Alma Nurusheva", 8),
        ("Alma Nurusheva", 10),
        ("Alma Nurusheva", 12),
        ("Alma Nurusheva", 14),
        ("Interviewer", 18),
    ]
    assert segs[1].text == "Veritas is an organization that is focused on human rights."
    assert segs[3].text == "Note: this answer was edited."
    assert segs[4].text == "12:30 was when the meeting began."
    assert segs[5].text == "# not a comment, just text"
    assert segs[6].text == "We applied eight times."


def test_qa_labels_and_cyrillic_labels():
    text = "Q: Почему?\n\nA: Потому что.\n\nЕщё одно.\n\nВопрос: Ал сіз?\n\nЖауап: Иә."
    segs = read_plaintext(text, "ru.txt", qa_speakers=QA)
    assert [s.speaker for s in segs] == ["Interviewer", "Alma Nurusheva", "Alma Nurusheva", "Interviewer", "Alma Nurusheva"]
    assert [s.text for s in segs] == ["Почему?", "Потому что.", "Ещё одно.", "Ал сіз?", "Иә."]
    # Without Q/A mode, capitalised Cyrillic names are labels too.
    assert split_speaker_label("Алма Нурушева: Иә.") == ("Алма Нурушева", "Иә.")


@pytest.mark.parametrize(
    "text",
    [
        "The authorities: they find it uncomfortable.",
        "Everything, and everyone, is prosecuted: yes.",
        "Chapter 1: the beginning.",
        "Примечание: текст сокращён.",
        "http://example.org is a site.",
        "Time: 12:30.",
    ],
)
def test_not_labels(text):
    assert split_speaker_label(text) == (None, text)


def test_stamped_plain_text():
    text = (
        "[00:00:05] Alma: First.\n\n"
        "Not stamped.\n\n"
        "Interviewer: [01:10] Second.\n\n"
        "(00:01:20.5) Third.\n\n"
        "00:01:23.450 Fourth.\n\n"
        "[00:01:23.450] Fifth, same time.\n\n"
        "[00:02:00,000] Last.\n"
    )
    segs = read_plaintext(text, "t.txt")
    got = [(s.text, s.speaker, s.start_ms, s.end_ms) for s in segs]
    assert got == [
        ("First.", "Alma", 5_000, 70_000),
        ("Not stamped.", "Alma", None, None),
        ("Second.", "Interviewer", 70_000, 80_500),
        ("Third.", "Interviewer", 80_500, 83_450),
        ("Fourth.", "Interviewer", 83_450, 120_000),
        ("Fifth, same time.", "Interviewer", 83_450, 120_000),
        ("Last.", "Interviewer", 120_000, None),
    ]
    assert not segs[-1].timed and segs[0].timed


def test_closing_stamp_ends_the_last_paragraph():
    segs = read_plaintext("[00:00:01] One.\n\n[00:00:04]\nTwo.\n\n[00:00:09]\n", "t.txt")
    assert [(s.text, s.start_ms, s.end_ms) for s in segs] == [("One.", 1000, 4000), ("Two.", 4000, 9000)]


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("[00:00:09] One.\n\n[00:00:04] Two.\n", 3, "before the previous"),
        ("Intro.\n\n[00:75:00] Two.\n", 3, "above 59"),
        ("", 1, "empty track"),
        ("  \n\n\t\n", 1, "empty track"),
        ("Alma:\n\n[00:00:03]\n", 1, "empty track"),
    ],
)
def test_plain_text_errors(text, line, words):
    with pytest.raises(InputError) as exc:
        read_plaintext(text, "en.txt")
    assert words in one_line_error(exc, "en.txt", f"en.txt:{line}:")


# ------------------------------------------------------------------ SubRip


def test_kazakh_srt():
    segs = read_srt(KK_SRT, "kk.srt")
    assert [(s.cue, s.line, s.start_ms, s.end_ms) for s in segs] == [
        (1, 1, 1200, 4050), (2, 6, 4300, 7900), (3, 11, 8100, 10000), (4, 15, 10400, 12000),
    ]
    assert segs[0].text == "Veritas – Қазақстандағы адам құқықтары мәселелерімен айналысатын ұйым."
    assert segs[1].text == "Біз тіркелуге сегіз рет өтініш бердік, бірақ әр жолы бас тартты."
    assert segs[2].text == "Тоқаев ҰҚШҰ-дан көмек сұрады."  # <i> dropped
    assert [s.speaker for s in segs] == ["Алма", "Алма", "Алма", "Журналист"]
    assert all(s.timed for s in segs)


def test_russian_srt_dialogue_dashes_reset_the_speaker():
    segs = read_srt("1\n00:00:00,500 --> 00:00:01,000\nАлма: Да.\n\n" + RU_SRT.replace("1\n00:12", "2\n00:12", 1)
                    .replace("\n2\n00:12:03", "\n3\n00:12:03"), "ru.srt")
    assert [s.speaker for s in segs] == ["Алма", None, None]
    assert segs[1].text == "- Почему, как вы думаете? - Потому что мы работаем над острыми вопросами."
    assert segs[2].text == "Токаев сказал, что в Алматы приехали 20 000 террористов."
    assert segs[2].start_ms == 12 * 60_000 + 3_900


def test_srt_lenient_but_exact_forms():
    text = (
        "00:00:01.000 --> 00:00:02.000 X1:100 X2:200 Y1:10 Y2:50\nno index, dot decimal\n\n"
        "7\n100:00:00,000  -->  100:00:01,500\nhours above 99\n"  # no blank line at the end
    )
    segs = read_srt(text, "x.srt")
    assert [(s.cue, s.line, s.start_ms, s.end_ms) for s in segs] == [
        (1, 1, 1000, 2000), (2, 4, 360_000_000, 360_001_500),
    ]
    assert segs[0].text == "no index, dot decimal"


def test_srt_blank_line_inside_a_cue_is_text():
    segs = read_srt("1\n00:00:01,000 --> 00:00:02,000\nfirst\n\nsecond\n\n2\n00:00:03,000 --> 00:00:04,000\nthird\n", "x.srt")
    assert [s.text for s in segs] == ["first second", "third"]


BAD_SRT = [
    # broken timestamps (srt.parse would misread several of these without a word)
    ("1\n00:00:0x,000 --> 00:00:02,000\nHi\n", "x.srt:2:", "broken timing line"),
    ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:0x,000 --> 00:00:04,000\nHo\n", "x.srt:6:", "cue 2"),
    ("1\n00:01,000 --> 00:02,000\nHi\n", "x.srt:2:", "broken start time"),
    ("1\n00:00:01,5 --> 00:00:02,000\nHi\n", "x.srt:2:", "broken start time"),
    ("1\n00:00:01 --> 00:00:02\nHi\n", "x.srt:2:", "broken start time"),
    ("1\n00:00:01：000 --> 00:00:02,000\nHi\n", "x.srt:2:", "broken start time"),
    ("1\n00:00:01,000 --> 00:00:02,0001\nHi\n", "x.srt:2:", "broken end time"),
    ("1\n00:00:01,000 --> 00:00:02,000x\nHi\n", "x.srt:2:", "broken end time"),
    ("1\n00:75:01,000 --> 00:76:02,000\nHi\n", "x.srt:2:", "above 59"),
    ("1\n00:00:01,000 -> 00:00:02,000\nHi\n", "x.srt:2:", "broken timing line"),
    ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:03,000 -> 00:00:04,000\nHo\n", "x.srt:6:", "broken timing line"),
    ("1\n" + "9" * 5000 + ":00:01,000 --> 00:00:02,000\nHi\n", "x.srt:2:", "out of range"),
    ("1\n99999999999:00:01,000 --> 99999999999:00:02,000\nHi\n", "x.srt:2:", "out of range"),
    # missing timing line
    ("1\nHello there\n\n2\n00:00:03,000 --> 00:00:04,000\nHo\n", "x.srt:2:", "no timing line"),
    ("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\nHello there\n\n3\n00:00:05,000 --> 00:00:06,000\nHo\n",
     "x.srt:6:", "no timing line"),
    ("1\n00:00:01,000 --> 00:00:02,000\nHi\n00:00:03,000 --> 00:00:04,000\nHo\n", "x.srt:4:", "timing line inside"),
    ("Hello, this is not a subtitle file.\n", "x.srt:1:", "expected a cue number"),
    # backwards, out of order, overlapping
    ("1\n00:00:05,000 --> 00:00:02,000\nHi\n", "x.srt:2:", "cue 1 runs backwards"),
    ("1\n00:00:05,000 --> 00:00:05,000\nHi\n", "x.srt:2:", "no duration"),
    ("1\n00:00:05,000 --> 00:00:06,000\nHi\n\n2\n00:00:01,000 --> 00:00:02,000\nHo\n", "x.srt:6:", "cue 2 starts at 00:00:01,000, before cue 1"),
    ("1\n00:00:01,000 --> 00:00:03,000\nHi\n\n2\n00:00:02,500 --> 00:00:04,000\nHo\n", "x.srt:6:", "before cue 1 ends"),
    # empty text, empty track
    ("1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nHo\n", "x.srt:2:", "cue 1 has no text"),
    ("1\n00:00:01,000 --> 00:00:02,000\n<i> </i>\n", "x.srt:2:", "cue 1 has no text"),
    ("", "x.srt:1:", "no cues"),
    ("\n\n   \n", "x.srt:", "no cues"),
]


def test_why_srt_parse_is_not_our_reader():
    # srt.parse reads "00:01,000" as one minute and swallows a cue with a broken
    # timing line into the text of the cue before; read_srt refuses both (BAD_SRT).
    [sub] = srt.parse("1\n00:01,000 --> 00:02,000\nHi\n")
    assert sub.start.total_seconds() == 60
    subs = list(srt.parse("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\nHello\n\n3\n00:00:05,000 --> 00:00:06,000\nHo\n"))
    assert len(subs) == 2 and subs[0].content == "Hi\n\n2\nHello"


def test_srt_agrees_with_the_srt_package_on_good_files():
    for text in (KK_SRT, RU_SRT):
        ours = read_srt(text, "x.srt")
        theirs = list(srt.parse(text))
        assert [(s.start_ms, s.end_ms) for s in ours] == [
            (t.start // timedelta(milliseconds=1), t.end // timedelta(milliseconds=1)) for t in theirs
        ]


@pytest.mark.parametrize("text, where, words", BAD_SRT)
def test_bad_srt(text, where, words):
    with pytest.raises(InputError) as exc:
        read_srt(text, "x.srt")
    assert words in one_line_error(exc, "x.srt", where)


# ------------------------------------------------------------------ WebVTT

VTT = """\
WEBVTT - интервью
Kind: captions
Language: kk

STYLE
::cue(v[voice="Алма"]) { color: yellow }

REGION
id:fred width:40%

NOTE the speaker names
come from the recording.toml

intro
00:01.200 --> 00:04.050 align:start line:0%
<v.loud Алма Нурушева>Біз &amp; <i>олар</i> &lt;тең&gt;</v>

00:00:04.300 --> 00:00:07.900
Жалғасы&nbsp;<c.yellow>осында</c> <00:00:05.000>тұр&lrm;
00:00:08.000 --> 00:00:09.000
<v Журналист>Неге?</v>
<v Алма Нурушева>Себебі.</v>

NOTE one more

00:00:10.000 --> 00:00:11.000
Журналист: Рахмет.
"""


def test_vtt():
    segs = read_vtt(VTT, "kk.vtt")
    assert [(s.cue, s.line, s.start_ms, s.end_ms) for s in segs] == [
        (1, 14, 1200, 4050), (2, 18, 4300, 7900), (3, 20, 8000, 9000), (4, 26, 10000, 11000),
    ]
    assert [s.text for s in segs] == [
        "Біз & олар <тең>", "Жалғасы осында тұр\u200e", "Неге? Себебі.", "Рахмет.",
    ]
    # one voice names the speaker and carries on; two voices: nobody in particular
    assert [s.speaker for s in segs] == ["Алма Нурушева", "Алма Нурушева", None, "Журналист"]


BAD_VTT = [
    ("", "x.vtt:1:", "expected 'WEBVTT'"),
    ("1\n00:00:01,000 --> 00:00:02,000\nHi\n", "x.vtt:1:", "expected 'WEBVTT'"),
    ("WEBVTTX\n\n00:01.000 --> 00:02.000\nHi\n", "x.vtt:1:", "expected 'WEBVTT'"),
    ("WEBVTT\n\n00:01,000 --> 00:02.000\nHi\n", "x.vtt:3:", "broken start time"),
    ("WEBVTT\n\n00:01.000 --> 00:02.0\nHi\n", "x.vtt:3:", "broken end time"),
    ("WEBVTT\n\n00:61.000 --> 00:62.000\nHi\n", "x.vtt:3:", "above 59"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n\n00:03.000 -> 00:04.000\nHo\n", "x.vtt:6:", "broken timing line"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n\nid\nHo\n", "x.vtt:7:", "cue 2 has no timing line"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n\nstray text\n", "x.vtt:6:", "not followed by a timing line"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\nthere --> you\n", "x.vtt:5:", "broken start time"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\nHi --> you\n", "x.vtt:3:", "line 4 holds '-->'"),
    ("WEBVTT\n\n00:05.000 --> 00:02.000\nHi\n", "x.vtt:3:", "cue 1 runs backwards"),
    ("WEBVTT\n\n00:05.000 --> 00:06.000\nHi\n\n00:01.000 --> 00:02.000\nHo\n", "x.vtt:6:", "before cue 1"),
    ("WEBVTT\n\n00:01.000 --> 00:03.000\nHi\n\n00:02.000 --> 00:04.000\nHo\n", "x.vtt:6:", "before cue 1 ends"),
    ("WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:03.000 --> 00:04.000\nHo\n", "x.vtt:3:", "cue 1 has no text"),
    ("WEBVTT\n\nNOTE nothing here\n", "x.vtt:", "no cues"),
    ("WEBVTT\n", "x.vtt:", "no cues"),
    ("WEBVTT\n\n" + "9" * 5000 + ":00:01.000 --> 00:02.000\nHi\n", "x.vtt:3:", "out of range"),
]


@pytest.mark.parametrize("text, where, words", BAD_VTT)
def test_bad_vtt(text, where, words):
    with pytest.raises(InputError) as exc:
        read_vtt(text, "x.vtt")
    assert words in one_line_error(exc, "x.vtt", where)


# ------------------------------------------------------------------ encodings and files


def test_readers_by_extension():
    assert READERS == {"txt": read_plaintext, "srt": read_srt, "vtt": read_vtt}


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le"),
        lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"),
        lambda s: s.replace("\n", "\r\n").encode("utf-8"),
        lambda s: s.replace("\n", "\r").encode("utf-8"),
        lambda s: codecs.BOM_UTF16_LE + s.replace("\n", "\r\n").encode("utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "crlf", "cr", "utf16-crlf"],
)
@pytest.mark.parametrize("ext, sample", [("srt", KK_SRT), ("vtt", VTT), ("txt", "Алма: Иә.\n\nЖоқ?\n")])
def test_encodings_give_the_same_segments(encode, ext, sample):
    path = f"kk.{ext}"
    assert READERS[ext](decode(encode(sample), path), path) == READERS[ext](sample, path)


def test_cp1251_needs_an_explicit_encoding():
    data = RU_SRT.encode("cp1251")
    with pytest.raises(InputError) as exc:
        read_srt(decode(data, "ru.srt"), "ru.srt")
    msg = one_line_error(exc, "ru.srt", "ru.srt:3:")  # the first Cyrillic byte is on line 3
    assert "--encoding" in msg
    segs = read_srt(decode(data, "ru.srt", encoding="cp1251"), "ru.srt")
    assert segs == read_srt(RU_SRT, "ru.srt")


@pytest.mark.parametrize(
    "data, where",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "img.srt:3:"),  # binary
        (b"1\n00:00:01,000 --> 00:00:02,000\n\xff\xfe\xfa broken\n", "img.srt:3:"),  # undecodable
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xc3\x28\n", "img.srt:4:"),  # invalid UTF-8 sequence
    ],
)
def test_binary_and_undecodable_files(data, where):
    with pytest.raises(InputError) as exc:
        read_srt(decode(data, "img.srt"), "img.srt")
    one_line_error(exc, "img.srt", where)


# ------------------------------------------------------------------ hostile input (Hypothesis)

_READ = [
    lambda t: read_plaintext(t, "h.txt", qa_speakers=QA, speaker_aliases={"an": "Alma"}),
    lambda t: read_srt(t, "h.srt"),
    lambda t: read_vtt(t, "h.vtt"),
]


def _each_reader_fails_cleanly(text: str) -> None:
    for read in _READ:
        try:
            segs = read(text)
        except TmtoolError as exc:
            assert "\n" not in str(exc) and exc.path is not None and exc.line is not None
        else:
            assert segs and all(s.text for s in segs)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_our_error(data):
    try:
        text = decode(data, "h.bin")
    except TmtoolError:
        return
    _each_reader_fails_cleanly(text)


# Pieces that put the readers' deeper paths to work: cue numbers, timings
# (hours above 99, broken digits), arrows, tags, labels, stamps, blank lines.
_PIECES = st.sampled_from([
    "1", "2", "\n", "\n\n", "\r\n", " ", "-->", " --> ", "->", "- >", "00:00:01,000", "00:00:02.000",
    "123:59:59,999", "99999999999999999999:00:00,000", "9" * 5000, "00:01.000", "00:61.000", "WEBVTT", "WEBVTT\n\n",
    "NOTE", "STYLE", "<v Alma>", "</v>", "<i>", "<", "&amp;", "&", "Alma: ", "Q: ", "- ", "[00:01:23]",
    "(00:01)", "00:01:23.4 ", "?", "Тоқаев", "\ufeff", "\t", "X1:10", ",", ":", "9" * 30,
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join))
def test_subtitle_like_text_raises_only_our_error(text):
    _each_reader_fails_cleanly(text)


# ------------------------------------------------------------------ declared speakers only

ALIASES = {
    "Theo Casablanca": "Theo Casablanca", "Тео": "Theo Casablanca",
    "Alma Nurusheva": "Alma Nurusheva", "Алма": "Alma Nurusheva", "Алма Нұрышева": "Alma Nurusheva",
}
_SRT_WORD_LABEL = "1\n00:00:01,000 --> 00:00:02,000\nАлма: Иә.\n\n2\n00:00:03,000 --> 00:00:04,000\nКороче: мы не можем\n"


@pytest.mark.parametrize("read, text", [
    (read_srt, _SRT_WORD_LABEL),
    (read_vtt, "WEBVTT\n\n00:01.000 --> 00:02.000\nАлма: Иә.\n\n00:03.000 --> 00:04.000\nКороче: мы не можем\n"),
    (read_plaintext, "Алма: Иә.\n\nКороче: мы не можем\n"),
])
def test_a_word_and_colon_is_speech_when_the_speakers_are_declared(read, text):
    """QA: "Короче: мы не можем" became a speaker "Короче" and lost the spoken word."""
    segs = read(text, "ru", speaker_aliases=ALIASES, known_speakers_only=True)
    assert [(s.speaker, s.text) for s in segs] == [
        ("Alma Nurusheva", "Иә."), ("Alma Nurusheva", "Короче: мы не можем"),
    ]
    # Without a declared list the heuristic stays: a capitalised word is a name.
    assert read(text, "ru")[1].speaker == "Короче"


@pytest.mark.parametrize("label", [
    "АЛМА", "алма", "Alma", "ALMA", "Aлма",  # case; Latin spelling; a Latin look-alike "A" in Cyrillic
    "Алма  Нұрышева", "Alma Nurysheva", "Theo casablanca", "Teo",
])
def test_declared_names_match_in_any_case_and_script(label):
    expected = "Theo Casablanca" if label.lower().startswith(("theo", "teo")) else "Alma Nurusheva"
    assert split_speaker_label(f"{label}: Иә.", ALIASES, known_only=True) == (expected, "Иә.")


def test_declared_names_match_in_either_unicode_form():
    import unicodedata

    aliases = {"Йорген": "Jørgen"}  # Й is И + a combining breve in NFD
    label = unicodedata.normalize("NFD", "Йорген")
    assert label != "Йорген"
    assert split_speaker_label(f"{label}: Иә.", aliases, known_only=True) == ("Jørgen", "Иә.")


def test_q_and_a_labels_still_count_when_the_speakers_are_declared():
    segs = read_plaintext("Q: Неге?\n\nA: Себебі.\n\nNote: edited.\n", "kk.txt", qa_speakers=QA,
                          speaker_aliases={"Алма": "Alma Nurusheva"}, known_speakers_only=True)
    assert [(s.speaker, s.text) for s in segs] == [
        ("Interviewer", "Неге?"), ("Alma Nurusheva", "Себебі."), ("Alma Nurusheva", "Note: edited."),
    ]


def test_a_latin_spelling_two_speakers_share_names_neither():
    aliases = {"Алма": "Alma Nurusheva", "Alma": "Alma Smith"}
    assert split_speaker_label("Alma: x", aliases, known_only=True) == ("Alma Smith", "x")  # as written wins
    assert split_speaker_label("АЛМА: x", aliases, known_only=True) == ("Alma Nurusheva", "x")
    both = {"Алма": "Alma Nurusheva", "Álma": "Alma Smith"}
    assert split_speaker_label("Alma: x", both, known_only=True) == (None, "Alma: x")


_WORD = st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(first=_WORD, rest=st.lists(_WORD, max_size=3))
def test_an_undeclared_label_never_loses_a_word(first, rest):
    label = " ".join([first[0].upper() + first[1:], *rest])
    text = f"{label}: мы не можем"
    speaker, said = split_speaker_label(text, ALIASES, known_only=True)
    if speaker is None:
        assert said == text
    else:  # only a declared name may be taken off
        assert speaker in ALIASES.values() and said == "мы не можем"
