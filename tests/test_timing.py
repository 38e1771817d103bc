"""Timing: every entry of every language gets a start and an end (tmtool.timing)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtool import timing
from tmtool.errors import TmtoolError
from tmtool.timing import choose, fill


# --- choosing whose timing ------------------------------------------------------------------------


def test_choose_prefers_the_first_language_that_has_a_span():
    own = [{"kk": (0, 1000), "ru": (100, 900)}, {"ru": (1200, 2000)}, {"kk": (2500, 3000)}]
    assert choose(own, ["kk", "ru"]) == [(0, 1000), (1200, 2000), (2500, 3000)]
    assert choose(own, ["ru", "kk"]) == [(100, 900), (1200, 2000), (2500, 3000)]


def test_choose_clips_another_language_into_the_gap_it_fills():
    # Two alignments disagree: ru puts entry 1 where kk put entry 2.
    own = [{"kk": (0, 1000)}, {"ru": (1500, 4000)}, {"kk": (3000, 5000)}]
    assert choose(own, ["kk", "ru"]) == [(0, 1000), (1500, 3000), (3000, 5000)]


def test_choose_drops_a_span_that_has_no_room_left():
    own = [{"kk": (0, 1000)}, {"ru": (200, 900)}, {"kk": (1000, 2000)}]
    assert choose(own, ["kk", "ru"]) == [(0, 1000), None, (1000, 2000)]


def test_choose_ignores_languages_not_asked_for_and_bad_spans():
    own = [{"de": (0, 1000)}, {"kk": (500, 400)}]
    assert choose(own, ["kk", "ru"]) == [None, None]


# --- filling the gaps -----------------------------------------------------------------------------


def test_known_spans_are_kept():
    t = fill([(0, 1000), (2000, 3000)], [10, 10])
    assert t.spans == ((0, 1000), (2000, 3000))
    assert not t.estimated and t.interpolated == () and t.adjusted == ()


def test_one_span_shared_by_two_entries_is_divided_by_length():
    # Two English sentences aligned to one Kazakh segment: 30 and 10 characters.
    t = fill([(1000, 5000), (1000, 5000)], [30, 10])
    assert t.spans == ((1000, 4000), (4000, 5000))
    assert t.shared == (0, 1)


def test_interpolated_between_neighbours_by_length():
    # A 34-character sentence reads in 2 s at 17 chars/s; the 10 s gap lets it stretch to 3 s.
    t = fill([(0, 1000), None, (11000, 12000)], [10, 34, 10])
    start, end = t.spans[1]
    assert end - start == 3000
    assert start - 1000 == 11000 - end  # the rest of the gap on both sides
    assert t.interpolated == (1,)


def test_a_run_of_untimed_entries_keeps_order_and_shares_by_length():
    t = fill([(0, 1000), None, None, (5000, 6000)], [10, 17, 34, 10])
    (_, e0), (s1, e1), (s2, e2), (s3, _) = t.spans
    assert e0 <= s1 < e1 <= s2 < e2 <= s3
    assert (e2 - s2) == pytest.approx(2 * (e1 - s1), abs=2)


def test_a_tight_gap_borrows_from_the_neighbours_without_overlap():
    t = fill([(0, 4000), None, (4100, 8000)], [10, 51, 10])  # 51 chars need 3 s
    (s0, e0), (s1, e1), (s2, e2) = t.spans
    assert s0 == 0 and e2 == 8000
    assert e0 <= s1 < e1 <= s2
    assert e1 - s1 >= 3000
    assert t.adjusted == (0, 2)


def test_before_the_first_and_after_the_last_timed_entry():
    t = fill([None, (10000, 11000), None], [17, 10, 17], duration_ms=20000)
    (s0, e0), _, (s2, e2) = t.spans
    assert 0 <= s0 < e0 <= 10000
    assert 11000 <= s2 < e2 <= 20000
    t = fill([(0, 1000), None], [10, 17])  # no duration: a second's reading after the last
    assert t.spans[1][0] >= 1000 and t.spans[1][1] - t.spans[1][0] >= 1000


def test_no_timed_track_spreads_the_duration_by_length():
    t = fill([None, None, None], [10, 30, 20], duration_ms=60000)
    assert t.estimated
    assert t.spans == ((0, 10000), (10000, 40000), (40000, 60000))


def test_no_timed_track_and_no_duration_is_an_error_that_says_what_to_do():
    with pytest.raises(TmtoolError, match="--duration"):
        fill([None, None], [10, 10])


def test_bad_known_spans_are_treated_as_unknown():
    t = fill([(0, 1000), (3000, 2000), (5000, 6000)], [10, 10, 10])
    assert t.interpolated == (1,)
    assert 1000 <= t.spans[1][0] < t.spans[1][1] <= 5000


def test_empty_input():
    assert fill([], []).spans == ()


def test_lengths_must_match():
    with pytest.raises(ValueError):
        fill([None], [1, 2])


# --- properties -----------------------------------------------------------------------------------


@st.composite
def timelines(draw):
    """Ordered, non-overlapping known spans with random holes, and text lengths."""
    n = draw(st.integers(1, 25))
    t = draw(st.integers(0, 5000))
    known = []
    for _ in range(n):
        gap = draw(st.integers(0, 8000))
        dur = draw(st.integers(40, 9000))  # a frame at least
        known.append((t + gap, t + gap + dur))
        t += gap + dur
    holes = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    if all(holes):
        holes[0] = False
    lengths = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    return [None if h else k for k, h in zip(known, holes)], lengths


@settings(max_examples=150, deadline=None)
@given(timelines())
def test_every_entry_gets_a_span_in_order_without_overlap(case):
    known, lengths = case
    t = fill(known, lengths)
    assert len(t.spans) == len(known)
    for (s, e) in t.spans:
        assert 0 <= s < e
    for (_, e), (s, _) in zip(t.spans, t.spans[1:]):
        assert s >= e
    for i, k in enumerate(known):
        if k is not None and i not in t.adjusted:
            assert t.spans[i] == k
        if k is not None and i in t.adjusted:  # shortened, never moved outside its own span
            assert k[0] <= t.spans[i][0] < t.spans[i][1] <= k[1]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 400), min_size=1, max_size=40), st.integers(1000, 10_000_000))
def test_estimated_timing_tiles_the_duration(lengths, duration):
    t = fill([None] * len(lengths), lengths, duration_ms=duration)
    assert t.estimated
    assert t.spans[0][0] == 0 and t.spans[-1][1] == duration
    for (_, e), (s, _) in zip(t.spans, t.spans[1:]):
        assert s == e


def test_reading_speed_constant_is_the_guides_17_chars_per_second():
    assert timing.READING_MS_PER_CHAR == pytest.approx(1000 / 17)
