"""Plain-text transcripts: one segment per paragraph, with optional labels and time stamps.

What a transcript in a ``.txt`` file usually looks like, and what we read:

* paragraphs separated by blank lines; the lines of a paragraph are joined
  with a space (``#`` at a line start is plain text, not a comment);
* ``Name:`` at the start of a paragraph names the speaker of that paragraph and
  of the following ones until the next label (see
  :func:`tmtool.formats._common.split_speaker_label`); a paragraph holding only
  a label sets the speaker of what follows and gives no segment;
* Q/A transcripts like the seed interview (``qa_speakers=(interviewer,
  interviewee)``): ``Q:``/``A:`` labels, or, without labels, a paragraph ending
  in ``?`` is the interviewer's and any other the interviewee's. Paragraphs
  before the first question (a title, an introduction) get no speaker;
* a time stamp at the start of a paragraph, before or after the label:
  ``[01:23]``, ``[00:01:23]``, ``(00:01:23)``, ``[00:01:23.450]`` or a bare
  ``00:01:23.4`` (bare stamps need hours, so ``12:30 we met`` stays text).
  A stamped paragraph starts at its stamp and ends at the next later stamp in
  the file; the last one has no end (so it is not "timed"). A paragraph that
  is only a stamp marks a time: it ends the paragraph before and starts the
  one after (when that has no stamp of its own), e.g. a closing ``[00:14:58]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tmtool.errors import InputError
from tmtool.formats._common import format_ms, normalise, speech_text, split_speaker_label
from tmtool.model import Segment

_STAMP = re.compile(
    r"""^(?:
        \[[ \t]*(?P<b>(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[ \t]*\]
      | \([ \t]*(?P<p>(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[ \t]*\)
      | (?P<bare>\d{1,3}:\d{2}:\d{2}(?:[.,]\d{1,3})?)(?=\s|$)
    )\s*""",
    re.VERBOSE | re.ASCII,
)
_QUESTION_END = re.compile(r"[?？¿][?!？！…]*$")
_CLOSERS = " \t\"'”’»›)]}」』"


def _stamp_ms(stamp: str, path: str, line: int) -> int:
    """Milliseconds of ``[hh:]mm:ss[.f]``; a fraction is decimal (``.4`` is 400 ms)."""
    clock, _, fraction = stamp.replace(",", ".").partition(".")
    fields = [int(f) for f in clock.split(":")]
    if any(f >= 60 for f in fields[1:]) or (len(fields) == 2 and fields[0] >= 60):
        raise InputError(
            f"time stamp {stamp!r} has minutes or seconds above 59; expected [hh:]mm:ss", path, line
        )
    seconds = 0
    for f in fields:
        seconds = seconds * 60 + f
    return seconds * 1000 + (int(fraction.ljust(3, "0")) if fraction else 0)


def _take_stamp(text: str, path: str, line: int) -> tuple[int | None, str]:
    m = _STAMP.match(text)
    if not m:
        return None, text
    stamp = m.group("b") or m.group("p") or m.group("bare")
    return _stamp_ms(stamp, path, line), text[m.end():]


def is_question(text: str) -> bool:
    """True when the text ends with a question mark (closing quotes and brackets aside).

    >>> is_question("Can you be more specific as to what ‘prosecuted’ means?”")
    True
    """
    return bool(_QUESTION_END.search(text.rstrip(_CLOSERS)))


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """``(first line, text)`` of each run of non-blank lines."""
    out: list[tuple[int, str]] = []
    start, lines = 0, []
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            out.append((start, speech_text(" ".join(lines))))
            lines = []
    if lines:
        out.append((start, speech_text(" ".join(lines))))
    return out


def read_plaintext(
    text: str,
    path: str = "",
    *,
    qa_speakers: tuple[str, str] | None = None,
    speaker_aliases: Mapping[str, str] | None = None,
    known_speakers_only: bool = False,
) -> list[Segment]:
    """Segments of a plain-text transcript, one per paragraph (see the module doc).

    ``known_speakers_only``: only ``speaker_aliases`` (and Q/A labels) are labels,
    for a manifest that lists its speakers; "Короче: …" then stays speech.
    """
    text = normalise(text)
    # (line, text, speaker, start, index into `stamps` of the start)
    found: list[tuple[int, str, str | None, int | None, int | None]] = []
    stamps: list[int] = []  # every stamp in file order
    carried: str | None = None
    asked = False
    pending: int | None = None  # stamp of a stamp-only paragraph, for the next one
    for line, para in _paragraphs(text):
        start, para = _take_stamp(para, path, line)
        speaker, para = split_speaker_label(para, speaker_aliases, qa_speakers, known_only=known_speakers_only)
        if start is None and speaker is not None:
            start, para = _take_stamp(para, path, line)
        if start is not None:
            if stamps and start < stamps[-1]:
                raise InputError(
                    f"time stamp {format_ms(start, '.')} is before the previous one "
                    f"({format_ms(stamps[-1], '.')}); expected stamps in time order", path, line,
                )
            stamps.append(start)
        if speaker is not None:
            carried = speaker
        if not para:
            pending = len(stamps) - 1 if start is not None else pending
            continue
        here = len(stamps) - 1 if start is not None else pending
        pending = None
        if speaker is None:
            speaker = carried
        if speaker is None and qa_speakers is not None:
            if is_question(para):
                asked = True
                speaker = qa_speakers[0]
            elif asked:
                speaker = qa_speakers[1]
        found.append((line, para, speaker, stamps[here] if here is not None else None, here))
    if not found:
        raise InputError("no text (empty track); expected paragraphs of transcript text", path, 1)
    # The end of a stamped paragraph is the next stamp later than its start.
    later: list[int | None] = [None] * len(stamps)
    for k in range(len(stamps) - 2, -1, -1):
        later[k] = stamps[k + 1] if stamps[k + 1] > stamps[k] else later[k + 1]
    return [
        Segment(text=t, speaker=s, start_ms=st, end_ms=later[k] if k is not None else None, line=ln)
        for ln, t, s, st, k in found
    ]
