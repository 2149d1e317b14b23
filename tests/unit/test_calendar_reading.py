"""Reading the calendar without I/O: a page of merged dates is exactly the slice of all dates
sorted, `has_date_in` agrees with `occurrences`, and the per-save conflict lookup asks the
database only by indexed scalar fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.calendar.domain import Event, OccurrenceOverride, occurrences
from services.calendar.reading import has_date_in, page_of_dates
from services.calendar.recurrence import occurrence_key, original_starts, zone
from services.calendar.store import CONFLICTS, INDEXES, CalendarStore
from shared.pages import Paging

NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
BASE = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)


@st.composite
def events(draw: st.DrawFn, number: int) -> Event:
    start = BASE + dt.timedelta(hours=draw(st.integers(0, 24 * 60)))
    length = dt.timedelta(minutes=draw(st.sampled_from([30, 120, 60 * 26])))
    rule = draw(
        st.sampled_from(
            [None, "FREQ=WEEKLY;COUNT=8", "FREQ=DAILY;COUNT=20", "FREQ=MONTHLY;BYDAY=1TU;COUNT=6"]
        )
    )
    event = Event(
        id=f"{number:036d}",
        title=draw(st.sampled_from(["Deutsch-Café", "Sprechstunde"])),
        organisation_id="o",
        starts_at=start,
        ends_at=start + length,
        rrule=rule,
        created_at=NOW,
        updated_at=NOW,
    )
    if rule is None:
        return event
    starts = list(original_starts(rule, start, [], zone(event.timezone)))
    overrides: dict[str, OccurrenceOverride] = {}
    for original in draw(st.lists(st.sampled_from(starts), max_size=3, unique=True)):
        if draw(st.booleans()):
            overrides[occurrence_key(original)] = OccurrenceOverride(state="cancelled")
        else:
            moved = original + dt.timedelta(days=draw(st.integers(-3, 40)))
            overrides[occurrence_key(original)] = OccurrenceOverride(
                state="moved", starts_at=moved, ends_at=moved + length
            )
    return event.model_copy(update={"overrides": overrides})


calendars = st.integers(0, 6).flatmap(lambda n: st.tuples(*(events(i) for i in range(n))))
windows = st.tuples(st.integers(0, 80), st.integers(1, 60)).map(
    lambda w: (BASE + dt.timedelta(days=w[0]), BASE + dt.timedelta(days=w[0] + w[1]))
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calendar=calendars,
    window=windows,
    include_cancelled=st.booleans(),
    offset=st.integers(0, 30),
    limit=st.integers(1, 20),
)
def test_a_page_of_merged_dates_is_the_slice_of_all_dates_sorted(
    calendar: tuple[Event, ...],
    window: tuple[dt.datetime, dt.datetime],
    include_cancelled: bool,
    offset: int,
    limit: int,
) -> None:
    start, end = window
    everything = [
        (event, occurrence)
        for event in calendar
        for occurrence in occurrences(event, start, end)
        if include_cancelled or not occurrence.cancelled
    ]
    everything.sort(key=lambda pair: (pair[1].starts_at, pair[0].title, pair[0].id))
    page, total = page_of_dates(
        calendar,
        start,
        end,
        Paging(limit=limit, offset=offset),
        include_cancelled=include_cancelled,
    )
    assert page == everything[offset : offset + limit]
    assert total == len(everything)
    for event in calendar:
        assert has_date_in(event, start, end) == bool(occurrences(event, start, end))


class _Recording:
    """A conflicts collection that records what it is asked."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.filters: list[dict[str, Any]] = []

    def find(self, query: dict[str, Any], *args: Any) -> AsyncIterator[dict[str, Any]]:
        self.filters.append(query)

        async def matching() -> AsyncIterator[dict[str, Any]]:
            for doc in self.docs:
                if all(doc.get(field) == value for field, value in query.items()):
                    yield doc

        return matching()


async def test_the_conflicts_of_a_saved_event_are_found_by_indexed_scalar_fields() -> None:
    docs: list[dict[str, Any]] = [
        {"_id": "a", "state": "open", "event_id": "e", "other_event_id": "x"},
        {"_id": "b", "state": "open", "event_id": "y", "other_event_id": "e"},
        {"_id": "c", "state": "closed", "event_id": "e", "other_event_id": "z"},
        {"_id": "d", "state": "open", "event_id": "y", "other_event_id": "z"},
    ]
    for doc in docs:
        doc["event_ids"] = sorted({doc["event_id"], doc["other_event_id"]})
    conflicts = _Recording(docs)
    store = CalendarStore({CONFLICTS: conflicts}, writer=None)  # type: ignore[arg-type]
    found = await store.open_conflict_ids_of_event("e")
    assert sorted(found) == ["a", "b"]
    [indexes] = [i for i in INDEXES if i.collection == CONFLICTS]
    single = {
        next(iter(model.document["key"]))
        for model in indexes.indexes
        if len(model.document["key"]) == 1
    }
    for query in conflicts.filters:
        # one equality on a field with its own index: what nx-27017 can plan with an index
        assert len(query) == 1, query
        [(field, value)] = query.items()
        assert field in single, query
        assert isinstance(value, str), query
