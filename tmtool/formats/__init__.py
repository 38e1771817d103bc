"""Transcript and subtitle file formats: one module per format, each a pure reader/writer of text."""

from __future__ import annotations

from collections.abc import Callable

from tmtool.formats.plaintext import read_plaintext
from tmtool.formats.subrip import read_srt
from tmtool.formats.webvtt import read_vtt
from tmtool.model import Segment

# Track readers by file extension. All take ``(text, path, *, qa_speakers=None,
# speaker_aliases=None)``; the cue readers use ``qa_speakers`` only for Q:/A: labels.
READERS: dict[str, Callable[..., list[Segment]]] = {
    "txt": read_plaintext,
    "srt": read_srt,
    "vtt": read_vtt,
}
