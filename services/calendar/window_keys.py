"""The keys by which the calendar finds the events of a time window, and its clash candidates.

Finding the events of a time window must not read the whole calendar, on MongoDB and on the
embedded server alike. Measured on nx-27017: ranges on datetimes are not served by an index
(full scan), ranges on a single indexed integer or string field are, equality next to a range
keeps a compound index from being used, and `$or` of ranges is slower than separate queries.
So every event document carries string keys whose order is (span class, first start):

    window_key   = "<class>:<start, epoch seconds, 11 digits>"
    room_key     = "<hash of venue+room>:<class>:<start>"        ("" when it books no room)
    audience_key = "<hash of district>:<class>:<start>"          ("" without district/audience)

The span class groups series by the length of their span (first start to last end, in powers
of four hours). An event of class c overlaps [start, end) only if its first start lies in
[start - longest span of c, end): one bounded range on one indexed field per class, so a window
costs len(SPAN_CLASSES) index range scans whatever the size of the calendar, and each returns at
most about four times what really overlaps. Keys decide only what is *read*; the pure clash
detection decides what clashes, so a hash collision costs a few extra reads, never a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from services.calendar.clashes import district_key, venue_key
from services.calendar.domain import Event, series_span
from shared.mongo import Document

#: Longest span of each span class: 4 h, 16 h, 64 h, … ~7.5 years (powers of four).
SPAN_CLASSES = tuple(dt.timedelta(hours=4 * 4**n) for n in range(8))


def span_class(length: dt.timedelta) -> int:
    for number, longest in enumerate(SPAN_CLASSES):
        if length <= longest:
            return number
    return len(SPAN_CLASSES) - 1  # validation keeps spans far below the last class


def epoch(moment: dt.datetime) -> int:
    """Whole seconds since 1970, as the keys and the stored bounds count them."""
    return int(moment.timestamp())


def _prefix(text: str | None) -> str:
    if not text:
        return ""
    return hashlib.sha256(text.encode()).hexdigest()[:16] + ":"


def _key(prefix: str, number: int, start_s: int) -> str:
    return f"{prefix}{number}:{max(start_s, 0):011d}"


def index_keys(event: Event) -> Document:
    """The derived fields that let windows and clash candidates be found by index."""
    first, last = series_span(event)
    number = span_class(last - first)
    start_s = epoch(first)
    room = venue_key(event)
    district = district_key(event.district)
    clashable = not event.cancelled
    return {
        "organiser_ids": event.organiser_ids,
        "district_key": district or "",
        "series_ends_at": last,
        "span_start_s": start_s,
        "span_end_s": epoch(last),
        "window_key": _key("", number, start_s),
        "room_key": _key(_prefix(room), number, start_s) if room and clashable else "",
        "audience_key": (
            _key(_prefix(district), number, start_s)
            if district and event.audience and clashable
            else ""
        ),
    }


def window_queries(
    start: dt.datetime, end: dt.datetime, *, field: str = "window_key", value: str | None = None
) -> list[Document]:
    """One bounded index range per span class: together they find every event with a date in
    [start, end) (and a few that have none there)."""
    prefix = _prefix(value)
    start_s, end_s = epoch(start), epoch(end)
    return [
        {
            field: {
                "$gte": _key(prefix, number, start_s - int(longest.total_seconds())),
                "$lt": _key(prefix, number, end_s),
            },
            "span_end_s": {"$gt": start_s},
        }
        for number, longest in enumerate(SPAN_CLASSES)
    ]
