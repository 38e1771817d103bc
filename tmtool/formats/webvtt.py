"""WebVTT (``.vtt``) tracks and captions, parsed by the block rules of the W3C spec.

Reading follows the spec's "collect a WebVTT block": a ``WEBVTT`` first line
(optionally followed by a space or tab and text); header lines up to the first
blank line; then blocks separated by blank lines, where a block whose first or
second line holds ``-->`` is a cue (the first line then being its identifier),
and a ``-->`` line further down starts a new cue even without a blank line.
``NOTE``, ``STYLE`` and ``REGION`` blocks are skipped.

Where the spec silently drops a block (bad timings, text with no timing line)
we raise :class:`InputError` instead, and we are stricter on timestamps
(``[hh:]mm:ss.ttt``, minutes and seconds below 60, hours of any length). Two
deliberate leniencies: a line of only spaces counts as blank, and a ``<`` with
no ``>`` after it is kept as text rather than swallowing the rest of the cue.

Cue text: ``<v Name>`` gives the speaker (a cue with two different voices has
none); other tags (``<i>``, ``<c.x>``, ``<00:01.000>``, ...) are dropped; then
character references (``&amp;``, ``&lt;``, ``&nbsp;``, ``&lrm;`` ...) are
decoded. Without a voice, a ``Name:`` label works as in SubRip.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from tmtool.errors import InputError
from tmtool.formats._common import (
    TIMING_ISH, canonical_speaker, check_cue_times, checked_cues, clock_ms, cue_speaker, format_ms, no_arrows,
    no_cues, normalise,
    safe_lines, speech_text,
)
from tmtool.model import Cue, Segment

EXPECTED_TIMING = "expected 'hh:mm:ss.ttt --> hh:mm:ss.ttt' (hours optional)"

_SIGNATURE = re.compile(r"WEBVTT(?:[ \t].*)?")
_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d\d):(\d\d)\.(\d\d\d)", re.ASCII)
_WS = " \t\f"
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:[ \t\n\f]+([^<>]*))?>")
_TAG = re.compile(r"<[^<>]*>")


def _ms(raw: str, what: str, number: int, path: str, line: int) -> int:
    return clock_ms(raw, _TIMESTAMP.fullmatch(raw), what, number, path, line, EXPECTED_TIMING)


def _timings(line: str, number: int, path: str, lineno: int) -> tuple[int, int]:
    left, _, right = line.partition("-->")
    right = right.lstrip(_WS)
    end_raw = re.split(r"[ \t\f]", right, maxsplit=1)[0]
    return (
        _ms(left.strip(_WS), "start", number, path, lineno),
        _ms(end_raw, "end", number, path, lineno),
    )


def _blocks(lines: list[str], start: int) -> Iterable[tuple[int, list[str], int | None]]:
    """``(first line index, lines, index of the timing line or None)`` per block."""
    i, n = start, len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        first, block, timing = i, [], None
        while i < n and lines[i].strip():
            if "-->" in lines[i]:
                if timing is None and len(block) < 2:
                    timing = len(block)
                else:
                    break  # the spec starts a new block at this line
            block.append(lines[i])
            i += 1
        yield first, block, timing


def _cue_text(block: list[str]) -> tuple[list[str], list[str]]:
    """Voice names and the plain lines of a cue's text."""
    raw = "\n".join(block)
    voices: list[str] = []
    for m in _VOICE.finditer(raw):
        name = speech_text(html.unescape(m.group(1) or ""))
        if name and name not in voices:
            voices.append(name)
    return voices, html.unescape(_TAG.sub("", raw)).split("\n")


def read_vtt(
    text: str,
    path: str = "",
    *,
    qa_speakers: tuple[str, str] | None = None,
    speaker_aliases: Mapping[str, str] | None = None,
    known_speakers_only: bool = False,
) -> list[Segment]:
    """Segments of a WebVTT track, one per cue (see the module doc for the rules).

    ``known_speakers_only``: only ``speaker_aliases`` (and Q/A labels) are ``Name:``
    labels, for a manifest that lists its speakers; ``<v Name>`` is markup and always counts.
    """
    text = normalise(text)
    lines = text.split("\n")
    if not _SIGNATURE.fullmatch(lines[0]):
        found = f"found {lines[0][:40]!r}" if lines[0].strip() else "found an empty line"
        raise InputError(f"expected 'WEBVTT' on the first line, {found}", path, 1)
    i = 1
    while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
        i += 1  # header lines ("Kind: captions", "Language: kk"), ended by a blank line
    segments: list[Segment] = []
    previous: tuple[int, int, int] | None = None
    carried: str | None = None
    for first, block, timing in _blocks(lines, i):
        number = len(segments) + 1
        if timing is None:
            if _SKIPPED_BLOCK.fullmatch(block[0]):
                continue
            if TIMING_ISH.match(block[0]) or "->" in block[0]:
                raise InputError(f"broken timing line {block[0][:60]!r} in cue {number}; {EXPECTED_TIMING}", path, first + 1)
            if len(block) == 1:
                raise InputError(
                    f"{block[0][:40]!r} is not followed by a timing line; {EXPECTED_TIMING}", path, first + 1
                )
            raise InputError(
                f"cue {number} has no timing line, found {block[1][:40]!r}; {EXPECTED_TIMING}", path, first + 2
            )
        timing_line = first + timing + 1
        start, end = _timings(block[timing], number, path, timing_line)
        check_cue_times(path, timing_line, number, start, end, previous, ".")
        previous = (number, start, end)
        voices, plain = _cue_text(block[timing + 1:])
        if len(voices) == 1:
            speaker = canonical_speaker(voices[0], speaker_aliases) or voices[0]
            said = speech_text(" ".join(plain))
        elif voices:
            speaker, said = None, speech_text(" ".join(plain))
        else:
            speaker, said = cue_speaker(plain, carried, speaker_aliases, qa_speakers, known_only=known_speakers_only)
        if not said:
            after = first + len(block)
            hint = (f" (line {after + 1} holds '-->', which cue text cannot)"
                    if after < len(lines) and "-->" in lines[after] else "")
            raise InputError(f"cue {number} has no text{hint}; expected text after the timing line", path, timing_line)
        carried = speaker
        segments.append(Segment(text=said, speaker=speaker, start_ms=start, end_ms=end, line=first + 1, cue=number))
    if not segments:
        raise no_cues(path, text)
    return segments


def _escape(lines: list[str]) -> list[str]:
    """Escape ``&``, ``<`` and ``>``; with ``>`` escaped no line can hold ``-->``."""
    return [ln.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for ln in lines]


def _comment_lines(text: str) -> list[str]:
    """Lines of a ``NOTE`` text: no blank line (it would end the block), no
    ``-->`` (it would start a cue), no timestamps (pysubs2 reads two as a cue)."""
    return [no_arrows(line) for line in safe_lines([text])]


def compose_vtt(cues: Iterable[Cue], *, header: str = "", notes: Sequence[str] = ()) -> str:
    """A WebVTT file of ``cues`` in the order given; ``header`` goes after ``WEBVTT``.

    Each of ``notes`` becomes a ``NOTE`` block after the header (comments for
    people; players show nothing). Cue text is plain text: ``&``, ``<`` and
    ``>`` are escaped, so markup in a cue shows as written, and a word joiner
    (U+2060) goes inside timestamps. Raises :class:`InputError` as
    ``compose_srt`` does.
    """
    head = no_arrows(speech_text(" ".join(safe_lines([header]))))
    out = ["WEBVTT" + (f" {head}" if head else "")]
    for note in notes:
        lines = _comment_lines(note)
        if lines:
            out += ["", "NOTE " + lines[0], *lines[1:]]
    for cue, lines in checked_cues(cues, _escape, "."):
        out += ["", f"{format_ms(cue.start_ms, '.')} --> {format_ms(cue.end_ms, '.')}", *lines]
    return "\n".join(out) + "\n"
