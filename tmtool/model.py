"""The domain: a few small frozen values in the translator's and subtitler's words.

Times are integer milliseconds from the start of the recording (SRT and WebVTT
both have millisecond precision, so nothing is lost by rounding).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Segment:
    """One piece of a transcript track: a paragraph, a cue or a sentence.

    ``line`` is the 1-based line in the track file where the segment starts;
    ``cue`` is the cue number for SRT/WebVTT (1-based position in the file),
    ``part`` numbers the sentences cut out of one paragraph or cue (0 for the
    first). Together ``(line, part)`` locate a segment in its file.
    """

    text: str
    speaker: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    line: int = 0
    cue: int | None = None
    part: int = 0

    @property
    def timed(self) -> bool:
        return self.start_ms is not None and self.end_ms is not None


@dataclass(frozen=True)
class Track:
    """The transcript of one recording in one language, as read from one file."""

    language: str
    segments: tuple[Segment, ...]
    source: str = ""  # file name relative to the recording folder, e.g. "kk.srt"
    format: str = ""  # "txt", "srt" or "vtt"

    @property
    def timed(self) -> bool:
        """True when every segment carries start and end times."""
        return bool(self.segments) and all(s.timed for s in self.segments)

    @property
    def span_ms(self) -> tuple[int, int] | None:
        """First start and last end of the timed segments, or None."""
        times = [(s.start_ms, s.end_ms) for s in self.segments if s.timed]
        if not times:
            return None
        return min(t[0] for t in times), max(t[1] for t in times)  # type: ignore[type-var]

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for s in self.segments:
            if s.speaker:
                seen.setdefault(s.speaker, None)
        return tuple(seen)


@dataclass(frozen=True)
class Speaker:
    """A person in the recording; ``role`` is "question" or "answer" for Q/A transcripts."""

    name: str
    role: str | None = None
    aliases: tuple[str, ...] = ()  # labels used for this person in the tracks


@dataclass(frozen=True)
class Manifest:
    """The recording's ``recording.toml``."""

    id: str
    title: str = ""
    date: str = ""
    languages: tuple[str, ...] = ()
    source_language: str = "en"  # the language of the msgids (the published transcript)
    speakers: tuple[Speaker, ...] = ()
    media: str | None = None
    duration_ms: int | None = None
    encoding: dict[str, str] = field(default_factory=dict)  # per-track encoding overrides
    metadata: dict[str, str] = field(default_factory=dict)  # free extra fields
    # Caption limits from [captions] (key "", every language) and [captions.<lang>].
    captions: dict[str, dict[str, object]] = field(default_factory=dict)


@dataclass(frozen=True)
class Recording:
    """A manifest with the tracks read from its folder, one per language."""

    manifest: Manifest
    tracks: tuple[Track, ...]

    @property
    def id(self) -> str:
        return self.manifest.id

    def track(self, language: str) -> Track:
        for t in self.tracks:
            if t.language == language:
                return t
        raise KeyError(language)


@dataclass(frozen=True)
class Bead:
    """One step of an alignment: left segments ``left`` go with right segments ``right``.

    Indexes are 0-based positions in the two segment lists; either side may be
    empty (a deletion, 1-0 or 0-1). ``confidence`` is in [0, 1].
    """

    left: tuple[int, ...]
    right: tuple[int, ...]
    confidence: float

    @property
    def kind(self) -> str:
        """The bead type as aligners name it, e.g. ``"1-2"``."""
        return f"{len(self.left)}-{len(self.right)}"


@dataclass(frozen=True)
class Cue:
    """One caption on screen: lines of text between two times."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    index: int = 0
