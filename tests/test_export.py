"""Exports: catalogue entries + timing → cues (SRT/WebVTT) and bilingual text (tmtool.export)."""

from __future__ import annotations

import csv
import doctest
import html
import io
import re
from collections import Counter

import pysubs2
import pytest
import srt
import webvtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tmtool import export
from tmtool.captions import profile_for
from tmtool.catalog import Catalog, Entry
from tmtool.errors import TmtoolError
from tmtool.export import Row, caption_units, compose, make_captions, make_document, render_text, sound_cues
from tmtool.linebreak import words_of
from tmtool.model import Cue, Segment, Track
from tmtool.project import format_time

RID = "talk"
PROFILES = {lang: profile_for(lang) for lang in ("en", "kk", "ru")}


def test_doctests() -> None:
    assert doctest.testmod(export).failed == 0


def entry(msgid, msgstr="", time=None, refs=(), speaker=None, fuzzy=False, notes=(), ctx=None):
    comments = []
    if speaker:
        comments.append(f"speaker: {speaker}")
    if time:
        comments.append(f"time: {format_time(time[0])} --> {format_time(time[1])}")
    return Entry(msgid, msgstr, msgctxt=ctx, extracted_comments=tuple(comments), references=tuple(refs),
                 flags=("fuzzy",) if fuzzy else (), translator_comments=tuple(notes))


def kk_ref(line: int) -> str:
    return f"transcripts/{RID}/kk.srt:{line}"


EN_TEXT = ["Hello there.", "How are you?", "Fine, thanks.", "An English-only line."]
KK_TRACK = Track("kk", (
    Segment("Сәлем.", "Theo", 1000, 2000, line=1, cue=1),
    Segment("Қалайсыз?", "Theo", 2500, 4000, line=5, cue=2),
    Segment("Жақсы,", "Alma", 5000, 6000, line=9, cue=3),
    Segment("рақмет.", "Alma", 6000, 7000, line=13, cue=4),
), "kk.srt", "srt")
EN_TRACK = Track("en", tuple(Segment(t, line=2 * i + 1) for i, t in enumerate(EN_TEXT)), "en.txt", "txt")


def sample(kk_msgstrs=None, fuzzy=(), notes=None):
    """A small recording: four English sentences, three aligned to Kazakh cues."""
    kk_msgstrs = kk_msgstrs or ["Сәлем.", "Қалайсыз?", "Жақсы, рақмет.", ""]
    notes = notes or {}
    spans = [(1000, 2000), (2500, 4000), (5000, 7000), None]
    refs = [[kk_ref(1)], [kk_ref(5)], [kk_ref(9), kk_ref(13)], []]
    pot = Catalog(Entry("", "Language: \n"), tuple(
        entry(t, speaker="Theo" if i < 2 else "Alma", notes=notes.get(("en", i), ())) for i, t in enumerate(EN_TEXT)))
    kk = Catalog(Entry("", "Language: kk\n"), tuple(
        entry(t, kk_msgstrs[i], spans[i] if refs[i] else None, refs[i], fuzzy=i in fuzzy,
              notes=notes.get(("kk", i), ()))
        for i, t in enumerate(EN_TEXT)))
    return export.rows_from_catalogs(pot, {"kk": kk}, {"kk": KK_TRACK, "en": EN_TRACK}, recording_id=RID)


# --- rows -------------------------------------------------------------------------------------------


def test_rows_gather_text_speaker_and_own_timing():
    rows = sample()
    assert [r.msgid for r in rows] == EN_TEXT
    assert rows[0].texts == {"en": "Hello there.", "kk": "Сәлем."}
    assert rows[2].own == {"kk": (5000, 7000)}
    assert rows[3].own == {} and rows[3].text("kk") == ""
    assert [r.speaker for r in rows] == ["Theo", "Theo", "Alma", "Alma"]
    assert [p.text for p in rows[2].pieces["kk"]] == ["Жақсы,", "рақмет."]  # the speech pauses


def test_an_edited_translation_is_timed_as_one_piece():
    rows = sample(["Сәлем.", "Қалайсыз?", "Жақсы, көп рақмет.", ""])
    assert "kk" not in rows[2].pieces and rows[2].own["kk"] == (5000, 7000)
    units = caption_units(rows, "kk")
    assert units.units[-1].text == "Жақсы, көп рақмет."
    assert (units.units[-1].start_ms, units.units[-1].end_ms) == (5000, 7000)


def test_an_untimed_track_gives_no_own_timing():
    untimed = Track("kk", tuple(Segment(s.text, line=s.line) for s in KK_TRACK.segments), "kk.srt", "txt")
    pot = Catalog(None, (entry("Hello there."),))
    kk = Catalog(None, (entry("Hello there.", "Сәлем.", (1000, 2000), [kk_ref(1)]),))
    rows = export.rows_from_catalogs(pot, {"kk": kk}, {"kk": untimed}, recording_id=RID)
    assert rows[0].own == {}


def test_no_catalogue_is_an_error():
    with pytest.raises(TmtoolError, match="no catalogue"):
        export.rows_from_catalogs(None, {}, {})


# --- timing one language ------------------------------------------------------------------------------


def test_kazakh_units_follow_the_kazakh_cues_and_leave_out_the_untranslated():
    u = caption_units(sample(), "kk")
    assert [(x.text, x.start_ms, x.end_ms) for x in u.units] == [
        ("Сәлем.", 1000, 2000), ("Қалайсыз?", 2500, 4000), ("Жақсы,", 5000, 6000), ("рақмет.", 6000, 7000)]
    assert u.untranslated == 1 and u.fallback == 0 and u.rows == ((0,), (1,), (2,), (2,))


def test_english_borrows_the_kazakh_timing_and_interpolates_the_rest():
    u = caption_units(sample(), "en", order=["en", "kk"])
    assert [(x.start_ms, x.end_ms) for x in u.units[:3]] == [(1000, 2000), (2500, 4000), (5000, 7000)]
    last = u.units[3]
    assert last.text == "An English-only line." and last.start_ms >= 7000 and last.end_ms > last.start_ms
    assert u.interpolated == 1


def test_fallback_shows_the_english_and_counts_it():
    u = caption_units(sample(), "kk", order=["kk", "en"], fallback="en")
    assert u.units[-1].text == "An English-only line." and u.fallback == 1 and u.untranslated == 0


def test_one_segment_aligned_to_two_sentences_is_shown_once_in_its_language():
    pot = Catalog(None, (entry("We were rejected."), entry("Eight times.")))
    both = dict(time=(1000, 5000), refs=[kk_ref(1)])
    kk = Catalog(None, (entry("We were rejected.", "Бізді сегіз рет қабылдамады.", **both),
                        entry("Eight times.", "Бізді сегіз рет қабылдамады.", **both)))
    track = Track("kk", (Segment("Бізді сегіз рет қабылдамады.", None, 1000, 5000, line=1, cue=1),), "kk.srt", "srt")
    rows = export.rows_from_catalogs(pot, {"kk": kk}, {"kk": track}, recording_id=RID)
    kk_units = caption_units(rows, "kk")
    assert len(kk_units.units) == 1 and kk_units.rows == ((0, 1),)
    en_units = caption_units(rows, "en", order=["en", "kk"])
    (s0, e0), (s1, e1) = [(x.start_ms, x.end_ms) for x in en_units.units]
    assert s0 == 1000 and e0 == s1 and e1 == 5000 and e0 - s0 > e1 - s1  # shared by length


def test_fuzzy_entries_are_exported_and_counted():
    u = caption_units(sample(fuzzy=(1,)), "kk")
    assert "Қалайсыз?" in [x.text for x in u.units] and u.fuzzy == 1


# --- captions ------------------------------------------------------------------------------------------


def test_single_language_captions_and_messages():
    result = make_captions(sample(fuzzy=(0,)), ["kk"], PROFILES, timed=["kk"])
    assert [c.lines for c in result.cues][:2] == [("Сәлем.",), ("Қалайсыз?",)]
    text = "\n".join(result.messages)
    assert "kk: 1 untranslated entry left out" in text and "kk: 1 fuzzy" in text
    assert result.violations == {"kk": result.violations["kk"]}


def test_bilingual_cues_stack_the_first_language_above_with_the_same_times():
    result = make_captions(sample(), ["kk", "en"], PROFILES, timed=["kk"])
    first = result.cues[0]
    assert first.lines == ("Сәлем.", "Hello there.")
    assert (first.start_ms, first.end_ms) == (1000, 2000) or first.start_ms == 1000
    assert any(c.lines == ("An English-only line.",) for c in result.cues)  # no Kazakh for it
    swapped = make_captions(sample(), ["en", "kk"], PROFILES, timed=["kk"])
    assert swapped.cues[0].lines == ("Hello there.", "Сәлем.")
    assert [(c.start_ms, c.end_ms) for c in swapped.cues] == [(c.start_ms, c.end_ms) for c in result.cues]


def test_captions_take_one_or_two_different_languages():
    with pytest.raises(TmtoolError):
        make_captions(sample(), ["kk", "kk"], PROFILES)
    with pytest.raises(TmtoolError):
        make_captions(sample(), ["kk", "en", "ru"], PROFILES)


def test_nothing_translated_is_an_error_not_an_empty_file():
    with pytest.raises(TmtoolError, match="nothing to caption"):
        make_captions(sample(["", "", "", ""]), ["kk"], PROFILES, timed=["kk"])


def test_no_timing_at_all_spreads_the_duration_and_says_so():
    untimed = [Row(r.id, r.msgid, r.speaker, r.texts, r.fuzzy, {}, {}, r.notes) for r in sample()]
    with pytest.raises(TmtoolError, match="duration"):
        make_captions(untimed, ["en"], PROFILES)
    result = make_captions(untimed, ["en"], PROFILES, duration_ms=20000)
    assert result.estimated and any("estimated" in m for m in result.messages)
    vtt = compose(result, "vtt")
    assert vtt.split("\n")[2].startswith("NOTE ") and "estimated" in vtt
    assert len(webvtt.from_string(vtt).captions) == len(result.cues)
    assert "NOTE" not in compose(make_captions(sample(), ["en"], PROFILES, timed=["kk"]), "vtt")


def test_sound_cues_reports_every_cue_it_cannot_write():
    cues = [Cue(0, 1000, ("ok",), 1), Cue(1000, 1000, ("zero",), 2), Cue(500, 1500, ("overlap",), 3),
            Cue(2000, 3000, ("\x00", " "), 4), Cue(3000, 4000, ("fine",), 5)]
    good, problems = sound_cues(cues)
    assert [c.lines for c in good] == [("ok",), ("fine",)]
    assert len(problems) == 3
    assert "no duration" in problems[0] and "overlaps" in problems[1] and "no text" in problems[2]


def test_words_the_layout_loses_are_reported(monkeypatch):
    from tmtool import captions

    real = captions.layout

    def lossy(units, profile):
        r = real(units, profile)
        return captions.LayoutResult(r.cues[:-1], r.sources[:-1], r.violations)

    monkeypatch.setattr(captions, "layout", lossy)
    result = make_captions(sample(), ["kk"], PROFILES, timed=["kk"])
    assert "1 word of the text did not make it into a cue" in result.messages


def parsed_counts(srt_text: str, vtt_text: str) -> tuple[int, int, int, int]:
    a = len(list(srt.parse(srt_text)))
    b = len(webvtt.from_string(vtt_text).captions)
    c = len(pysubs2.SSAFile.from_string(srt_text, format_="srt"))
    d = len(pysubs2.SSAFile.from_string(vtt_text, format_="vtt"))
    return a, b, c, d


def test_exported_files_parse_with_srt_webvtt_and_pysubs2():
    for langs in (["kk"], ["en"], ["kk", "en"]):
        result = make_captions(sample(), langs, PROFILES, timed=["kk"])
        n = len(result.cues)
        assert parsed_counts(compose(result, "srt"), compose(result, "vtt", title="A talk")) == (n, n, n, n)


# Text that tries to break the file: arrows, blank lines, cue numbers, timestamps, markup.
_HOSTILE = st.sampled_from([
    "-->", " --> ", "- >", "--- >", "00:00:01,000 --> 00:00:02,000", "00:01.000", "12", "\n\n", "\n", "\r\n",
    "<b>", "</i>", "<v Alma>", "{\\an8}", "&amp;", "&", "<", ">", "WEBVTT", "NOTE", "1", "\u2028", "\t",
    "Тоқаев", "word", "сөз", "?", ".", " ",
])
_TEXT = st.lists(_HOSTILE, min_size=1, max_size=12).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TEXT, min_size=1, max_size=6), st.booleans())
def test_hostile_text_cannot_break_srt_or_vtt(texts, bilingual):
    rows = [Row(f"{i:08x}", f"Sentence {i}.", None, {"en": f"Sentence {i}.", "kk": t}, frozenset(),
                {"kk": (i * 4000, i * 4000 + 3000)}) for i, t in enumerate(texts)]
    langs = ["kk", "en"] if bilingual else ["kk"]
    try:
        result = make_captions(rows, langs, PROFILES, timed=["kk"])
    except TmtoolError:
        assert not bilingual and not any(words_of(t) for t in texts)  # nothing visible to caption
        return
    n = len(result.cues)
    s, v = compose(result, "srt"), compose(result, "vtt")
    assert parsed_counts(s, v) == (n, n, n, n)
    from tmtool.formats.subrip import read_srt
    from tmtool.formats.webvtt import read_vtt

    assert len(read_srt(s)) == n and len(read_vtt(v)) == n


def test_no_word_is_lost_between_the_catalogue_and_the_cues():
    rows = sample()
    result = make_captions(rows, ["kk", "en"], PROFILES, timed=["kk"])
    in_cues = Counter(w for c in result.cues for line in c.lines for w in line.split())
    expected = Counter(w for r in rows for lang in ("kk", "en") for w in words_of(r.text(lang)))
    assert in_cues == expected


# --- documents ---------------------------------------------------------------------------------------


def doc(**kw):
    notes = {("kk", 1): ("Formal «Сіз»; keep it.",), ("en", 0): ("Check the name <Theo> & co.",)}
    rows = sample(fuzzy=(2,), notes=notes, **kw)
    return make_document(rows, ["kk", "en"], title="A <talk> & \"more\"", recording=RID, timed=["kk"])


def test_document_rows_times_states_and_footnotes():
    d = doc()
    assert [r.start_ms for r in d.rows][:3] == [1000, 2500, 5000] and d.rows[3].start_ms >= 7000
    assert [c.state for c in d.rows[2].cells] == ["fuzzy", "translated"]
    assert [c.state for c in d.rows[3].cells] == ["missing", "translated"]
    assert d.footnotes == ("Check the name <Theo> & co.", "Formal «Сіз»; keep it.")
    assert d.rows[0].cells[1].notes == (1,) and d.rows[1].cells[0].notes == (2,)


def test_document_without_any_timing_still_renders():
    rows = [Row(r.id, r.msgid, r.speaker, r.texts, r.fuzzy, {}, {}, r.notes) for r in sample()]
    d = make_document(rows, ["kk", "en"])
    assert not d.timed and all(r.start_ms is None for r in d.rows)
    assert "Сәлем." in render_text(d, "txt")


@pytest.mark.parametrize("layout", ["side-by-side", "interleaved"])
def test_html_is_self_contained_escaped_and_prints_well(layout):
    out = render_text(doc(), "html", layout)
    assert out.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in out
    assert "@media print" in out and "page-break-inside: avoid" in out
    assert not re.search(r"<(link|script|img|iframe)\b|\bsrc=|https?://", out)  # nothing fetched
    assert "<Theo>" not in out and "&lt;Theo&gt; &amp; co." in out
    assert "A &lt;talk&gt; &amp; &quot;more&quot;" in out
    assert 'lang="kk"' in out and 'class="fuzzy"' in out
    assert 'href="#note-2"' in out and 'id="note-2"' in out
    assert html.unescape(re.sub(r"<[^>]+>", "", out)).count("Сәлем.") == 1


def test_html_cannot_be_broken_by_markup_in_a_translation():
    rows = sample(["</td></tr></table><script>alert(1)</script>", "Қалайсыз?", "Жақсы, рақмет.", ""])
    out = render_text(make_document(rows, ["kk", "en"]), "html")
    assert "<script>" not in out and "&lt;/td&gt;&lt;/tr&gt;" in out
    assert out.count("<tr") == len(rows) + 1  # header row + one per entry


def test_markdown_table_keeps_its_columns_whatever_the_text():
    rows = sample(["a | b *c* [x](y) <b>", "# not a heading", "Жақсы, рақмет.", ""])
    out = render_text(make_document(rows, ["kk", "en"]), "md")
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == len(rows) + 2
    for line in table:
        assert len(re.findall(r"(?<!\\)\|", line)) == 5  # 4 columns
    assert r"a \| b \*c\* \[x\](y) \<b\>" in out
    assert "[^2]" not in out  # no notes in this one


def test_markdown_footnotes_and_interleaved():
    out = render_text(doc(), "md", "interleaved")
    assert "[^1]: Check the name \\<Theo\\> & co." in out and "Hello there.[^1]" in out
    assert "**Theo**" in out and "**Alma**" in out


def test_csv_round_trips_and_defuses_formulas():
    rows = sample(["=HYPERLINK(\"x\")", "Қалайсыз?", "Жақсы, рақмет.", ""])
    out = render_text(make_document(rows, ["kk", "en"], timed=["kk"]), "csv")
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == ["entry", "start", "end", "speaker", "kk", "kk_state", "en", "en_state", "notes"]
    assert len(table) == len(rows) + 1
    assert table[1][4] == "'=HYPERLINK(\"x\")" and table[1][1] == "00:00:01.000"
    assert table[4][5] == "missing"


@pytest.mark.parametrize("layout", ["side-by-side", "interleaved"])
def test_plain_text_layouts(layout):
    out = render_text(doc(), "txt", layout)
    assert "Сәлем." in out and "Hello there.[1]" in out and "[2] Formal «Сіз»; keep it." in out
    assert "(?)" in out  # the fuzzy one
    if layout == "side-by-side":
        assert any(" | " in line for line in out.splitlines())
    else:
        assert "kk: Сәлем." in out and "en: Hello there.[1]" in out


def test_unknown_format_and_layout():
    with pytest.raises(TmtoolError):
        render_text(doc(), "docx")
    with pytest.raises(TmtoolError):
        render_text(doc(), "txt", "diagonal")


# --- speech aligned with no entry (0-1 beads) -----------------------------------------------------------


UNALIGNED_TRACK = Track("kk", KK_TRACK.segments[:2] + (
    Segment("Иә, солай.", "Theo", 4200, 4800, line=7, cue=9),  # the English left this out
) + KK_TRACK.segments[2:] + (Segment("Сау болыңыз.", "Alma", 8000, 9000, line=17, cue=10),), "kk.srt", "srt")


def unaligned_sample():
    pot = Catalog(None, tuple(entry(t) for t in EN_TEXT[:3]))
    kk = Catalog(None, (
        entry(EN_TEXT[0], "Сәлем.", (1000, 2000), [kk_ref(1)]),
        entry(EN_TEXT[1], "Қалайсыз?", (2500, 4000), [kk_ref(5)]),
        entry(EN_TEXT[2], "Жақсы, рақмет.", (5000, 7000), [kk_ref(9), kk_ref(13)]),
    ))
    return export.rows_from_catalogs(pot, {"kk": kk}, {"kk": UNALIGNED_TRACK, "en": EN_TRACK}, recording_id=RID)


def test_unreferenced_timed_segments_become_rows_in_speech_order():
    rows = unaligned_sample()
    assert [r.unaligned for r in rows] == [None, None, "kk", None, "kk"]
    assert rows[2].texts == {"kk": "Иә, солай."} and rows[2].own == {"kk": (4200, 4800)}
    assert rows[4].text("kk") == "Сау болыңыз." and rows[4].speaker == "Alma"


def test_kazakh_captions_include_unaligned_speech_english_do_not():
    rows = unaligned_sample()
    kk = caption_units(rows, "kk")
    assert [(x.text, x.start_ms) for x in kk.units] == [
        ("Сәлем.", 1000), ("Қалайсыз?", 2500), ("Иә, солай.", 4200), ("Жақсы,", 5000), ("рақмет.", 6000),
        ("Сау болыңыз.", 8000)]
    assert kk.unaligned == 2 and kk.untranslated == 0
    en = caption_units(rows, "en", order=["en", "kk"])
    assert [x.text for x in en.units] == EN_TEXT[:3] and en.unaligned == 0 and en.untranslated == 0
    result = make_captions(rows, ["kk"], PROFILES, timed=["kk"])
    assert any("2 speech segments aligned with no entry" in m for m in result.messages)
    assert "Иә, солай." in " ".join(" ".join(c.lines) for c in result.cues)


def test_bilingual_captions_show_unaligned_speech_with_an_empty_english_half():
    result = make_captions(unaligned_sample(), ["kk", "en"], PROFILES, timed=["kk"])
    cue = next(c for c in result.cues if "Иә, солай." in " ".join(c.lines))
    assert cue.lines == ("Иә, солай.",)
    text = " ".join(" ".join(c.lines) for c in result.cues)
    assert all(t in text for t in EN_TEXT[:3]) and "Сау болыңыз." in text


def test_documents_list_unaligned_speech_as_rows_without_english():
    doc = make_document(unaligned_sample(), ["kk", "en"], timed=["kk"])
    row = doc.rows[2]
    assert [c.text for c in row.cells] == ["Иә, солай.", ""] and row.cells[1].state == "unaligned"
    assert (row.start_ms, row.end_ms) == (4200, 4800)
    assert len(make_document(unaligned_sample(), ["en"], timed=["kk"]).rows) == 3
    assert "aligned with no sentence" in render_text(doc, "txt")
