"""SubRip (``.srt``) tracks and captions; the only module that imports ``srt``.

``srt.parse`` is lenient in ways that lose or bend text without a word: a cue
with a broken timing line is swallowed into the text of the cue before it,
``00:01,000`` is read as one minute, ``01,5`` as 5 ms, full-width colons are
accepted, huge numbers crash with ``OverflowError``. So we run it in step with
its own regex (``srt.SRT_REGEX``, the one it iterates over) to know where each
cue is, then check each cue strictly: ``HH:MM:SS,mmm`` (``.`` is accepted for
the comma, hours may exceed 99), minutes and seconds below 60, no timing line
or cue number hidden in a cue's text, cues in order and not overlapping.

Reading: a cue's lines become one speech segment (joined with a space);
SubRip formatting (``<i>``, ``<b>``, ``<u>``, ``<s>``, ``<font>``, ``{\\an8}``)
is dropped; a ``Name:`` label names the speaker (see
:func:`tmtool.formats._common.cue_speaker`). Blank lines inside a cue's text
are tolerated as ``srt`` does, unless what follows looks like a cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta

import srt

from tmtool.errors import InputError
from tmtool.formats._common import (
    TIMING_ISH, check_cue_times, checked_cues, cue_speaker, no_cues, normalise,
)
from tmtool.model import Cue, Segment

EXPECTED_TIMING = "expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"

_STRICT_TS = re.compile(r"(\d+):(\d\d):(\d\d)[,.](\d\d\d)")
_TS_START = re.compile(srt.RGX_TIMESTAMP)  # what srt takes for a timestamp
_ARROW = re.compile(r"-[ -] *>")  # the arrow srt accepts between two times
_CUE_NUMBER = re.compile(srt.RGX_INDEX + r"\s*")
_FORMATTING = re.compile(r"</?(?:[ibus]|font)(?:\s[^<>]*)?>|\{\\[^{}]*\}", re.IGNORECASE)


class _Lines:
    """Offset -> 1-based line number, counting forwards only (linear in the file)."""

    def __init__(self, text: str):
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            return self.text.count("\n", 0, offset) + 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _ms(raw: str, what: str, number: int, path: str, line: int) -> int:
    m = _STRICT_TS.fullmatch(raw)
    if m is None:
        raise InputError(f"broken {what} time {raw!r} in cue {number}; {EXPECTED_TIMING}", path, line)
    h, mi, s, ms = (int(g) for g in m.groups())
    if mi > 59 or s > 59:
        raise InputError(
            f"{what} time {raw!r} of cue {number} has minutes or seconds above 59", path, line
        )
    return ((h * 60 + mi) * 60 + s) * 1000 + ms


def _unmatched(text: str, exc: srt.SRTParseError, cues_before: int, lines: _Lines, path: str) -> InputError:
    """Say what was wrong where ``srt.parse`` found something that is not a cue."""
    chunk = exc.unmatched_content
    skip = len(chunk) - len(chunk.lstrip())
    first_line = lines.at(exc.expected_start + skip)
    found = chunk.strip().split("\n")
    head = found[0].strip()
    number = cues_before + 1
    if _CUE_NUMBER.fullmatch(head):
        after = found[1].strip() if len(found) > 1 else ""
        if after and TIMING_ISH.match(after):
            return InputError(f"broken timing line {after[:60]!r} in cue {number}; {EXPECTED_TIMING}", path, first_line + 1)
        return InputError(
            f"cue {number} (numbered {head}) has no timing line; {EXPECTED_TIMING} after the cue number",
            path, first_line + 1,
        )
    if TIMING_ISH.match(head) or "->" in head:
        return InputError(f"broken timing line {head[:60]!r} in cue {number}; {EXPECTED_TIMING}", path, first_line)
    return InputError(
        f"expected a cue number or a timing line ('HH:MM:SS,mmm --> HH:MM:SS,mmm'), found {head[:60]!r}",
        path, first_line,
    )


def _check_text(content: str, number: int, first_line: int, path: str) -> None:
    """Refuse cue text that hides a cue: srt keeps a cue without its blank line
    (or with a broken timing line) as text of the cue before it."""
    after_blank = False
    lines = content.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            after_blank = True
            continue
        if _TS_START.match(stripped) and _ARROW.search(stripped):
            raise InputError(
                f"timing line inside the text of cue {number} (missing blank line before it?)",
                path, first_line + i,
            )
        if after_blank:
            if _CUE_NUMBER.fullmatch(stripped):
                nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
                if nxt and TIMING_ISH.match(nxt):
                    raise InputError(
                        f"broken timing line {nxt[:60]!r} after cue {number}; {EXPECTED_TIMING}",
                        path, first_line + i + 1,
                    )
                raise InputError(
                    f"cue number {stripped} after cue {number} has no timing line; {EXPECTED_TIMING}",
                    path, first_line + i + 1,
                )
            if TIMING_ISH.match(stripped):
                raise InputError(
                    f"broken timing line {stripped[:60]!r} after cue {number}; {EXPECTED_TIMING}",
                    path, first_line + i,
                )
        after_blank = False


def read_srt(
    text: str,
    path: str = "",
    *,
    qa_speakers: tuple[str, str] | None = None,
    speaker_aliases: Mapping[str, str] | None = None,
) -> list[Segment]:
    """Segments of a SubRip track, one per cue (see the module doc for the rules)."""
    text = normalise(text)
    lines = _Lines(text)
    matches = srt.SRT_REGEX.finditer(text)
    subs = srt.parse(text)
    segments: list[Segment] = []
    previous: tuple[int, int, int] | None = None
    carried: str | None = None
    while True:
        m = next(matches, None)
        number = len(segments) + 1
        try:
            sub = next(subs)
        except StopIteration:
            break
        except srt.SRTParseError as exc:
            raise _unmatched(text, exc, len(segments), lines, path) from None
        except (ValueError, OverflowError):  # a number too large for int() or timedelta
            assert m is not None
            raise InputError(
                f"number out of range in cue {number}; {EXPECTED_TIMING}", path, lines.at(m.start(2))
            ) from None
        assert m is not None  # parse iterates over the same regex
        line = lines.at(m.start(1) if m.group(1) is not None else m.start(2))
        timing_line = lines.at(m.start(2))
        start = _ms(m.group(2), "start", number, path, timing_line)
        end = _ms(m.group(3), "end", number, path, timing_line)
        if m.group(4) and text[m.end(3)] not in " \t":
            raise InputError(
                f"broken end time {m.group(3) + m.group(4)[:20]!r} in cue {number}; {EXPECTED_TIMING}",
                path, timing_line,
            )
        check_cue_times(path, timing_line, number, start, end, previous)
        previous = (number, start, end)
        _check_text(sub.content, number, timing_line + 1, path)
        cue_lines = [_FORMATTING.sub("", ln) for ln in sub.content.split("\n")]
        speaker, said = cue_speaker(cue_lines, carried, speaker_aliases, qa_speakers)
        if not said:
            raise InputError(f"cue {number} has no text; expected text after the timing line", path, timing_line)
        carried = speaker
        segments.append(Segment(text=said, speaker=speaker, start_ms=start, end_ms=end, line=line, cue=number))
    if not segments:
        raise no_cues(path, text)
    return segments


def _srt_safe(lines: list[str]) -> list[str]:
    """Lines srt reads back as the same text: no arrows, and no cue number
    followed by a timestamp (srt takes that for the next cue even without a blank line)."""
    out: list[str] = []
    for line in lines:
        while _ARROW.search(line):  # "--- >" becomes "-->" after one pass
            line = _ARROW.sub("->", line)
        if out and _CUE_NUMBER.fullmatch(out[-1]) and _TS_START.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def compose_srt(cues: Iterable[Cue]) -> str:
    """A SubRip file of ``cues`` numbered from 1, in the order given.

    Raises :class:`InputError` for a cue with no text, no duration, or one that
    starts before the previous cue ends; text that would break the file is
    made safe (blank lines dropped, ``-->``, ``- >`` and ``-- >`` written ``->``).
    """
    subs = []
    for number, (cue, lines) in enumerate(checked_cues(cues, _srt_safe), 1):
        try:
            start, end = timedelta(milliseconds=cue.start_ms), timedelta(milliseconds=cue.end_ms)
        except OverflowError:
            raise InputError(f"cue {cue.index or number} time out of range") from None
        subs.append(srt.Subtitle(index=number, start=start, end=end, content="\n".join(lines)))
    return srt.compose(subs, reindex=False)
