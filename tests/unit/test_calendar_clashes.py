"""Clash detection as a pure function: the cases one by one, and its invariants as properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.calendar.changes import cancel_event
from services.calendar.clashes import Clash, find_clashes, venue_key
from services.calendar.domain import Event, OccurrenceOverride, occurrences
from services.calendar.recurrence import occurrence_key
from shared.contracts.calendar import ConflictKind, EventStatus, Venue
from shared.contracts.vocabulary import Audience

T0 = dt.datetime(2026, 6, 20, 12, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ORG_A = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
ORG_B = "01a20175-6e13-7012-9a1c-8de746c2ce99"
HALL = Venue(name="Stadtteilzentrum Nordstadt", room="Saal 2")


def an_event(event_id: str, start_hours: float = 0, hours: float = 2, **changes: Any) -> Event:
    start = T0 + dt.timedelta(hours=start_hours)
    values: dict[str, Any] = {
        "id": event_id,
        "title": f"Event {event_id}",
        "organisation_id": ORG_A,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=hours),
        "venue": HALL,
        "district": "Nordstadt",
        "audience": [Audience.CHILDREN],
        "created_at": NOW,
        "updated_at": NOW,
        **changes,
    }
    return Event(**values)


def kinds(clashes: list[Clash]) -> list[ConflictKind]:
    return sorted({c.kind for c in clashes}, key=lambda k: k.value)


# --- cases --------------------------------------------------------------------------------


def test_the_same_room_at_overlapping_times_is_a_room_clash() -> None:
    [clash] = find_clashes(
        an_event("a", audience=[]), [an_event("b", 1, organisation_id=ORG_B, audience=[])]
    )
    assert clash.kind is ConflictKind.ROOM
    assert (clash.event_id, clash.other_event_id) == ("a", "b")
    assert (clash.overlap_starts_at, clash.overlap_ends_at) == (
        T0 + dt.timedelta(hours=1),
        T0 + dt.timedelta(hours=2),
    )
    assert clash.venue == HALL


def test_rooms_are_compared_folded_and_only_with_the_same_room() -> None:
    shouting = Venue(name="  STADTTEILZENTRUM   nordstadt ", room="saal 2")
    other_room = Venue(name="Stadtteilzentrum Nordstadt", room="Saal 3")
    no_room = Venue(name="Stadtteilzentrum Nordstadt")
    nameless = Venue(address="Mallinckrodtstraße 12", room="Saal 2")
    mine = an_event("a", audience=[])
    assert kinds(find_clashes(mine, [an_event("b", venue=shouting, audience=[])])) == [
        ConflictKind.ROOM
    ]
    assert find_clashes(mine, [an_event("b", venue=other_room, audience=[])]) == []
    assert find_clashes(mine, [an_event("b", venue=no_room, audience=[])]) == []
    assert (
        find_clashes(
            an_event("a", venue=nameless, audience=[]), [an_event("b", venue=nameless, audience=[])]
        )
        == []
    )
    assert find_clashes(an_event("a", venue=None), [an_event("b", venue=None, audience=[])]) == []


def test_touching_times_do_not_clash() -> None:
    assert find_clashes(an_event("a"), [an_event("b", 2), an_event("c", -2)]) == []


def test_same_audience_in_the_same_district_is_an_audience_clash() -> None:
    other = an_event(
        "b", 1, venue=None, district="nordstadt", audience=[Audience.CHILDREN, Audience.FAMILIES]
    )
    [clash] = find_clashes(an_event("a", venue=None), [other])
    assert clash.kind is ConflictKind.AUDIENCE
    assert clash.shared_audience == (Audience.CHILDREN,)
    assert clash.district == "Nordstadt"


def test_another_district_or_no_shared_audience_is_no_audience_clash() -> None:
    mine = an_event("a", venue=None)
    elsewhere = an_event("b", venue=None, district="Hafen")
    seniors = an_event("c", venue=None, audience=[Audience.SENIORS])
    nowhere = an_event("d", venue=None, district=None)
    assert find_clashes(mine, [elsewhere, seniors, nowhere]) == []


def test_one_pair_can_clash_in_room_and_audience_at_once() -> None:
    assert kinds(find_clashes(an_event("a"), [an_event("b", 1)])) == [
        ConflictKind.AUDIENCE,
        ConflictKind.ROOM,
    ]


def test_cancelled_events_and_occurrences_clash_with_nothing() -> None:
    cancelled = an_event("b", status=EventStatus.CANCELLED)
    assert find_clashes(an_event("a"), [cancelled]) == []
    assert find_clashes(cancelled, [an_event("a")]) == []
    series = an_event("s", -24 * 7, rrule="FREQ=WEEKLY;COUNT=3")  # a week before, on, after
    assert len(find_clashes(an_event("a"), [series])) == 2  # room + audience on T0
    without_that_day, _ = cancel_event(series, T0, None, NOW)
    assert find_clashes(an_event("a"), [without_that_day]) == []


def test_each_occurrence_of_a_series_is_checked_including_moved_ones() -> None:
    series = an_event("s", rrule="FREQ=DAILY;COUNT=5", audience=[])
    moved_away = series.model_copy(
        update={
            "overrides": {
                occurrence_key(T0 + dt.timedelta(days=2)): OccurrenceOverride(
                    state="moved",
                    starts_at=T0 + dt.timedelta(days=2, hours=5),
                    ends_at=T0 + dt.timedelta(days=2, hours=6),
                )
            }
        }
    )
    day_three = an_event("b", 48, audience=[])
    moved_there = an_event("c", 53, audience=[])
    assert [c.other_event_id for c in find_clashes(day_three, [series])] == ["s"]
    assert find_clashes(day_three, [moved_away]) == []
    [clash] = find_clashes(moved_there, [moved_away])
    assert clash.other_occurrence_start == T0 + dt.timedelta(days=2)  # named by its original


def test_an_event_never_clashes_with_itself_or_its_own_occurrences() -> None:
    series = an_event("s", rrule="FREQ=HOURLY;COUNT=5", hours=3)  # its dates overlap each other
    assert find_clashes(series, [series]) == []


def test_conflict_ids_are_stable_and_the_same_from_both_sides() -> None:
    a, b = an_event("a"), an_event("b", 1)
    first = {c.conflict_id for c in find_clashes(a, [b])}
    assert first == {c.conflict_id for c in find_clashes(a, [b])}
    assert first == {c.conflict_id for c in find_clashes(b, [a])}
    assert len(first) == 2  # room and audience are two conflicts


# --- properties ---------------------------------------------------------------------------

ROOMS = [HALL, Venue(name="stadtteilzentrum nordstadt", room="SAAL 2"), Venue(name="Moschee")]
DISTRICTS = ["Nordstadt", "nordstadt", "Hafen", None]


@st.composite
def events(draw: st.DrawFn, event_id: str) -> Event:
    start_hours = draw(st.integers(min_value=0, max_value=24 * 10))
    hours = draw(st.integers(min_value=1, max_value=30))
    series = draw(st.booleans())
    changes: dict[str, Any] = {
        "venue": draw(st.sampled_from([*ROOMS, None])),
        "district": draw(st.sampled_from(DISTRICTS)),
        "audience": draw(st.lists(st.sampled_from(list(Audience)[:4]), max_size=2, unique=True)),
        "status": draw(st.sampled_from([EventStatus.SCHEDULED] * 4 + [EventStatus.CANCELLED])),
    }
    if series:
        frequency = draw(st.sampled_from(["DAILY", "WEEKLY"]))
        changes["rrule"] = f"FREQ={frequency};COUNT={draw(st.integers(1, 8))}"
    event = an_event(event_id, start_hours, hours, **changes)
    if series and draw(st.booleans()):
        dates = occurrences(event)
        original = draw(st.sampled_from(dates)).original_start
        override = draw(
            st.sampled_from(
                [
                    OccurrenceOverride(state="cancelled"),
                    OccurrenceOverride(
                        state="moved",
                        starts_at=original + dt.timedelta(hours=3),
                        ends_at=original + dt.timedelta(hours=3 + hours),
                    ),
                ]
            )
        )
        event = event.model_copy(update={"overrides": {occurrence_key(original): override}})
    return event


def comparable(clashes: list[Clash]) -> set[tuple[Any, ...]]:
    return {
        (
            c.kind,
            c.event_id,
            c.other_event_id,
            c.occurrence_start,
            c.other_occurrence_start,
            c.overlap_starts_at,
            c.overlap_ends_at,
            c.shared_audience,
        )
        for c in clashes
    }


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(events("a"))
def test_property_an_event_never_clashes_with_itself(event: Event) -> None:
    assert find_clashes(event, [event]) == []


@PROPERTY_SETTINGS
@given(events("a"), events("b"))
def test_property_clashes_are_symmetric(a: Event, b: Event) -> None:
    assert comparable(find_clashes(a, [b])) == comparable(
        [c.mirrored() for c in find_clashes(b, [a])]
    )
    assert {c.conflict_id for c in find_clashes(a, [b])} == {
        c.conflict_id for c in find_clashes(b, [a])
    }


@PROPERTY_SETTINGS
@given(events("a"), events("b"))
def test_property_cancelled_events_clash_with_nothing(a: Event, b: Event) -> None:
    called_off = b.model_copy(update={"status": EventStatus.CANCELLED})
    assert find_clashes(a, [called_off]) == []
    assert find_clashes(called_off, [a]) == []


@PROPERTY_SETTINGS
@given(events("a"), events("b"))
def test_property_every_clash_is_a_real_overlap_of_live_dates(a: Event, b: Event) -> None:
    mine = {o.original_start: o for o in occurrences(a) if not o.cancelled}
    theirs = {o.original_start: o for o in occurrences(b) if not o.cancelled}
    for clash in find_clashes(a, [b]):
        one, other = mine[clash.occurrence_start], theirs[clash.other_occurrence_start]
        assert one.starts_at < other.ends_at
        assert other.starts_at < one.ends_at
        assert clash.overlap_starts_at < clash.overlap_ends_at
        if clash.kind is ConflictKind.AUDIENCE:
            assert set(clash.shared_audience) == set(a.audience) & set(b.audience) != set()


@PROPERTY_SETTINGS
@given(events("a"), events("b"))
def test_property_overlapping_live_dates_in_the_same_room_are_always_found(
    a: Event, b: Event
) -> None:
    same_room = venue_key(a) is not None and venue_key(a) == venue_key(b)
    if not same_room or a.cancelled or b.cancelled:
        return
    expected = {
        (x.original_start, y.original_start)
        for x in occurrences(a)
        for y in occurrences(b)
        if not x.cancelled and not y.cancelled and x.overlaps(y.starts_at, y.ends_at)
    }
    found = {
        (c.occurrence_start, c.other_occurrence_start)
        for c in find_clashes(a, [b])
        if c.kind is ConflictKind.ROOM
    }
    assert found == expected


@pytest.mark.parametrize("count", [1, 50])
def test_many_candidates_are_checked_in_one_call(count: int) -> None:
    others = [an_event(f"o{i}", start_hours=i * 0.5, audience=[]) for i in range(count)]
    clashes = find_clashes(an_event("a", audience=[]), others)
    assert {c.other_event_id for c in clashes} == {
        o.id for o in others if o.starts_at < T0 + dt.timedelta(hours=2)
    }
