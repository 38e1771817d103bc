"""Catalogue content, merging on re-run, notes, and the on-disk update under a lock."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tmtool import catalog as cat
from tmtool.catalog import Catalog, Entry, SourceTrack
from tmtool.errors import CatalogError, TmtoolError
from tmtool.formats import po
from tmtool.locking import lock_path, locked
from tmtool.model import Bead, Manifest, Recording, Segment, Track

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2025, 3, 1, 12, 30, tzinfo=timezone.utc)
REF_EN = "transcripts/rec/en.txt"
REF_KK = "transcripts/rec/kk.srt"


def en(*texts: str) -> list[Segment]:
    return [Segment(t, "Interviewer" if t.endswith("?") else "Alma", line=2 * i + 1) for i, t in enumerate(texts)]


def kk(*texts: str) -> list[Segment]:
    return [Segment(t, None, 1000 * i, 1000 * i + 900, line=4 * i + 1, cue=i + 1) for i, t in enumerate(texts)]


def one_to_one(n: int, confidence: float = 0.9) -> list[Bead]:
    return [Bead((i,), (i,), confidence) for i in range(n)]


def build(english, source, beads, threshold=cat.FUZZY_THRESHOLD) -> list[Entry]:
    return cat.build_catalog(english, REF_EN, SourceTrack("kk", source, beads, REF_KK), fuzzy_threshold=threshold)


def empty() -> Catalog:
    return Catalog(cat.new_header("rec", "kk", now=NOW), ())


# --- building ---------------------------------------------------------------------------------


def test_repeated_sentences_get_their_own_identity():
    english = en("Why do you think that is?", "Because.", "Why do you think that is?")
    entries = build(english, kk("Неге?", "Себебі.", "Неге?"), one_to_one(3))
    assert [e.msgctxt for e in entries] == [None, None, "occurrence 2"]
    assert len({cat.entry_id(e) for e in entries}) == 3
    # The first occurrence keeps a plain msgid: the memory shares it across recordings.
    assert entries[0].key == (None, "Why do you think that is?")


def test_entry_id_survives_edits_of_unrelated_lines():
    a = build(en("One.", "Why do you think that is?", "Three."), kk("1", "2", "3"), one_to_one(3))
    b = build(en("One changed a lot.", "Inserted.", "Why do you think that is?", "Three."), kk("1", "x", "2", "3"),
              one_to_one(4))
    assert cat.entry_id(a[1]) == cat.entry_id(b[2])
    assert cat.entry_id(a[2]) == cat.entry_id(b[3])


def test_entry_content_comments_references_and_fuzzy():
    english = en("What does Veritas do?", "We can't get registered.")
    source = kk("Veritas не істейді?", "Біз тіркеле\nалмаймыз.", "Иә.")
    beads = [Bead((0,), (0,), 0.83), Bead((1,), (1,), 0.2), Bead((), (2,), 0.0)]
    first, second = build(english, source, beads)
    assert first.msgstr == "Veritas не істейді?"
    assert "confidence: 0.83" in first.extracted_comments
    assert "time: 00:00:00.000 --> 00:00:00.900" in first.extracted_comments
    assert "speaker: Interviewer" in first.extracted_comments
    assert first.references == (f"{REF_EN}:1", f"{REF_KK}:1")
    assert not first.fuzzy
    # A cue's line break is layout, not content; low confidence is fuzzy.
    assert second.msgstr == "Біз тіркеле алмаймыз."
    assert second.fuzzy
    # A source segment no English sentence matches is kept on its neighbour.
    assert "unaligned kk: Иә." in second.extracted_comments
    assert cat.entry_time(second) == (1000, 1900)  # its own cue, not the unaligned one


def test_one_english_sentence_over_two_cues_spans_both():
    (entry,) = build(en("A long answer."), kk("Ұзын", "жауап."), [Bead((0,), (0, 1), 0.7)])
    assert entry.msgstr == "Ұзын жауап."
    assert cat.entry_time(entry) == (0, 1900)
    assert entry.references == (f"{REF_EN}:1", f"{REF_KK}:1", f"{REF_KK}:5")


def test_english_without_source_is_untranslated_not_fuzzy():
    (entry,) = build(en("Only English."), kk(), [Bead((0,), (), 0.0)])
    assert entry.msgstr == "" and not entry.fuzzy and not cat.aligner_owned(entry)


def test_translated_is_msgfmts_reading():
    """The first form decides; a fuzzy flag on an empty msgstr means untranslated (coverage.state)."""
    plural = Entry("a file", msgid_plural="files", msgstr_plural=("файл", "", "файлов"))
    assert (plural.state, plural.translated) == ("translated", True)
    assert Entry("a file", msgid_plural="files", msgstr_plural=("", "файла", "файлов")).state == "untranslated"
    assert Entry("Yes.", "", flags=("fuzzy",)).state == "untranslated"
    assert (Entry("Yes.", "Иә.", flags=("fuzzy",)).state, Entry("Yes.", "Иә.", flags=("fuzzy",)).translated) == (
        "fuzzy", False)
    assert Entry("Yes.", "Иә.").translated
    assert Entry("Yes.", "Иә.", obsolete=True).state is None and Entry("", "Language: kk\n").state is None


def test_fuzzy_threshold_is_configurable():
    english, source = en("A."), kk("А.")
    assert build(english, source, one_to_one(1, 0.6))[0].fuzzy is False
    assert build(english, source, one_to_one(1, 0.6), threshold=0.7)[0].fuzzy is True


def test_bad_bead_index_is_a_clear_error():
    with pytest.raises(TmtoolError, match="segment 5"):
        build(en("A."), kk("А."), [Bead((0,), (4,), 0.9)])


def test_plural_forms_come_from_babel():
    assert po.plural_forms_for("ru").startswith("nplurals=3;")
    assert po.plural_forms_for("kk") == "nplurals=2; plural=(n != 1);"
    assert po.plural_forms_for("en") == "nplurals=2; plural=(n != 1);"


def test_header_fields_in_gettext_order():
    h = cat.new_header("rec", "kk", now=NOW, language_team="Kazakh", plural_forms=po.plural_forms_for("kk"))
    keys = [line.split(":")[0] for line in h.msgstr.splitlines()]
    assert keys == ["Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date", "PO-Revision-Date",
                    "Last-Translator", "Language-Team", "Language", "MIME-Version", "Content-Type",
                    "Content-Transfer-Encoding", "Plural-Forms"]
    assert "PO-Revision-Date: 2025-03-01 12:30+0000\n" in h.msgstr


# --- merging ----------------------------------------------------------------------------------


def run(old: Catalog, english, source, beads) -> Catalog:
    return cat.merge(old, build(english, source, beads))


def edit(catalog: Catalog, msgid: str, **changes) -> Catalog:
    entries = tuple(dataclasses.replace(e, **changes) if e.msgid == msgid and not e.obsolete else e
                    for e in catalog.entries)
    return dataclasses.replace(catalog, entries=entries)


def live(catalog: Catalog, msgid: str) -> Entry:
    (e,) = [e for e in catalog.messages if e.msgid == msgid]
    return e


def test_aligner_output_is_refreshed_but_a_persons_is_not():
    english = en("One.", "Two.")
    c = run(empty(), english, kk("Бір.", "Екі."), one_to_one(2))
    c = edit(c, "One.", msgstr="Бір (translator).")
    c = run(c, english, kk("Бір!", "Екі!"), one_to_one(2))
    assert live(c, "One.").msgstr == "Бір (translator)."
    assert live(c, "Two.").msgstr == "Екі!"  # still the aligner's: refreshed


def test_removing_fuzzy_makes_it_the_translators():
    english = en("One.")
    c = run(empty(), english, kk("Бір."), one_to_one(1, 0.1))
    assert live(c, "One.").fuzzy
    c = dataclasses.replace(c, entries=tuple(e.with_fuzzy(False) for e in c.entries))
    c = run(c, english, kk("Басқа."), one_to_one(1, 0.1))
    e = live(c, "One.")
    assert e.msgstr == "Бір." and not e.fuzzy


def test_translator_comments_survive_every_kind_of_change():
    c = run(empty(), en("One.", "Two.", "Three."), kk("1", "2", "3"), one_to_one(3))
    c = edit(c, "One.", translator_comments=("note one",))
    c = edit(c, "Two.", translator_comments=("note two",))
    c = edit(c, "Three.", translator_comments=("note three",))
    c = run(c, en("One.", "Two, edited.", "Four."), kk("1", "2", "4"), one_to_one(3))
    assert live(c, "One.").translator_comments == ("note one",)
    assert live(c, "Two, edited.").translator_comments == ("note two",)
    (gone,) = [e for e in c.obsolete if e.msgid == "Three."]
    assert gone.translator_comments == ("note three",)


def test_changed_english_keeps_a_persons_translation_as_fuzzy_with_previous_msgid():
    c = run(empty(), en("Intro.", "We have applied eight times.", "End."), kk("1", "2", "3"), one_to_one(3))
    c = edit(c, "We have applied eight times.", msgstr="Біз сегіз рет өтініш бердік.")
    c = run(c, en("Intro.", "We have applied nine times.", "End."), kk("1", "2", "3"), one_to_one(3))
    e = live(c, "We have applied nine times.")
    assert e.msgstr == "Біз сегіз рет өтініш бердік."
    assert e.fuzzy and e.previous_msgid == "We have applied eight times."
    text = po.generate_po(dataclasses.replace(c, header=cat.new_header("rec", "kk", now=NOW)))
    assert '#| msgid "We have applied eight times."' in text


def test_vanished_sentence_becomes_obsolete_and_comes_back():
    c = run(empty(), en("Keep.", "Drop me."), kk("1", "2"), one_to_one(2))
    c = edit(c, "Drop me.", msgstr="Мені алып таста.")
    c = run(c, en("Keep."), kk("1"), one_to_one(1))
    assert [e.msgid for e in c.obsolete] == ["Drop me."]
    c = run(c, en("Keep.", "Drop me."), kk("1", "2"), one_to_one(2))
    assert live(c, "Drop me.").msgstr == "Мені алып таста."
    assert not c.obsolete


def test_untranslated_entry_without_notes_is_not_kept_as_obsolete():
    c = run(empty(), en("Keep.", "Gone."), kk("1"), [Bead((0,), (0,), 0.9), Bead((1,), (), 0.0)])
    c = run(c, en("Keep."), kk("1"), one_to_one(1))
    assert not c.obsolete


def test_similar_but_unrelated_sentence_elsewhere_is_not_matched():
    # PO-TRAPS: msgmerge matched "Enter a valid date." with "Enter a valid domain name.".
    c = run(empty(), en("Enter a valid date.", "Middle one.", "Other."), kk("1", "2", "3"), one_to_one(3))
    c = edit(c, "Enter a valid date.", msgstr="Күнді енгізіңіз.")
    c = run(c, en("Middle one.", "Other.", "Enter a valid domain name."), kk("2", "3", "4"), one_to_one(3))
    e = live(c, "Enter a valid domain name.")
    assert e.msgstr == "4" and e.previous_msgid is None
    assert [x.msgstr for x in c.obsolete] == ["Күнді енгізіңіз."]


WHY = "Why do you think that is?"


def test_deleting_the_first_of_a_repeated_sentence_keeps_the_second_its_translation():
    english = en("Start.", WHY, "Because of the law.", "Middle.", WHY, "End.")
    c = run(empty(), english, kk(*"123456"), one_to_one(6))
    entries = list(c.entries)
    entries[1] = dataclasses.replace(entries[1], msgstr="Translation for 01:34")
    entries[4] = dataclasses.replace(entries[4], msgstr="Translation for 04:22")
    c = dataclasses.replace(c, entries=tuple(entries))
    c = run(c, en("Start.", "Because of the law.", "Middle.", WHY, "End."), kk(*"13456"), one_to_one(5))
    (e,) = [e for e in c.messages if e.msgid == WHY]
    assert e.msgctxt is None and e.msgstr == "Translation for 04:22" and not e.fuzzy
    (gone,) = c.obsolete
    assert gone.msgstr == "Translation for 01:34" and gone.msgctxt == "occurrence 2"
    # gettext allows no two entries alike, obsolete or not: the file reads back.
    text = po.generate_po(dataclasses.replace(c, header=cat.new_header("rec", "kk", now=NOW)))
    assert po.parse_po(text.encode(), "x.po").entries == c.entries


def test_a_new_occurrence_inserted_earlier_does_not_take_the_others_translations():
    c = run(empty(), en("Start.", WHY, "Middle.", WHY), kk(*"1234"), one_to_one(4))
    entries = list(c.entries)
    entries[1] = dataclasses.replace(entries[1], msgstr="first")
    entries[3] = dataclasses.replace(entries[3], msgstr="second")
    c = dataclasses.replace(c, entries=tuple(entries))
    c = run(c, en(WHY, "Start.", WHY, "Middle.", WHY), kk(*"01234"), one_to_one(5))
    assert [e.msgstr for e in c.messages] == ["0", "1", "first", "3", "second"]
    assert not c.obsolete


@pytest.mark.parametrize("n", [3, 7])
def test_monotone_pairs_pair_the_nearest_in_order(n):
    assert cat._monotone_pairs([0, 5], [1, 4, 9]) == [(0, 0), (1, 1)]
    assert cat._monotone_pairs([8], [1, 4, 9]) == [(0, 2)]
    assert cat._monotone_pairs([1, 4, 9], [8]) == [(2, 0)]
    assert cat._monotone_pairs(list(range(n)), list(range(n))) == [(i, i) for i in range(n)]
    assert cat._monotone_pairs([], [1]) == []


def test_a_translation_a_person_cleared_is_not_filled_again():
    english = en("One.", "Two.")
    c = run(empty(), english, kk("Бір.", "Екі."), one_to_one(2))
    c = edit(c, "One.", msgstr="")
    for _ in range(2):  # and not on the run after either
        c = run(c, english, kk("Бір.", "Екі."), one_to_one(2))
        assert live(c, "One.").msgstr == "" and live(c, "Two.").msgstr == "Екі."
    # When the sentence itself changes, the alignment is new: the aligner fills it.
    c = run(c, en("One, edited.", "Two."), kk("Бір!", "Екі."), one_to_one(2))
    assert live(c, "One, edited.").msgstr == "Бір!"


def test_flags_a_person_adds_to_the_aligners_entry_are_kept():
    english = en("One.", "Two.")
    c = run(empty(), english, kk("Бір.", "Екі."), one_to_one(2, 0.1))
    c = edit(c, "One.", flags=("fuzzy", "checked-by-anna"))
    c = edit(c, "Two.", flags=("fuzzy", "no-wrap"))
    c = run(c, english, kk("Бір!", "Екі!"), one_to_one(2, 0.9))
    assert live(c, "One.").flags == ("checked-by-anna",) and live(c, "One.").msgstr == "Бір!"
    assert live(c, "Two.").flags == ("no-wrap",)


def test_merge_of_many_new_sentences_stays_usable():
    old = run(empty(), en(*[f"Sentence number {i} about topic {i % 97}." for i in range(1500)]),
              kk(*[str(i) for i in range(1500)]), one_to_one(1500))
    new = en(*[f"Completely different line {i} on subject {i % 89}." for i in range(1500)])
    merged = run(old, new, kk(*[str(i) for i in range(1500)]), one_to_one(1500))
    assert len(merged.messages) == 1500


# --- the property: no person's work is ever lost --------------------------------------------

WORDS = ["why", "do", "you", "think", "that", "is", "we", "applied", "eight", "times", "rights", "the", "government"]


class MergeMachine(RuleBasedStateMachine):
    """Random edits of English, source and catalogue, then re-runs: a person's work survives."""

    def __init__(self) -> None:
        super().__init__()
        self.english = ["why do you think that is?", "we applied eight times.", "why do you think that is?"]
        self.source = ["S-why", "S-applied", "S-why-2"]
        self.catalog = cat.merge(empty(), self._build())
        self.texts: set[str] = set()  # msgstrs a person wrote or confirmed
        self.comments: set[str] = set()
        self.n = 0
        self.synced = True

    def _build(self) -> list[Entry]:
        n = len(self.english)
        beads = [Bead((i,), (i,) if i < len(self.source) else (), 0.9 if i % 2 else 0.3) for i in range(n)]
        beads += [Bead((), (j,), 0.0) for j in range(n, len(self.source))]
        return build(en(*self.english), kk(*self.source), beads)

    def _fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    @rule(i=st.integers(0, 50), words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
    def edit_english(self, i: int, words: list[str]) -> None:
        self.synced = False
        self.english[i % len(self.english)] = " ".join(words) + "."

    @rule(i=st.integers(0, 50), words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
    def insert_english(self, i: int, words: list[str]) -> None:
        self.synced = False
        self.english.insert(i % (len(self.english) + 1), " ".join(words) + "?")

    @precondition(lambda self: len(self.english) > 1)
    @rule(i=st.integers(0, 50))
    def delete_english(self, i: int) -> None:
        self.synced = False
        del self.english[i % len(self.english)]

    @rule(i=st.integers(0, 50))
    def edit_source(self, i: int) -> None:
        self.source[i % len(self.source)] = self._fresh("S")

    @rule(i=st.integers(0, 50), fuzzy=st.booleans())
    def translator_edits(self, i: int, fuzzy: bool) -> None:
        msgs = self.catalog.messages
        e = msgs[i % len(msgs)]
        text = self._fresh("T")
        self.texts.discard(e.msgstr)  # the person replaced their own earlier text
        self._replace(e, dataclasses.replace(e, msgstr=text).with_fuzzy(fuzzy))
        if not fuzzy:
            self.texts.add(text)

    @rule(i=st.integers(0, 50))
    def translator_adds_note(self, i: int) -> None:
        msgs = self.catalog.messages
        note = self._fresh("N")
        self.catalog = cat.add_note(self.catalog, msgs[i % len(msgs)], note)
        self.comments.add(note)

    @rule(i=st.integers(0, 50))
    def translator_removes_fuzzy(self, i: int) -> None:
        fuzzy = [e for e in self.catalog.messages if e.fuzzy and e.msgstr]
        if fuzzy:
            e = fuzzy[i % len(fuzzy)]
            self._replace(e, e.with_fuzzy(False))
            self.texts.add(e.msgstr)

    @rule()
    def rerun_align(self) -> None:
        merged = cat.merge(self.catalog, self._build())
        # Through the file format too: what is written is what is read back.
        text = po.generate_po(merged)
        self.catalog = po.parse_po(text)
        self.synced = True
        assert po.generate_po(self.catalog) == text

    def _replace(self, old: Entry, new: Entry) -> None:
        self.catalog = dataclasses.replace(
            self.catalog, entries=tuple(new if e is old else e for e in self.catalog.entries))

    @invariant()
    def nothing_lost(self) -> None:
        msgstrs = {e.msgstr for e in self.catalog.entries}
        comments = {c for e in self.catalog.entries for c in e.translator_comments}
        assert self.texts <= msgstrs, self.texts - msgstrs
        assert self.comments <= comments, self.comments - comments

    @invariant()
    def every_english_sentence_has_an_entry(self) -> None:
        if self.synced:
            assert sorted(e.msgid for e in self.catalog.messages) == sorted(self.english)
        assert len({e.key for e in self.catalog.entries}) == len(self.catalog.entries)


MergeMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestMergeNeverLosesWork = MergeMachine.TestCase


# --- notes ------------------------------------------------------------------------------------


def test_find_entries_by_id_time_and_text():
    c = run(empty(), en("Why do you think that is?", "Because.", "Why do you think that is?"),
            kk("Неге?", "Себебі.", "Неге?"), one_to_one(3))
    second = c.messages[2]
    assert cat.find_entries(c.messages, cat.entry_id(second)) == [second]
    assert cat.find_entries(c.messages, cat.entry_id(second)[:5]) == [second]
    assert cat.find_entries(c.messages, "00:00:02.5") == [second]
    assert cat.find_entries(c.messages, "себебі") == [c.messages[1]]
    with pytest.raises(TmtoolError, match="matches 2 entries"):
        cat.select_entry(c.messages, "why do you")
    with pytest.raises(TmtoolError, match="no entry matches"):
        cat.select_entry(c.messages, "nowhere to be found")


def test_add_and_remove_notes():
    c = run(empty(), en("One."), kk("Бір."), one_to_one(1))
    e = c.messages[0]
    c = cat.add_note(c, e, "first")
    c = cat.add_note(c, c.messages[0], "second\nline")
    assert c.messages[0].translator_comments == ("first", "second", "line")
    c, removed = cat.remove_notes(c, c.messages[0], index=2)
    assert removed == ("second",)
    c, removed = cat.remove_notes(c, c.messages[0], text="line")
    assert c.messages[0].translator_comments == ("first",)
    with pytest.raises(TmtoolError):
        cat.remove_notes(c, c.messages[0], index=5)
    with pytest.raises(TmtoolError):
        cat.add_note(c, c.messages[0], "  \n ")
    # A note of several lines goes as it came: the same text removes all of its lines.
    c = cat.add_note(c, c.messages[0], "a\n\nb")
    assert c.messages[0].translator_comments == ("first", "a", "", "b")
    c, removed = cat.remove_notes(c, c.messages[0], text="a\n\nb")
    assert removed == ("a", "", "b") and c.messages[0].translator_comments == ("first",)
    with pytest.raises(TmtoolError):
        cat.remove_notes(c, c.messages[0], text="first\nnot there")


def test_a_time_after_the_recordings_last_entry_names_no_entry():
    c = run(empty(), en("One.", "Two."), kk("Бір.", "Екі."), one_to_one(2))  # 00:00:00–00:00:01.9
    assert [e.msgid for e in cat.find_entries(c.messages, "00:00:01.950")] == ["Two."]  # a pause: the one before
    assert [e.msgid for e in cat.find_entries(c.messages, "00:00:10")] == ["Two."]
    assert cat.find_entries(c.messages, "99:00:00") == []


# --- on disk: update_catalogs -----------------------------------------------------------------


def recording(english: list[Segment], source: list[Segment]) -> Recording:
    return Recording(
        Manifest(id="rec", title="Test", languages=("en", "kk")),
        (Track("en", tuple(english), "en.txt", "txt"), Track("kk", tuple(source), "kk.srt", "srt")),
    )


def update(root: Path, english, source, beads, **kw) -> list[Path]:
    return po.update_catalogs(root, recording(english, source), {"kk": (english, source, beads)}, now=NOW, **kw)


def test_update_catalogs_writes_pot_and_po_then_nothing(tmp_path):
    english, source = en("One?", "Two."), kk("Бір?", "Екі.")
    written = update(tmp_path, english, source, one_to_one(2))
    pot = tmp_path / "locales" / "rec.pot"
    kkpo = tmp_path / "locales" / "kk" / "LC_MESSAGES" / "rec.po"
    assert written == [pot, kkpo]
    fields = cat.header_fields(po.read_po(kkpo))
    assert fields["Language"] == "kk" and fields["Language-Team"] == "Kazakh"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "Language" in cat.header_fields(po.read_po(pot))
    assert update(tmp_path, english, source, one_to_one(2)) == []


def test_update_catalogs_refuses_a_broken_catalogue_and_writes_nothing(tmp_path):
    english, source = en("One?", "Two."), kk("Бір?", "Екі.")
    update(tmp_path, english, source, one_to_one(2))
    kkpo = tmp_path / "locales" / "kk" / "LC_MESSAGES" / "rec.po"
    pot = tmp_path / "locales" / "rec.pot"
    broken = kkpo.read_bytes().replace(b'msgstr "\xd0\x91', b'msgstr "\xd0\x91\n', 1)
    kkpo.write_bytes(broken)
    pot_before = pot.read_bytes()
    with pytest.raises(CatalogError) as err:
        update(tmp_path, en("One changed?", "Two."), source, one_to_one(2))
    assert err.value.path == str(kkpo) and err.value.line
    assert kkpo.read_bytes() == broken and pot.read_bytes() == pot_before


def test_lock_held_elsewhere_fails_clearly(tmp_path):
    english, source = en("One."), kk("Бір.")
    with locked(lock_path(tmp_path, "rec")):
        with pytest.raises(CatalogError, match="another tmtool process"):
            update(tmp_path, english, source, one_to_one(1), timeout=0.2)
    assert update(tmp_path, english, source, one_to_one(1))


_WORKER = """
import sys
from pathlib import Path
from tmtool import catalog as cat
from tmtool.formats import po
root, n = Path(sys.argv[1]), int(sys.argv[2])
path = po.catalog_paths(root, "rec", "kk")
for i in range(n):
    po.edit_catalog(root, "rec", path, lambda c: cat.add_note(c, c.messages[0], f"{sys.argv[3]}-{i}"))
"""


def test_concurrent_writers_lose_no_update(tmp_path):
    update(tmp_path, en("One."), kk("Бір."), one_to_one(1))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, str(tmp_path), "8", f"w{k}"], env=env) for k in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    notes = po.read_po(po.catalog_paths(tmp_path, "rec", "kk")).messages[0].translator_comments
    assert sorted(notes) == sorted(f"w{k}-{i}" for k in range(3) for i in range(8))


def test_changed_tracks_compares_the_header_with_the_tracks_now():
    segs = kk("Бір.", "Екі.")
    c = cat.set_header_fields(empty(), cat.tracks_field({"kk.srt": segs}))
    assert cat.changed_tracks(c, {"kk.srt": segs}) == []
    assert cat.changed_tracks(c, {"kk.srt": kk("Бір.", "Екі!")}) == ["kk.srt"]
    assert cat.changed_tracks(c, {"kk.srt": segs[1:]}) == ["kk.srt"]
    assert cat.changed_tracks(c, {}) == ["kk.srt"]  # the track is gone
    assert cat.changed_tracks(empty(), {}) == []  # made by hand or by another tool: taken as it is
