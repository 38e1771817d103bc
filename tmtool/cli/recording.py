"""``tmtool new`` and ``tmtool info``: scaffold and inspect a recording."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tmtool import project
from tmtool.cli import cli
from tmtool.cli.options import encoding_option, format_option
from tmtool.model import Recording


@cli.command()
@click.argument("recording_id")
@click.option("--title", default="", help="Title of the recording.")
@click.option("--lang", "langs", multiple=True, default=("en", "kk", "ru"), show_default=True,
              help="Languages of its tracks; repeat for several.")
def new(recording_id: str, title: str, langs: tuple[str, ...]) -> None:
    """Scaffold transcripts/RECORDING_ID/ with a recording.toml to fill in."""
    langs = project.new_languages(langs)
    folder = project.create_recording(Path.cwd(), recording_id, title, langs)
    click.echo(f"Created {folder / project.MANIFEST}", err=True)
    click.echo(f"Add one track per language next to it: {', '.join(project.track_names(langs))} "
               "(txt, srt or vtt).", err=True)


def info_dict(rec: Recording) -> dict:
    """What ``info`` shows, as plain data (also the JSON output)."""
    from tmtool.segment import sentences

    m = rec.manifest
    tracks = []
    for t in rec.tracks:
        # Only a track timed throughout is used for timing (build, export): a span
        # from a few stamps would promise what the captions will not have.
        span = t.span_ms if t.timed else None
        tracks.append({
            "file": t.source,
            "language": t.language,
            "format": t.format,
            "segments": len(t.segments),
            "sentences": len(sentences(t.segments, t.language)),
            "timed": t.timed,
            "timed_segments": sum(1 for s in t.segments if s.timed),
            "stamped_segments": sum(1 for s in t.segments if s.start_ms is not None),
            "span": [project.format_time(span[0]), project.format_time(span[1])] if span else None,
            "speakers": list(t.speakers),
        })
    return {
        "id": m.id,
        "title": m.title,
        "date": m.date,
        "source_language": m.source_language,
        "languages": list(m.languages),
        "duration": project.format_time(m.duration_ms) if m.duration_ms is not None else None,
        "media": m.media,
        "speakers": [{"name": s.name, "role": s.role} for s in m.speakers],
        "tracks": tracks,
        "missing_tracks": project.missing_tracks(rec),
    }


@cli.command()
@click.argument("recording")
@encoding_option
@format_option("table", "json")
def info(recording: str, encoding: str | None, fmt: str) -> None:
    """Show a recording's tracks, languages, segments, speakers and timing.

    RECORDING is a folder (transcripts/ID) or an id under ./transcripts.
    """
    rec = project.load_recording(recording, encoding=encoding)
    data = info_dict(rec)
    _, folder = project.resolve(recording)
    data["ignored_files"] = project.stray_tracks(folder, rec.manifest)
    for name in data["ignored_files"]:
        click.echo(f"warning: {name} is not read: its language is not in the manifest's "
                   f"languages ({', '.join(project.track_languages(rec.manifest))})", err=True)
    for t in data["tracks"]:
        if not t["timed"] and t["stamped_segments"]:
            click.echo(f"warning: {t['file']}: {t['timed_segments']} of {t['segments']} segments have a start "
                       "and an end, so the track counts as untimed; every one needs both "
                       "(in a .txt, end the last paragraph with a closing stamp, e.g. [00:12:30])", err=True)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"Recording  {data['id']}" + (f" — {data['title']}" if data["title"] else ""))
    for label, key in (("Date", "date"), ("Duration", "duration"), ("Media", "media")):
        if data[key]:
            click.echo(f"{label:<10} {data[key]}")
    speakers = ", ".join(s["name"] + (f" ({s['role']})" if s["role"] else "") for s in data["speakers"])
    click.echo(f"{'Speakers':<10} {speakers or '-'}")
    click.echo(f"{'Source':<10} {data['source_language']} (msgids)")
    click.echo()
    head = f"{'track':<12} {'lang':<8} {'segments':>8} {'sentences':>9}  {'timed':<5}  {'span':<27}  speakers"
    click.echo(head)
    click.echo("-" * len(head))
    for t in data["tracks"]:
        span = f"{t['span'][0]}–{t['span'][1]}" if t["span"] else "-"
        timed = "yes" if t["timed"] else "part" if t["stamped_segments"] else "no"
        click.echo(f"{t['file']:<12} {t['language']:<8} {t['segments']:>8} {t['sentences']:>9}  "
                   f"{timed:<5}  {span:<27}  {', '.join(t['speakers']) or '-'}")
    for lang in data["missing_tracks"]:
        click.echo(f"{'(missing)':<12} {lang:<8} {'-':>8} {'-':>9}  {'-':<5}  {'-':<27}  -")
