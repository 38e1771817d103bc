"""The main job and the exports' I/O: read a recording and its catalogues, write what people use.

``tmtool build`` runs, for each recording under ``transcripts/``: sentence
splitting of the English, alignment with each source track (with a lexicon
learned from the language's translation memory), the catalogue update, pre-
filling empty entries from the memory, and then the captions and bilingual
text under ``build/<recording>/``, named as video players look for them next
to the video: ``<id>.kk.srt``, ``<id>.ru.vtt``, ``<id>.kk+en.srt``,
``<id>.kk+en.html``.

The pure work is elsewhere (:mod:`tmtool.align`, :mod:`tmtool.catalog`,
:mod:`tmtool.timing`, :mod:`tmtool.captions`, :mod:`tmtool.export`); this module
reads and writes files and strings them together.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tmtool import captions as cap
from tmtool import export
from tmtool.errors import InputError, RecordingError, TmtoolError
from tmtool.model import Bead, Recording
from tmtool.textio import atomic_write

__all__ = [
    "Loaded",
    "RecordingBuild",
    "STEPS",
    "align_recording",
    "build",
    "build_recording",
    "caption_files",
    "caption_result",
    "check_captions",
    "export_captions",
    "export_text",
    "load",
    "profiles_for",
    "source_tracks",
    "untracked_languages",
]

BUILD_DIR = "build"
#: Steps of one recording's build, for a progress bar.
STEPS = ("align", "catalogues", "memory", "captions", "text")


# --- a recording with its catalogues -----------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A recording, its catalogues read into rows, and what timing it has."""

    root: Path
    folder: Path
    recording: Recording
    rows: tuple[export.Row, ...]
    languages: tuple[str, ...]  # the source language first, then each language with a catalogue
    timed: tuple[str, ...]  # languages whose tracks are timed, in the manifest's order

    @property
    def id(self) -> str:
        return self.recording.id


def load(recording: str | Path, root: Path | None = None, *, encoding: str | None = None) -> Loaded:
    """Read a recording and every catalogue of it (``.pot`` and each ``.po``)."""
    from tmtool.formats import po
    from tmtool.project import load_recording, resolve

    proot, folder = resolve(recording, root)
    rec = load_recording(folder, proot, encoding=encoding)
    src = rec.manifest.source_language
    wanted = [t.language for t in rec.tracks] + list(rec.manifest.languages)
    catalogs = {}
    for lang in dict.fromkeys(wanted):
        if lang == src:
            continue
        path = po.catalog_paths(proot, rec.id, lang)
        if path.is_file():
            catalogs[lang] = po.read_po(path)
    pot_path = po.catalog_paths(proot, rec.id)
    template = po.read_po(pot_path) if pot_path.is_file() else None
    if template is None and not catalogs:
        raise RecordingError(f"no catalogues for {rec.id} yet (run: tmtool build {rec.id})", str(pot_path.parent))
    _check_current(proot, rec, template, catalogs)
    tracks = {t.language: t for t in rec.tracks}
    rows = export.rows_from_catalogs(template, catalogs, tracks, source_language=src, recording_id=rec.id)
    timed = tuple(t.language for t in rec.tracks if t.timed)
    return Loaded(proot, folder, rec, tuple(rows), (src, *catalogs), timed)


def _check_current(root: Path, rec: Recording, template, catalogs) -> None:
    """Refuse catalogues built from another version of a track: their cues would be wrong."""
    from tmtool import catalog as cat
    from tmtool.formats import po

    tracks = {t.source: t.segments for t in rec.tracks}
    for lang, catalog in [(None, template), *catalogs.items()]:
        if catalog is None:
            continue
        changed = cat.changed_tracks(catalog, tracks)
        if changed:
            line = catalog.header.line if catalog.header is not None and catalog.header.line else None
            raise RecordingError(
                f"built from an earlier version of {', '.join(changed)}; align again first: tmtool align {rec.id}",
                str(po.catalog_paths(root, rec.id, lang)), line)


def _check_langs(loaded: Loaded, langs: Sequence[str]) -> list[str]:
    from tmtool import languages

    out = []
    for x in langs:
        lang = languages.normalize(x)
        if lang not in loaded.languages:
            have = ", ".join(loaded.languages)
            raise RecordingError(f"no {lang} catalogue for {loaded.id} (it has {have})")
        out.append(lang)
    return out


def profiles_for(
    loaded: Loaded, langs: Sequence[str], overrides: Mapping[str, object] | None = None
) -> dict[str, cap.CaptionProfile]:
    """Each language's caption limits: defaults, then the manifest's ``[captions]``, then flags."""
    from tmtool.project import MANIFEST

    settings = loaded.recording.manifest.captions
    out = {}
    for lang in langs:
        values = {**settings.get("", {}), **settings.get(lang, {}), **(overrides or {})}
        try:
            out[lang] = cap.profile_for(lang, **values)
        except InputError as exc:
            raise exc.located(str(loaded.folder / MANIFEST)) from None
    return out


def _duration(loaded: Loaded, duration_ms: int | None) -> int | None:
    return duration_ms if duration_ms is not None else loaded.recording.manifest.duration_ms


# --- exports -------------------------------------------------------------------------------------


def caption_result(
    loaded: Loaded,
    langs: Sequence[str],
    *,
    fallback: str | None = None,
    duration_ms: int | None = None,
    overrides: Mapping[str, object] | None = None,
) -> export.CaptionResult:
    """The cues of one language or two stacked, what they break, and what to tell the user."""
    langs = _check_langs(loaded, langs)
    if fallback is not None:
        fallback = _check_langs(loaded, [fallback])[0]
    profiles = profiles_for(loaded, langs, overrides)
    return export.make_captions(
        loaded.rows, langs, profiles, timed=loaded.timed, fallback=fallback,
        duration_ms=_duration(loaded, duration_ms),
    )


def export_captions(
    loaded: Loaded,
    langs: Sequence[str],
    fmt: str,
    *,
    fallback: str | None = None,
    duration_ms: int | None = None,
    overrides: Mapping[str, object] | None = None,
) -> tuple[str, export.CaptionResult]:
    """SRT or VTT text of one language or two stacked, and the result (cues, messages)."""
    result = caption_result(loaded, langs, fallback=fallback, duration_ms=duration_ms, overrides=overrides)
    return export.compose(result, fmt, title=loaded.recording.manifest.title), result


def export_text(
    loaded: Loaded, langs: Sequence[str], fmt: str, layout: str = "side-by-side", *, duration_ms: int | None = None
) -> str:
    """The bilingual text document in ``fmt`` (txt, md, html, csv)."""
    langs = _check_langs(loaded, langs)
    doc = export.make_document(
        loaded.rows, langs, title=loaded.recording.manifest.title, recording=loaded.id,
        timed=loaded.timed, duration_ms=_duration(loaded, duration_ms),
    )
    return export.render_text(doc, fmt, layout)


def check_captions(
    loaded: Loaded,
    langs: Sequence[str] = (),
    *,
    duration_ms: int | None = None,
    overrides: Mapping[str, object] | None = None,
) -> dict[str, export.CaptionResult]:
    """Each language's captions (as ``tmtool export`` makes them), with what they break."""
    langs = _check_langs(loaded, langs) if langs else list(loaded.languages)
    out = {}
    for lang in langs:
        profiles = profiles_for(loaded, [lang], overrides)
        out[lang] = export.make_captions(
            loaded.rows, [lang], profiles, timed=loaded.timed, duration_ms=_duration(loaded, duration_ms)
        )
    return out


# --- the main job --------------------------------------------------------------------------------


@dataclass
class RecordingBuild:
    """What building one recording wrote and what it has to say."""

    id: str
    written: list[Path] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    error: str | None = None


def _lexicon(root: Path, lang: str, source: str):  # type: ignore[no-untyped-def]
    """Word translations learned from the confirmed entries of the language's memory.

    Entries the aligner wrote and nobody touched are left out: learning from them would
    feed the aligner's own guesses back into the next run (and make re-runs drift).
    """
    from tmtool.align import Lexicon
    from tmtool.memory import load_memory

    loaded = load_memory(root, lang)
    pairs = [(e.source, e.target) for e in loaded.memory if e.target and not e.fuzzy and not e.automatic]
    if not pairs:
        return None, loaded.warnings
    lex = Lexicon.from_pairs(pairs, source, lang)
    return (lex if len(lex) else None), loaded.warnings


def source_tracks(rec: Recording, langs: Sequence[str] = ()) -> list:
    """The tracks to align with the English: every other track, or those in ``langs``."""
    from tmtool import languages

    others = [t for t in rec.tracks if t.language != rec.manifest.source_language]
    if langs:
        wanted = {languages.normalize(x) for x in langs}
        missing = wanted - {t.language for t in others} - set(untracked_languages(rec))
        if missing:
            raise RecordingError(f"no track for {', '.join(sorted(missing))}", f"transcripts/{rec.id}")
        others = [t for t in others if t.language in wanted]
    return others


def untracked_languages(rec: Recording, langs: Sequence[str] = ()) -> list[str]:
    """Languages the manifest names that have no track yet (translated from the English alone)."""
    from tmtool import languages

    have = {t.language for t in rec.tracks} | {rec.manifest.source_language}
    out = [x for x in rec.manifest.languages if x not in have]
    if langs:
        wanted = {languages.normalize(x) for x in langs}
        out = [x for x in out if x in wanted]
    return out


def alignments(root: Path, rec: Recording, langs: Sequence[str] = (), *, embed: bool = False) -> tuple[dict, list[str]]:
    """Align the English sentences with each source track (or those in ``langs``).

    ``embed`` adds the embedding scorer's evidence (:mod:`tmtool.align.embed`, an optional extra).

    Returns ``{lang: (english_sentences, source_segments, beads)}`` and warnings.
    """
    from tmtool.align import align
    from tmtool.limits import check_segments
    from tmtool.segment import sentences

    src = rec.manifest.source_language
    try:
        english = rec.track(src)
    except KeyError:
        raise RecordingError(f"no {src} track to align with (the published transcript, e.g. {src}.txt)",
                             f"transcripts/{rec.id}") from None
    others = source_tracks(rec, langs)
    left = sentences(english.segments, english.language)
    check_segments(len(left), f"{src} sentences", f"transcripts/{rec.id}/{english.source}")
    out = {}
    messages: list[str] = []
    for track in others:
        check_segments(len(track.segments), f"{track.language} segments", f"transcripts/{rec.id}/{track.source}")
        lexicon, warnings = _lexicon(root, track.language, src)
        messages += warnings
        right = list(track.segments)
        vectors = None
        if embed:
            from tmtool.align.embed import sentence_vectors
            vectors = sentence_vectors([s.text for s in left], [s.text for s in right])
        beads = align(left, right, src, track.language, lexicon=lexicon, vectors=vectors)
        short = _partial_track(english, track, rec.manifest.duration_ms)
        if short:
            # The aligner assumes both sides tell the whole interview: a track that stops early
            # is spread over all of the English, with nothing to say where it really ends.
            beads = [dataclasses.replace(b, confidence=min(b.confidence, PARTIAL_CONFIDENCE)) for b in beads]
            messages.append(f"{track.language}: {track.source} {short}: every alignment of it is marked fuzzy "
                            "(finish the track, or check each entry)")
        out[track.language] = (left, right, beads)
    return out, messages


#: Confidence ceiling for a track that covers only part of the recording (below the fuzzy threshold).
PARTIAL_CONFIDENCE = 0.3


def _partial_track(english, track, duration_ms: int | None) -> str | None:
    """Why ``track`` looks like it covers only part of what the English covers, or None.

    A timed track that ends before three quarters of the recording (its duration in the
    manifest, or the English track's own end when that is timed and later).
    """
    from tmtool.project import format_time

    span = track.span_ms
    if span is None:
        return None
    whole = duration_ms
    if english.timed and english.span_ms is not None:
        whole = english.span_ms[1] if whole is None else min(whole, english.span_ms[1])
    if not whole or span[1] >= 0.75 * whole:
        return None
    return f"ends at {format_time(span[1])[:8]}, the recording at {format_time(whole)[:8]}"


def align_recording(root: Path, rec: Recording, langs: Sequence[str] = (), *,
                    embed: bool = False) -> tuple[list[Path], list[str]]:
    """Align the English sentences with each source track and update the catalogues."""
    from tmtool.formats import po

    # A broken catalogue is reported before the alignment's work, not after it (update_catalogs
    # validates again under the lock: another process may have written in between).
    for lang in [None] + [t.language for t in source_tracks(rec, langs)] + untracked_languages(rec, langs):
        path = po.catalog_paths(root, rec.id, lang)
        if path.exists():
            po.read_po(path)
    found, messages = alignments(root, rec, langs, embed=embed)
    if found:
        english = next(iter(found.values()))[0]
    else:  # no source track: the template, for translators still to come
        from tmtool.segment import sentences

        track = rec.track(rec.manifest.source_language)
        english = sentences(track.segments, track.language)
    for lang in untracked_languages(rec, langs):
        # A language with no speech to align: an empty catalogue to translate (and pre-fill).
        # One that exists already is left alone: its track may only be missing for now, and
        # merging nothing into it would empty every entry the aligner filled.
        if not po.catalog_paths(root, rec.id, lang).exists():
            found[lang] = (english, [], [Bead((i,), (), 0.0) for i in range(len(english))])
    written = po.update_catalogs(root, rec, found, english=english)
    return written, messages


def caption_files(recording_id: str, languages: Sequence[str], source: str) -> list[tuple[list[str], str]]:
    """``([langs], file name)`` of every caption and text file a build writes.

    >>> [n for _, n in caption_files("x", ["en", "kk"], "en")]
    ['x.en.srt', 'x.en.vtt', 'x.kk.srt', 'x.kk.vtt', 'x.kk+en.srt', 'x.kk+en.vtt', 'x.kk+en.html', 'x.kk+en.md']
    """
    out = []
    for lang in languages:
        for fmt in ("srt", "vtt"):
            out.append(([lang], f"{recording_id}.{lang}.{fmt}"))
    for lang in languages:
        if lang == source:
            continue
        for fmt in ("srt", "vtt", "html", "md"):
            out.append(([lang, source], f"{recording_id}.{lang}+{source}.{fmt}"))
    return out


def _write(path: Path, text: str, written: list[Path]) -> None:
    atomic_write(path, text)
    written.append(path)


def build_recording(
    root: Path, recording_id: str, *, step: Callable[[str], None] = lambda name: None
) -> RecordingBuild:
    """Build one recording (see the module docstring); ``step`` is called after each of :data:`STEPS`.

    A problem in one export (a language with nothing translated, no timing) is a
    message and the rest is still written; a broken input raises.
    """
    from tmtool.memory import pretranslate_recording
    from tmtool.project import load_recording

    out = RecordingBuild(recording_id)
    rec = load_recording(recording_id, root)
    written, messages = align_recording(root, rec)
    out.messages += messages
    step("align")
    step("catalogues")
    for lang in [t.language for t in source_tracks(rec)] + untracked_languages(rec):
        r = pretranslate_recording(root, rec.id, lang)
        out.messages += list(r.warnings)
        if r.exact or r.fuzzy:
            out.messages.append(f"{lang}: {r.exact + r.fuzzy} entries pre-filled from the memory "
                                f"({r.exact} exact, {r.fuzzy} fuzzy)")
    step("memory")
    loaded = load(recording_id, root)
    folder = root / BUILD_DIR / rec.id
    src = rec.manifest.source_language
    files = caption_files(rec.id, loaded.languages, src)
    results: dict[tuple[str, ...], export.CaptionResult | None] = {}
    said: set[str] = set()
    for langs, name in files:
        fmt = name.rsplit(".", 1)[1]
        if fmt not in ("srt", "vtt"):
            continue
        key = tuple(langs)
        if key not in results:  # srt and vtt of the same languages share their cues
            label = "+".join(langs) + " captions"
            try:
                results[key] = caption_result(loaded, langs)
            except TmtoolError as exc:
                results[key] = None
                out.messages.append(f"{label}: not written: {exc}")
            else:
                for m in results[key].messages:  # type: ignore[union-attr]
                    if m not in said:  # "kk: 2 untranslated …" holds for kk and kk+en alike
                        said.add(m)
                        out.messages.append(f"{label}: {m}")
        result = results[key]
        if result is not None:
            _write(folder / name, export.compose(result, fmt, title=rec.manifest.title), out.written)
    step("captions")
    for langs, name in files:
        fmt = name.rsplit(".", 1)[1]
        if fmt in ("html", "md"):
            _write(folder / name, export_text(loaded, langs, fmt), out.written)
    step("text")
    return out


def build(
    root: Path,
    recordings: Sequence[str] = (),
    *,
    step: Callable[[str], None] = lambda name: None,
) -> list[RecordingBuild]:
    """Build the named recordings, or every one under ``transcripts/``.

    A recording that fails (a broken track or catalogue) is reported in its
    :class:`RecordingBuild` and the others are still built.
    """
    from tmtool.project import list_recordings, resolve

    ids = []
    for r in recordings:
        _, folder = resolve(r, root)
        ids.append(folder.name)
    if not recordings:
        ids = list_recordings(root)
        if not ids:
            raise RecordingError("no recordings under transcripts/ (create one with: tmtool new ID)", str(root))
    results = []
    for rid in ids:
        done = 0

        def counted(name: str) -> None:
            nonlocal done
            done += 1
            step(name)

        try:
            results.append(build_recording(root, rid, step=counted))
        except TmtoolError as exc:
            results.append(RecordingBuild(rid, error=str(exc)))
            for _ in range(len(STEPS) - done):  # keep a progress bar's count right
                step("failed")
    return results
