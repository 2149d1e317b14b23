"""Reading the calendar: one page of the dates of many events in a window, and which events
have a date there (for the feeds). Pure and CPU-bound, so the service runs it off the event
loop. No I/O here."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Sequence

from services.calendar.domain import Event, Occurrence, nominal_end, occurrences
from services.calendar.recurrence import occurrence_key, original_starts, zone
from shared.pages import Paging

Dated = tuple[Event, Occurrence]


def _dates(event: Event, start: dt.datetime, end: dt.datetime, cancelled: bool) -> Iterator[Dated]:
    for occurrence in occurrences(event, start, end):
        if cancelled or not occurrence.cancelled:
            yield event, occurrence


def _order(dated: Dated) -> tuple[dt.datetime, str, str]:
    return dated[1].starts_at, dated[0].title, dated[0].id


def page_of_dates(
    events: Sequence[Event],
    start: dt.datetime,
    end: dt.datetime,
    paging: Paging,
    *,
    include_cancelled: bool,
) -> tuple[list[Dated], int]:
    """The dates in [start, end) on the page `paging` asks for, ordered by start, title and
    event, and how many there are in all. Each event's dates come sorted already, so they are
    merged, not sorted, and only the page is kept."""
    merged = heapq.merge(
        *(_dates(event, start, end, include_cancelled) for event in events), key=_order
    )
    page: list[Dated] = []
    total = 0
    for dated in merged:
        if paging.offset <= total < paging.offset + paging.limit:
            page.append(dated)
        total += 1
    return page, total


def has_date_in(event: Event, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether `occurrences(event, start, end)` holds anything, expanding a series only up to
    its first date in the window."""
    if event.rrule is None:
        return event.starts_at < end and start < event.ends_at
    moved = [o for o in event.overrides.values() if o.state == "moved"]
    if any(o.starts_at and o.ends_at and o.starts_at < end and start < o.ends_at for o in moved):
        return True
    # As in `occurrences`: a DST switch changes an occurrence's length by an hour.
    after = start - (event.ends_at - event.starts_at) - dt.timedelta(hours=2)
    for original in original_starts(
        event.rrule, event.starts_at, event.exdates, zone(event.timezone), after=after, before=end
    ):
        override = event.overrides.get(occurrence_key(original))
        if override is not None and override.state == "moved":
            continue
        if original < end and start < nominal_end(event, original):
            return True
    return False
