"""What the transcript readers and subtitle writers share, written once.

Speaker labels (``Alma: ...``), speech text (one line, single spaces), the
timing checks every cue track must pass, and the validation every writer runs
before it composes a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

from tmtool.errors import InputError
from tmtool.model import Cue

# ---------------------------------------------------------------- labels

LABEL_MAX_CHARS = 40
LABEL_MAX_WORDS = 4

# "Name:" at the start of the text, followed by a space or nothing at all
# (a label on its own paragraph or cue sets the speaker of what follows).
_LABEL = re.compile(r"^([^:\n]{1,%d}):(?:[ \t\n]+|$)" % LABEL_MAX_CHARS)
# A word of a name: letters with inner ' ’ - . (Dr., O'Brien, Jean-Luc, Ж.), no digits.
_NAME_WORD = re.compile(r"[^\W\d_](?:(?:[^\W\d_]|['’.\-])*[^\W\d_])?\.?")
# Lower-case words that may sit inside a name (Ibn, van, de ...).
_PARTICLES = frozenset("al bin ibn de del della da di du la le van von der den ter ten y uly qyzy ұлы қызы".split())
# Capitalised words that introduce editorial text, not a speaker ("Note: ...").
_NOT_SPEAKERS = frozenset(
    s.casefold()
    for s in (
        "Note", "Notes", "NB", "N.B.", "PS", "P.S.", "Update", "Updated", "Correction",
        "Editor's note", "Editor’s note", "Translator's note", "Translator’s note",
        "Source", "Sources", "Photo", "Image", "Caption", "Credit", "Credits", "Warning",
        "Disclaimer", "Example", "Important", "Summary", "Title", "Date", "Time",
        "Location", "Place", "Subject", "See also", "Also", "Translation", "Transcript",
        "Keywords", "Tags", "Attention", "Remark",
        "Примечание", "Прим.", "Примечание редакции", "Примечание переводчика",
        "Источник", "Фото", "Внимание", "Обновление", "Перевод", "Дата", "Место",
        "Ескерту", "Дереккөз", "Сурет", "Назар аударыңыз", "Аударма", "Күні",
    )
)
# Q/A labels: index 0 asks (interviewer), index 1 answers (interviewee).
_QA_LABELS = {
    **{s.casefold(): 0 for s in ("Q", "Question", "Вопрос", "В", "Сұрақ", "С")},
    **{s.casefold(): 1 for s in ("A", "Answer", "Ответ", "О", "Жауап", "Ж")},
}


def _fold(label: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", label).split()).casefold()


def _latin_fold(label: str) -> str:
    """The label spelled in Latin letters (``Алма`` → ``alma``; Latin look-alikes
    typed inside a Cyrillic word come out the same): a name in another script."""
    from tmtool.align.features import latinize  # 40 ms import; only when a label is not found as written

    return " ".join(latinize(w) for w in _fold(label).replace("’", "'").split())


def _is_name(label: str) -> bool:
    words = label.split()
    if not 1 <= len(words) <= LABEL_MAX_WORDS or _fold(label) in _NOT_SPEAKERS:
        return False
    if not all(_NAME_WORD.fullmatch(w) for w in words):
        return False
    return words[0][0].isupper() and all(w[0].isupper() or w.casefold() in _PARTICLES for w in words)


def split_speaker_label(
    text: str,
    aliases: Mapping[str, str] | None = None,
    qa_speakers: tuple[str, str] | None = None,
    *,
    known_only: bool = False,
) -> tuple[str | None, str]:
    """Split a leading ``Name:`` label off ``text``; return ``(speaker, rest)``.

    A label is any key of ``aliases`` (matched without regard to case or script:
    ``Alma:`` finds ``Алма``; the value is the canonical name) or, unless
    ``known_only``, 1-4 capitalised words (at most 40 characters, no digits).
    With ``qa_speakers`` the labels ``Q:``/``A:`` (also ``Question``/``Answer``,
    ``Вопрос``/``Ответ``, ``Сұрақ``/``Жауап``) name the interviewer and the
    interviewee. Editorial words (``Note:``) and times (``12:30``) are not labels.

    ``known_only`` is for a recording whose manifest lists its speakers: then
    "Короче: мы не можем" is speech, not a speaker called "Короче".

    >>> split_speaker_label("Alma Nurusheva: We applied eight times.")
    ('Alma Nurusheva', 'We applied eight times.')
    >>> split_speaker_label("Note: edited for brevity.")
    (None, 'Note: edited for brevity.')
    >>> split_speaker_label("12:30 was the time.")
    (None, '12:30 was the time.')
    >>> split_speaker_label("Короче: мы не можем", {"Алма": "Alma"}, known_only=True)
    (None, 'Короче: мы не можем')
    """
    m = _LABEL.match(text)
    if not m:
        return None, text
    label = " ".join(m.group(1).split())
    if not label:
        return None, text
    rest = text[m.end():]
    known = canonical_speaker(label, aliases)
    if known is not None:
        return known, rest
    if qa_speakers is not None and _fold(label) in _QA_LABELS:
        return qa_speakers[_QA_LABELS[_fold(label)]], rest
    if not known_only and _is_name(label):
        return label, rest
    return None, text


def canonical_speaker(label: str, aliases: Mapping[str, str] | None) -> str | None:
    """The manifest's name for a speaker label (``Алма`` → ``Alma Nurusheva``).

    Case, Unicode composition and script do not matter: ``АЛМА``, ``Alma`` and
    ``Aлма`` (a Latin ``A``) all find ``Алма``. A spelling in Latin letters that
    two speakers share finds neither.
    """
    if not aliases:
        return None
    folded = _fold(label)
    for key, name in aliases.items():
        if _fold(key) == folded:
            return name
    latin = _latin_fold(label)
    found = {name for key, name in aliases.items() if _latin_fold(key) == latin}
    return found.pop() if len(found) == 1 else None


# A subtitling dash: "- " (or an en/em dash) at the start of a line marks a new speaker.
_DASH = re.compile(r"^[-–—][ \t]+")


def cue_speaker(
    lines: list[str],
    carried: str | None,
    aliases: Mapping[str, str] | None = None,
    qa_speakers: tuple[str, str] | None = None,
    *,
    known_only: bool = False,
) -> tuple[str | None, str]:
    """Speaker and speech text of one cue, given the speaker carried from earlier cues.

    A ``Name:`` label at the start (after an optional dialogue dash, which then
    goes too) names the speaker; with no label the carried speaker goes on. A
    cue that starts with a dash but has no label, or holds two dash lines
    (dialogue), has an unknown speaker (None), and so do the cues after it
    until the next label: the dash says the speaker changed, not to whom.
    The text is kept as written, except the label (a cue holding only a label
    keeps it as its text: a cue is never empty). ``known_only``: see
    :func:`split_speaker_label`.
    """
    dashes = sum(1 for line in lines if _DASH.match(line))
    text = speech_text(" ".join(lines))
    if dashes >= 2:
        return None, text
    dash = _DASH.match(text)
    speaker, rest = split_speaker_label(
        text[dash.end():] if dash else text, aliases, qa_speakers, known_only=known_only
    )
    if speaker is not None and rest:  # a cue of only "Alma:" is text, not a label
        return speaker, rest
    return (None if dash else carried), text


# ---------------------------------------------------------------- text


def normalise(text: str) -> str:
    """Drop a leading BOM and turn CRLF/CR into LF (``textio.decode`` does this too;
    the readers may also be given text from elsewhere)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def speech_text(text: str) -> str:
    """One line with single spaces: tracks hold speech, not screen layout.

    >>> speech_text("  Тоқаев   said\\n that ")
    'Тоқаев said that'
    """
    return " ".join(text.split())


# A line probably meant as a timing line: it starts like a time and has an arrow,
# or it starts with a full h:m:s time.
TIMING_ISH = re.compile(r"\s*\d+\s*[,.:，．。：]\s*\d+.*(?:-\s*-?\s*>|=>|→)|\s*\d+:\d+:\d+")


def line_at(text: str, offset: int) -> int:
    """1-based line number of a character offset in LF-normalised text."""
    return text.count("\n", 0, offset) + 1


# ---------------------------------------------------------------- times


def format_ms(ms: int, decimal: str = ",") -> str:
    """``HH:MM:SS,mmm`` (SubRip) or, with ``decimal="."``, ``HH:MM:SS.mmm`` (WebVTT).

    >>> format_ms(3_723_004)
    '01:02:03,004'
    """
    sign = "-" if ms < 0 else ""
    s, milli = divmod(abs(ms), 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{sign}{h:02d}:{m:02d}:{s:02d}{decimal}{milli:03d}"


MAX_HOUR_DIGITS = 9  # 999,999,999 hours; more is a broken file, and int() of thousands of digits fails


def clock_ms(raw: str, m: re.Match[str] | None, what: str, number: int, path: str, line: int, expected: str) -> int:
    """Milliseconds of a cue time matched as ``(hours or None, minutes, seconds, milliseconds)``."""
    if m is None:
        raise InputError(f"broken {what} time {raw[:40]!r} in cue {number}; {expected}", path, line)
    hours, minutes, seconds, millis = m.groups()
    if hours and len(hours) > MAX_HOUR_DIGITS:
        raise InputError(f"{what} time of cue {number} out of range (more than {MAX_HOUR_DIGITS} hour digits)", path, line)
    if int(minutes) > 59 or int(seconds) > 59:
        raise InputError(f"{what} time {raw!r} of cue {number} has minutes or seconds above 59", path, line)
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def check_cue_times(
    path: str | None, line: int | None, number: int, start: int, end: int,
    previous: tuple[int, int, int] | None, decimal: str = ",",
) -> None:
    """Raise unless cue ``number`` runs forwards and after the previous cue.

    ``previous`` is ``(number, start, end)`` of the cue before, or None.
    Overlapping cues are refused: a transcript track is one voice at a time
    and later steps (alignment, captions) rely on the order.
    """
    f = lambda ms: format_ms(ms, decimal)  # noqa: E731
    if end <= start:
        raise InputError(
            f"cue {number} runs backwards or has no duration ({f(start)} --> {f(end)}); "
            "expected the end after the start", path, line,
        )
    if previous is None:
        return
    pnum, pstart, pend = previous
    if start < pstart:
        raise InputError(
            f"cue {number} starts at {f(start)}, before cue {pnum} ({f(pstart)}); "
            "expected cues in time order", path, line,
        )
    if start < pend:
        raise InputError(
            f"cue {number} starts at {f(start)}, before cue {pnum} ends ({f(pend)}); "
            "expected cues that do not overlap", path, line,
        )


def no_cues(path: str, text: str) -> InputError:
    """The error for a subtitle file without a single cue."""
    return InputError("no cues (empty track); expected at least one timed cue", path, max(1, line_at(text, len(text.rstrip()))))


# ---------------------------------------------------------------- writers

_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Invisible (a zero-width no-break character): written inside a pattern, it
# keeps every reader from seeing the pattern and changes nothing on screen.
WORD_JOINER = "\u2060"
# pysubs2 reads any line holding two of these (its SubRip and its WebVTT
# timestamp; ``\d`` is any decimal digit, as in pysubs2) as a timing line, in
# .srt and .vtt alike, arrow or not.
_CLOCK = re.compile(r"\d{1,2}:\d{1,2}:\d{1,2}[.,]\d|\d{2}:\d{2}\.\d{2}")
_DIGIT_COLON = re.compile(r"(?<=\d):(?=\d)")


def defuse_times(line: str) -> str:
    """``line`` with a word joiner after every colon between digits when it holds a
    timestamp, so that no subtitle reader takes it for a timing line.

    >>> defuse_times("at 00:01:02,500 and 00:01:04,000") == "at 00:\u206001:\u206002,500 and 00:\u206001:\u206004,000"
    True
    >>> defuse_times("at 12:30")
    'at 12:30'
    """
    return _DIGIT_COLON.sub(":" + WORD_JOINER, line) if _CLOCK.search(line) else line


def safe_lines(lines: Iterable[str]) -> list[str]:
    """Cue lines as a subtitle file can hold them: no line breaks inside a line,
    no control characters (they become spaces), no blank lines, ends stripped,
    and no timestamps a reader could take for a timing line (:func:`defuse_times`)."""
    out: list[str] = []
    for raw in lines:
        for part in _LINE_BREAKS.split(str(raw)):
            part = _CONTROLS.sub(" ", part).strip()
            if part:
                out.append(defuse_times(part))
    return out


def no_arrows(line: str) -> str:
    """``line`` with every ``-->`` written ``->`` (``--->`` too: a pass can make a new one)."""
    while "-->" in line:
        line = line.replace("-->", "->")
    return line


def checked_cues(
    cues: Iterable[Cue], make_safe: Callable[[list[str]], list[str]], decimal: str = ",",
) -> list[tuple[Cue, list[str]]]:
    """Validate cues for writing; return each with its safe lines.

    A writer must never drop or reorder a cue silently (``srt.compose`` drops
    empty and zero-length ones and sorts by time): anything it cannot write as
    given is an :class:`InputError` naming the cue (its ``index``, else its
    1-based position).
    """
    out: list[tuple[Cue, list[str]]] = []
    previous: tuple[int, int, int] | None = None
    for position, cue in enumerate(cues, 1):
        number = cue.index or position
        lines = make_safe(safe_lines(cue.lines))
        if not lines:
            raise InputError(f"cue {number} has no text; expected at least one non-blank line")
        if cue.start_ms < 0:
            raise InputError(f"cue {number} starts before 0 ({format_ms(cue.start_ms, decimal)})")
        check_cue_times(None, None, number, cue.start_ms, cue.end_ms, previous, decimal)
        previous = (number, cue.start_ms, cue.end_ms)
        out.append((cue, lines))
    if not out:
        raise InputError("no cues to write; expected at least one cue")
    return out
