"""SubRip (``.srt``) tracks and captions; the only module that imports ``srt``.

Reading is a strict line-by-line parser of our own, linear in the file size.
``srt.parse`` is not used for reading because it bends and loses text without
a word, and can hang: a cue with a broken timing line is swallowed into the
text of the cue before it, ``00:01,000`` is read as one minute and ``01,5`` as
5 ms, and its regex backtracks cubically on runs of digits (a 2,000-digit line
takes over a minute). Writing uses ``srt.compose``, after our own validation.

The grammar we read, with srt's usual leniencies kept where they are harmless:
a cue is an optional cue number line, a timing line ``HH:MM:SS,mmm -->
HH:MM:SS,mmm`` (``.`` is accepted for the comma, hours may exceed 99, anything
after the end time — e.g. ``X1:…`` coordinates — is ignored) and its text
lines, up to a blank line followed by the next cue. A missing final blank line
and a missing blank line before ``<number>\n<timing>`` are tolerated; a blank
line inside a cue's text is kept as text unless what follows looks like a cue.
Cues must run forwards, in time order, without overlapping.

Reading a cue: its lines become one speech segment (joined with a space);
SubRip formatting (``<i>``, ``<b>``, ``<u>``, ``<s>``, ``<font>``, ``{\\an8}``)
is dropped; a ``Name:`` label names the speaker (see
:func:`tmtool.formats._common.cue_speaker`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta

import srt

from tmtool.errors import InputError
from tmtool.formats._common import (
    TIMING_ISH, WORD_JOINER, check_cue_times, checked_cues, clock_ms, cue_speaker, no_cues, normalise,
)
from tmtool.model import Cue, Segment

EXPECTED_TIMING = "expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"

_CUE_NUMBER = re.compile(r"[ \t]*-?\d+(?:\.\d*)?[ \t]*", re.ASCII)  # srt's index pattern
_TIMING = re.compile(  # the shape srt accepts: time, arrow -[ -] *>, time, anything
    r"[ \t]*(?P<start>\d[\d:.,，．。：]*)[ \t]*-[ -] *>[ \t]*(?P<end>\d[\d:.,，．。：]*)(?P<rest>.*)"
)
_STRICT_TS = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d\d\d)", re.ASCII)
_TS_START = re.compile(srt.RGX_TIMESTAMP)  # what srt takes for a timestamp
_ARROW = re.compile(r"-[ -] *>")  # the arrow srt accepts between two times
_FORMATTING = re.compile(r"</?(?:[ibus]|font)(?:\s[^<>]*)?>|\{\\[^{}]*\}", re.IGNORECASE)


def _ms(raw: str, what: str, number: int, path: str, line: int) -> int:
    return clock_ms(raw, _STRICT_TS.fullmatch(raw), what, number, path, line, EXPECTED_TIMING)


def _timing(line: str, number: int, path: str, lineno: int) -> tuple[int, int]:
    m = _TIMING.fullmatch(line)
    if m is None:
        raise InputError(f"broken timing line {line.strip()[:60]!r} in cue {number}; {EXPECTED_TIMING}", path, lineno)
    if m["rest"] and m["rest"][0] not in " \t":
        raise InputError(
            f"broken end time {(m['end'] + m['rest'])[:40]!r} in cue {number}; {EXPECTED_TIMING}", path, lineno
        )
    return _ms(m["start"], "start", number, path, lineno), _ms(m["end"], "end", number, path, lineno)


def _is_cue_start(line: str) -> bool:
    """Whether a line after a blank line looks like the start of a cue (a cue
    number or a timing line); it is then read, and checked, as one."""
    return bool(_CUE_NUMBER.fullmatch(line) or TIMING_ISH.match(line))


def read_srt(
    text: str,
    path: str = "",
    *,
    qa_speakers: tuple[str, str] | None = None,
    speaker_aliases: Mapping[str, str] | None = None,
    known_speakers_only: bool = False,
) -> list[Segment]:
    """Segments of a SubRip track, one per cue (see the module doc for the rules).

    ``known_speakers_only``: only ``speaker_aliases`` (and Q/A labels) are labels,
    for a manifest that lists its speakers; "Короче: …" then stays speech.
    """
    text = normalise(text)
    lines = text.split("\n")
    n = len(lines)
    segments: list[Segment] = []
    previous: tuple[int, int, int] | None = None
    carried: str | None = None
    i = 0
    while True:
        while i < n and not lines[i].strip():
            i += 1
        if i >= n:
            break
        number, first = len(segments) + 1, i
        if _CUE_NUMBER.fullmatch(lines[i]):
            i += 1
            if i >= n or not TIMING_ISH.match(lines[i]):
                numbered = "" if lines[first].strip() == str(number) else f" (numbered {lines[first].strip()})"
                raise InputError(
                    f"cue {number}{numbered} has no timing line; "
                    f"{EXPECTED_TIMING} after the cue number", path, i + 1,
                )
        elif not TIMING_ISH.match(lines[i]):
            raise InputError(
                f"expected a cue number or a timing line ('HH:MM:SS,mmm --> HH:MM:SS,mmm'), "
                f"found {lines[i].strip()[:60]!r}", path, i + 1,
            )
        timing_line = i + 1
        start, end = _timing(lines[i], number, path, timing_line)
        check_cue_times(path, timing_line, number, start, end, previous)
        previous = (number, start, end)
        i += 1
        body: list[str] = []
        while i < n:
            if not lines[i].strip():
                j = i
                while j < n and not lines[j].strip():
                    j += 1
                if j >= n or _is_cue_start(lines[j]):
                    break
                i = j  # a blank line inside the text, as srt allows
                continue
            if _CUE_NUMBER.fullmatch(lines[i]) and i + 1 < n and TIMING_ISH.match(lines[i + 1]):
                break  # the next cue, without a blank line before it
            if _TIMING.fullmatch(lines[i]):
                raise InputError(
                    f"timing line inside the text of cue {number} (missing blank line before it?)", path, i + 1
                )
            body.append(_FORMATTING.sub("", lines[i]))
            i += 1
        speaker, said = cue_speaker(body, carried, speaker_aliases, qa_speakers, known_only=known_speakers_only)
        if not said:
            raise InputError(f"cue {number} has no text; expected text after the timing line", path, timing_line)
        carried = speaker
        segments.append(Segment(text=said, speaker=speaker, start_ms=start, end_ms=end, line=first + 1, cue=number))
    if not segments:
        raise no_cues(path, text)
    return segments


def _srt_safe(lines: list[str]) -> list[str]:
    """Lines a reader takes back as the same text: no arrows; no markup (SubRip
    has no escapes, so every ``<`` and ``{`` is followed by a word joiner: no
    tag or ``{\\an8}`` override block can start); and no cue number over a line
    starting with a time (srt, and we, take that for the next cue even without
    a blank line): such a number joins the line below it."""
    out: list[str] = []
    for line in lines:
        while _ARROW.search(line):  # "--- >" becomes "-->" after one pass
            line = _ARROW.sub("->", line)
        if "<" in line or "{" in line:
            line = line.replace("<", "<" + WORD_JOINER).replace("{", "{" + WORD_JOINER)
        if out and _CUE_NUMBER.fullmatch(out[-1]) and (_TS_START.match(line) or TIMING_ISH.match(line)):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def compose_srt(cues: Iterable[Cue]) -> str:
    """A SubRip file of ``cues`` numbered from 1, in the order given.

    Raises :class:`InputError` for a cue with no text, no duration, or one that
    starts before the previous cue ends; text that would break the file is
    made safe (blank lines dropped, ``-->``, ``- >`` and ``-- >`` written ``->``,
    a word joiner, U+2060, after ``<`` and ``{`` and inside timestamps).
    """
    subs = []
    for number, (cue, lines) in enumerate(checked_cues(cues, _srt_safe), 1):
        try:
            start, end = timedelta(milliseconds=cue.start_ms), timedelta(milliseconds=cue.end_ms)
        except OverflowError:
            raise InputError(f"cue {cue.index or number} time out of range") from None
        subs.append(srt.Subtitle(index=number, start=start, end=end, content="\n".join(lines)))
    return srt.compose(subs, reindex=False)
