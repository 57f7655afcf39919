"""Which agenda item each stretch of a recording belongs to. Pure: no database.

A chapter says an item starts at a given second of the recording and runs to the next
chapter. A segment belongs to the chapter covering its midpoint (a sentence that
straddles a change of item goes where most of it was said); before the first chapter,
to none.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)


def assign(
    chapters: Iterable[tuple[Item, float]], segments: Iterable[tuple[float, float]]
) -> list[Item | None]:
    """For each ``(start_s, end_s)`` segment, the item of the chapter covering its midpoint.

    Chapters may come in any order; two at the same second: the one given last wins.
    """
    ordered = sorted(enumerate(chapters), key=lambda pair: (pair[1][1], pair[0]))
    starts = [start for _i, (_item, start) in ordered]
    items = [item for _i, (item, _start) in ordered]
    found: list[Item | None] = []
    for start, end in segments:
        at = bisect.bisect_right(starts, (start + end) / 2)
        found.append(items[at - 1] if at else None)
    return found


def chapters_from_spans(
    spans: Sequence[tuple[Item, dt.datetime, dt.datetime | None]], origin: dt.datetime
) -> list[tuple[Item, float]]:
    """Chapters from the live timeline: each span ``(item, started_at, ended_at)`` as the
    seconds from ``origin`` (the recording's first moment) at which its item starts.

    A span that started before the recording and was still running when it began becomes
    a chapter at 0 (the item under way when recording started); spans over before the
    recording began are left out. An item taken twice gives two chapters.
    """
    chapters: list[tuple[Item, float]] = []
    under_way: tuple[dt.datetime, Item] | None = None
    for item, started_at, ended_at in spans:
        offset = (started_at - origin).total_seconds()
        if offset >= 0:
            chapters.append((item, offset))
        elif (ended_at is None or ended_at > origin) and (
            under_way is None or started_at >= under_way[0]
        ):
            under_way = (started_at, item)
    if under_way is not None:
        chapters.insert(0, (under_way[1], 0.0))  # a span starting at 0 comes after it
    chapters.sort(key=lambda chapter: chapter[1])
    return chapters
