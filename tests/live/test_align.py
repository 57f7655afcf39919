"""Segments go to the agenda item whose chapter covers their midpoint."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from moothall.live.align import assign, chapters_from_spans

T0 = dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_each_segment_goes_to_the_chapter_covering_its_midpoint():
    chapters = [("a", 10.0), ("b", 60.0), ("c", 120.0)]
    segments = [(0, 5), (8, 14), (50, 68), (55, 66), (119, 200), (400, 401)]
    assert assign(chapters, segments) == [None, "a", "a", "b", "c", "c"]


def test_chapters_in_any_order_and_the_last_of_two_at_the_same_second_wins():
    assert assign([("b", 60.0), ("a", 0.0), ("c", 60.0)], [(1, 2), (61, 62)]) == ["a", "c"]


def test_no_chapters_leave_every_segment_without_an_item():
    assert assign([], [(0, 1), (5, 9)]) == [None, None]


def test_spans_become_seconds_from_the_recording_start():
    spans = [("a", at(30), at(90)), ("b", at(90), at(200)), ("c", at(200), None)]
    assert chapters_from_spans(spans, T0) == [("a", 30.0), ("b", 90.0), ("c", 200.0)]


def test_the_item_under_way_when_recording_started_gets_a_chapter_at_zero():
    spans = [
        ("gone", at(-600), at(-300)),
        ("under way", at(-120), at(45)),
        ("next", at(45), None),
    ]
    assert chapters_from_spans(spans, T0) == [("under way", 0.0), ("next", 45.0)]


def test_a_span_over_before_the_recording_started_is_left_out():
    assert chapters_from_spans([("gone", at(-600), at(-1))], T0) == []


def test_an_item_taken_twice_gets_two_chapters():
    spans = [("a", at(0), at(60)), ("b", at(60), at(120)), ("a", at(120), None)]
    chapters = chapters_from_spans(spans, T0)
    assert chapters == [("a", 0.0), ("b", 60.0), ("a", 120.0)]
    assert assign(chapters, [(10, 20), (70, 80), (130, 140)]) == ["a", "b", "a"]


def test_a_span_starting_exactly_at_zero_wins_over_one_under_way():
    spans = [("earlier", at(-10), None), ("now", at(0), None)]
    assert assign(chapters_from_spans(spans, T0), [(0, 1)]) == ["now"]


_times = st.floats(min_value=0, max_value=10_000, allow_nan=False)


@given(
    st.lists(st.tuples(st.integers(0, 5), _times), max_size=8),
    st.lists(st.tuples(_times, _times).map(sorted), max_size=20),
)
def test_a_segment_is_given_an_item_exactly_when_a_chapter_starts_before_its_midpoint(
    chapters, segments
):
    found = assign(chapters, segments)
    assert len(found) == len(segments)
    for (start, end), item in zip(segments, found, strict=True):
        before = [c for c in chapters if c[1] <= (start + end) / 2]
        if not before:
            assert item is None
        else:
            latest = max(c[1] for c in before)
            assert item in {c[0] for c in before if c[1] == latest}
