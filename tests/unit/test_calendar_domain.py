"""The calendar's rules without I/O: times and validation, recurrence expansion across DST,
EXDATEs, COUNT/UNTIL, per-occurrence changes, and what each change publishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from services.calendar.changes import cancel_event, change_event, move_occurrence, schedule_event
from services.calendar.domain import (
    Event,
    EventStateError,
    InvalidEventError,
    occurrences,
    series_span,
)
from services.calendar.inputs import EventCreate, EventPatch
from services.calendar.recurrence import RecurrenceError, normalise_rule, zone
from shared.contracts.calendar import (
    EventCancelled,
    EventRescheduled,
    EventScheduled,
    EventStatus,
    EventUpdated,
)

ORG = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
OTHER_ORG = "01a20175-6e13-7012-9a1c-8de746c2ce99"
EVENT_ID = "01a20175-6e35-7420-942f-2edfc88e1cc8"
NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)
BERLIN = zone("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def plan(**changes: Any) -> Event:
    data: dict[str, Any] = {
        "organisation_id": ORG,
        "title": "Deutsch-Café",
        "starts_at": "2026-03-17T18:00:00+01:00",
        "ends_at": "2026-03-17T20:00:00+01:00",
        "venue": {"name": "Stadtteilzentrum Nordstadt", "room": "Saal 2"},
        "district": "Nordstadt",
        "audience": ["newcomers"],
        **changes,
    }
    event, scheduled = schedule_event(EVENT_ID, EventCreate.model_validate(data), NOW)
    assert isinstance(scheduled, EventScheduled)
    assert scheduled.sequence == 0
    return event


def weekly(count: int = 6, **changes: Any) -> Event:
    return plan(recurrence={"rrule": f"FREQ=WEEKLY;COUNT={count}"}, **changes)


# --- times and validation -----------------------------------------------------------------


def test_times_are_stored_in_utc_and_whole_seconds() -> None:
    event = plan(starts_at="2026-06-20T14:00:00.750+02:00", ends_at="2026-06-20T17:00:00+02:00")
    assert event.starts_at == utc(2026, 6, 20, 12, 0)
    assert event.ends_at == utc(2026, 6, 20, 15, 0)
    assert not event.all_day


def test_dates_make_an_all_day_event_from_berlin_midnight_to_midnight() -> None:
    event = plan(starts_at="2026-06-20", ends_at="2026-06-22")
    assert event.all_day
    assert event.starts_at == berlin(2026, 6, 20).astimezone(dt.UTC)
    assert event.ends_at == berlin(2026, 6, 22).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "message"),
    [
        ("2026-06-20T17:00:00+02:00", "2026-06-20T14:00:00+02:00", "end after it starts"),
        ("2026-06-20T14:00:00+02:00", "2026-06-20T14:00:00+02:00", "end after it starts"),
        ("2026-06-01T10:00:00+02:00", "2026-06-15T10:00:01+02:00", "at most 14 days"),
        ("2026-06-20", "2026-06-20T17:00:00+02:00", "both as dates"),
        ("1999-06-20T14:00:00+02:00", "1999-06-20T17:00:00+02:00", "between the years"),
    ],
)
def test_impossible_times_are_refused(starts_at: str, ends_at: str, message: str) -> None:
    with pytest.raises(InvalidEventError, match=message):
        plan(starts_at=starts_at, ends_at=ends_at)


def test_exactly_fourteen_days_is_still_one_event() -> None:
    event = plan(starts_at="2026-06-01", ends_at="2026-06-15")
    assert event.ends_at - event.starts_at == dt.timedelta(days=14)


def test_times_without_an_offset_are_not_accepted() -> None:
    with pytest.raises(ValidationError):
        EventCreate.model_validate(
            {
                "organisation_id": ORG,
                "title": "x",
                "starts_at": "2026-06-20T14:00:00",
                "ends_at": "2026-06-20T15:00:00",
            }
        )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY", "COUNT or UNTIL"),
        ("FREQ=FORTNIGHTLY;COUNT=3", "cannot be read"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "cannot be read"),
        ("COUNT=3", "needs FREQ"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20260501T000000Z", "not both"),
        ("FREQ=WEEKLY;COUNT=3;COUNT=4", "twice"),
        ("FREQ=WEEKLY;COUNT=3\nDTSTART:20260101", "Malformed"),
        ("FREQ=DAILY;COUNT=800", "two years"),
        ("FREQ=MONTHLY;UNTIL=20300101T000000Z", "two years"),
        ("FREQ=HOURLY;COUNT=1500", "at most 1000"),
        ("totally not a rule", "Malformed"),
    ],
)
def test_malformed_unbounded_or_too_long_rules_are_refused(rule: str, message: str) -> None:
    with pytest.raises(InvalidEventError, match=message):
        plan(recurrence={"rrule": rule})


def test_a_series_whose_every_date_is_excluded_is_refused() -> None:
    with pytest.raises(InvalidEventError, match="excluded"):
        plan(
            recurrence={
                "rrule": "FREQ=WEEKLY;COUNT=1",
                "exdates": ["2026-03-17T18:00:00+01:00"],
            }
        )


def test_rules_are_kept_in_a_canonical_form_with_until_in_utc() -> None:
    assert normalise_rule("rrule:freq=weekly;count=3", BERLIN) == "FREQ=WEEKLY;COUNT=3"
    # a local UNTIL is the Berlin wall time; a date means "through that day"
    assert normalise_rule("FREQ=DAILY;UNTIL=20260701T120000", BERLIN) == (
        "FREQ=DAILY;UNTIL=20260701T100000Z"
    )
    assert normalise_rule("FREQ=DAILY;UNTIL=20260101", BERLIN) == (
        "FREQ=DAILY;UNTIL=20260101T225959Z"
    )
    with pytest.raises(RecurrenceError):
        normalise_rule("FREQ=DAILY;UNTIL=tomorrow", BERLIN)


# --- expansion ----------------------------------------------------------------------------


def test_a_weekly_evening_stays_at_six_local_across_the_spring_dst_switch() -> None:
    event = weekly(count=4)  # 17, 24, 31 March (after the switch on the 29th), 7 April
    dates = occurrences(event)
    assert [o.starts_at.astimezone(BERLIN).hour for o in dates] == [18, 18, 18, 18]
    assert [o.starts_at.hour for o in dates] == [17, 17, 16, 16]  # UTC moves by an hour
    assert all(o.ends_at - o.starts_at == dt.timedelta(hours=2) for o in dates)


def test_the_autumn_switch_keeps_local_time_and_length_too() -> None:
    event = plan(
        starts_at="2026-10-18T10:00:00+02:00",
        ends_at="2026-10-18T12:00:00+02:00",
        recurrence={"rrule": "FREQ=WEEKLY;COUNT=3"},
    )
    dates = occurrences(event)
    assert [o.starts_at.astimezone(BERLIN).strftime("%d %H:%M") for o in dates] == [
        "18 10:00",
        "25 10:00",
        "01 10:00",
    ]
    assert {o.ends_at - o.starts_at for o in dates} == {dt.timedelta(hours=2)}


def test_count_and_until_bound_the_series_and_exdates_leave_dates_out() -> None:
    by_count = weekly(count=3)
    assert len(occurrences(by_count)) == 3
    by_until = plan(
        recurrence={
            "rrule": "FREQ=WEEKLY;UNTIL=20260407T170000Z",
            "exdates": ["2026-03-24T18:00:00+01:00"],
        }
    )
    assert [o.starts_at for o in occurrences(by_until)] == [
        utc(2026, 3, 17, 17),
        utc(2026, 3, 31, 16),
        utc(2026, 4, 7, 16),
    ]


def test_an_all_day_series_repeats_whole_days() -> None:
    event = plan(
        starts_at="2026-06-20",
        ends_at="2026-06-21",
        recurrence={"rrule": "FREQ=WEEKLY;COUNT=2", "exdates": []},
    )
    assert [(o.starts_at, o.ends_at) for o in occurrences(event)] == [
        (berlin(2026, 6, 20).astimezone(dt.UTC), berlin(2026, 6, 21).astimezone(dt.UTC)),
        (berlin(2026, 6, 27).astimezone(dt.UTC), berlin(2026, 6, 28).astimezone(dt.UTC)),
    ]


def test_a_window_shows_only_the_dates_overlapping_it() -> None:
    event = weekly(count=6)
    inside = occurrences(event, utc(2026, 3, 24, 18), utc(2026, 4, 7, 16))
    # 24 March runs until 19:00 UTC, 7 April starts exactly at the window's end
    assert [o.starts_at for o in inside] == [utc(2026, 3, 24, 17), utc(2026, 3, 31, 16)]


def test_a_cancelled_and_a_moved_occurrence_show_where_they_belong() -> None:
    event = weekly(count=4)
    event, [cancelled] = cancel_event(event, utc(2026, 3, 24, 17), "Ferien", LATER)
    assert isinstance(cancelled, EventCancelled)
    assert cancelled.occurrence_start == utc(2026, 3, 24, 17)
    assert cancelled.status is EventStatus.SCHEDULED  # the series goes on
    event, _, [rescheduled] = move_occurrence(
        event, utc(2026, 3, 31, 16), utc(2026, 4, 1, 16), utc(2026, 4, 1, 18), LATER
    )
    assert isinstance(rescheduled, EventRescheduled)
    assert rescheduled.occurrence_start == utc(2026, 3, 31, 16)
    assert (rescheduled.previous_starts_at, rescheduled.previous_ends_at) == (
        utc(2026, 3, 31, 16),
        utc(2026, 3, 31, 18),
    )
    assert event.sequence == 2
    dates = occurrences(event)
    assert [(o.starts_at, o.cancelled, o.moved) for o in dates] == [
        (utc(2026, 3, 17, 17), False, False),
        (utc(2026, 3, 24, 17), True, False),
        (utc(2026, 4, 1, 16), False, True),
        (utc(2026, 4, 7, 16), False, False),
    ]
    assert dates[2].original_start == utc(2026, 3, 31, 16)
    # a window holding only the new time finds the moved date, one holding only the old not
    assert [o.moved for o in occurrences(event, utc(2026, 4, 1), utc(2026, 4, 2))] == [True]
    assert occurrences(event, utc(2026, 3, 31), utc(2026, 4, 1)) == []
    assert series_span(event) == (utc(2026, 3, 17, 17), utc(2026, 4, 7, 18))


def test_an_occurrence_the_series_does_not_have_cannot_be_cancelled_or_moved() -> None:
    event = weekly(count=3)
    with pytest.raises(LookupError):
        cancel_event(event, utc(2026, 3, 18, 17), None, LATER)
    with pytest.raises(LookupError):
        move_occurrence(event, utc(2027, 1, 1), utc(2027, 1, 2), utc(2027, 1, 2, 1), LATER)
    single = plan()
    with pytest.raises(InvalidEventError, match="not a series"):
        cancel_event(single, single.starts_at, None, LATER)


def test_cancelling_twice_changes_nothing_and_a_cancelled_event_cannot_be_changed() -> None:
    event, [first] = cancel_event(plan(), None, "Regen", LATER)
    assert isinstance(first, EventCancelled)
    assert (event.status, event.sequence, event.cancel_reason) == (
        EventStatus.CANCELLED,
        1,
        "Regen",
    )
    again, second = cancel_event(event, None, "Regen", LATER)
    assert second == []
    assert again is event
    with pytest.raises(EventStateError):
        change_event(event, EventPatch(title="Doch"), LATER)
    with pytest.raises(EventStateError):
        cancel_event(
            weekly().model_copy(update={"status": EventStatus.CANCELLED}),
            utc(2026, 3, 17, 17),
            None,
            LATER,
        )


# --- changes ------------------------------------------------------------------------------


def test_a_new_time_is_a_reschedule_and_bumps_the_sequence() -> None:
    event = plan()
    moved, [payload] = change_event(
        event, EventPatch.model_validate({"starts_at": "2026-03-18T18:00:00+01:00"}), LATER
    )
    assert isinstance(payload, EventRescheduled)
    assert payload.previous_starts_at == event.starts_at
    assert payload.occurrence_start is None
    assert moved.sequence == 1
    assert moved.ends_at - moved.starts_at == event.ends_at - event.starts_at  # length kept
    assert moved.updated_at == LATER


def test_another_change_bumps_the_sequence_and_is_announced_as_an_update() -> None:
    event = plan()
    changed, messages = change_event(
        event, EventPatch.model_validate({"title": "Sprachcafé", "district": None}), LATER
    )
    assert [type(m) for m in messages] == [EventUpdated]
    assert isinstance(messages[0], EventUpdated)
    assert messages[0].changed_fields == ["district", "title"]
    assert (changed.title, changed.district, changed.sequence) == ("Sprachcafé", None, 1)


def test_a_patch_that_changes_nothing_publishes_nothing() -> None:
    event = plan()
    same, messages = change_event(event, EventPatch(title="Deutsch-Café"), LATER)
    assert messages == []
    assert same is event


def test_required_fields_cannot_be_cleared_and_new_times_are_checked() -> None:
    event = plan()
    with pytest.raises(InvalidEventError, match="cannot be cleared"):
        change_event(event, EventPatch.model_validate({"title": None}), LATER)
    with pytest.raises(InvalidEventError, match="end after"):
        change_event(
            event, EventPatch.model_validate({"ends_at": "2026-03-17T17:00:00+01:00"}), LATER
        )


def test_changing_the_rule_drops_per_occurrence_changes_that_no_longer_match() -> None:
    event, _ = cancel_event(weekly(count=4), utc(2026, 4, 7, 16), None, LATER)
    shorter, [payload] = change_event(
        event, EventPatch.model_validate({"recurrence": {"rrule": "FREQ=WEEKLY;COUNT=2"}}), LATER
    )
    assert isinstance(payload, EventRescheduled)
    assert shorter.overrides == {}
    assert len(occurrences(shorter)) == 2


def test_the_organiser_is_not_its_own_co_organiser() -> None:
    event = plan(co_organiser_ids=[OTHER_ORG, ORG])
    assert event.invited_organiser_ids == [OTHER_ORG]  # a co-organiser once it accepts
    assert event.organiser_ids == [ORG]
