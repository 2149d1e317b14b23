"""The iCalendar feeds: what Thunderbird, Outlook and Google Calendar read back (checked by
parsing with `icalendar`), and how an organisation's own feed is read for an import."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from icalendar import Calendar
from icalendar import Event as VEvent

from services.calendar.changes import cancel_event, move_occurrence, schedule_event
from services.calendar.domain import Event
from services.calendar.ics import FeedError, build_feed, read_feed
from services.calendar.inputs import EventCreate
from services.calendar.recurrence import zone

ORG = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
NOW = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)
BERLIN = zone("Europe/Berlin")
PORTAL = "https://portal.example"


def plan(event_id: str, **changes: Any) -> Event:
    data = {
        "organisation_id": ORG,
        "title": "Deutsch-Café",
        "description": "Offener Treff, Tee und Gespräche",
        "starts_at": "2026-03-17T18:00:00+01:00",
        "ends_at": "2026-03-17T20:00:00+01:00",
        "venue": {"name": "Stadtteilzentrum", "room": "Saal 2", "address": "Hauptstr. 1"},
        **changes,
    }
    event, _ = schedule_event(event_id, EventCreate.model_validate(data), NOW)
    return event


def parse(feed: bytes) -> Calendar:
    calendar = Calendar.from_ical(feed)
    assert isinstance(calendar, Calendar)
    return calendar


def vevents(calendar: Calendar) -> list[VEvent]:
    return [c for c in calendar.walk("VEVENT") if isinstance(c, VEvent)]


def test_a_weekly_series_with_a_cancelled_and_a_moved_date_round_trips() -> None:
    series = plan(
        "01a20175-0000-7000-8000-000000000001",
        recurrence={"rrule": "FREQ=WEEKLY;COUNT=6", "exdates": ["2026-04-14T18:00:00+02:00"]},
    )
    series, _ = cancel_event(series, dt.datetime(2026, 3, 24, 17, tzinfo=dt.UTC), None, NOW)
    series, _, _ = move_occurrence(
        series,
        dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 1, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 1, 18, tzinfo=dt.UTC),
        NOW,
    )
    feed = build_feed([series], name="Integrationsnetz", portal_url=PORTAL, uid="feed-1")
    calendar = parse(feed)

    assert calendar["VERSION"] == "2.0"
    assert "Integrationsnetz" in str(calendar["PRODID"])
    assert calendar["X-WR-CALNAME"] == "Integrationsnetz"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    assert calendar.get_missing_tzids() == set()

    master, moved = vevents(calendar)
    uid = "01a20175-0000-7000-8000-000000000001@integrationsnetz"
    assert master["UID"] == moved["UID"] == uid
    assert master["SEQUENCE"] == moved["SEQUENCE"] == series.sequence == 2
    assert master["URL"] == f"{PORTAL}/events/01a20175-0000-7000-8000-000000000001"
    assert master["STATUS"] == "CONFIRMED"
    assert master.decoded("DTSTART") == dt.datetime(2026, 3, 17, 18, tzinfo=BERLIN)
    assert master["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert master.decoded("DTSTAMP").tzinfo is not None
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=6"
    assert {d.astimezone(dt.UTC) for d in master.exdates} == {
        dt.datetime(2026, 3, 24, 17, tzinfo=dt.UTC),  # cancelled on its own
        dt.datetime(2026, 4, 14, 16, tzinfo=dt.UTC),  # left out by the organiser
    }
    assert moved.decoded("RECURRENCE-ID") == dt.datetime(2026, 3, 31, 18, tzinfo=BERLIN)
    assert moved.decoded("DTSTART") == dt.datetime(2026, 4, 1, 18, tzinfo=BERLIN)
    assert "Saal 2, Stadtteilzentrum" in str(master["LOCATION"])


def test_all_day_and_cancelled_events_are_written_as_such() -> None:
    festival = plan(
        "01a20175-0000-7000-8000-000000000002",
        starts_at="2026-06-20",
        ends_at="2026-06-22",
        recurrence={"rrule": "FREQ=YEARLY;COUNT=2"},
    )
    called_off, _ = cancel_event(plan("01a20175-0000-7000-8000-000000000003"), None, "Regen", NOW)
    calendar = parse(build_feed([festival, called_off], name="x", portal_url=PORTAL, uid="feed-2"))
    first, second = vevents(calendar)
    assert first.decoded("DTSTART") == dt.date(2026, 6, 20)
    assert first.decoded("DTEND") == dt.date(2026, 6, 22)
    assert first["DTSTART"].params.get("VALUE") == "DATE"
    assert second["STATUS"] == "CANCELLED"
    assert second["SEQUENCE"] == 1


def test_an_empty_feed_is_still_a_valid_calendar() -> None:
    calendar = parse(build_feed([], name="Leer", portal_url=PORTAL, uid="feed-3"))
    assert vevents(calendar) == []


FOREIGN_FEED = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Verein//Kalender//DE
BEGIN:VEVENT
UID:training@verein.example
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260317T180000
DTEND;TZID=Europe/Berlin:20260317T193000
SUMMARY:Training
LOCATION:Turnhalle Nord
RRULE:FREQ=WEEKLY;UNTIL=20260414T170000Z
EXDATE;TZID=Europe/Berlin:20260324T180000
END:VEVENT
BEGIN:VEVENT
UID:training@verein.example
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260331T180000
DTSTART;TZID=Europe/Berlin:20260401T180000
DTEND;TZID=Europe/Berlin:20260401T193000
SUMMARY:Training (verlegt)
END:VEVENT
BEGIN:VEVENT
UID:fest@verein.example
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260620
SUMMARY:Sommerfest
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:floating@verein.example
DTSTAMP:20260101T000000Z
DTSTART:20260501T100000
SUMMARY:Floating
END:VEVENT
BEGIN:VEVENT
DTSTAMP:20260101T000000Z
DTSTART:20260501T100000Z
SUMMARY:No UID
END:VEVENT
END:VCALENDAR
"""


def test_an_organisations_feed_is_read_with_series_exceptions_and_defaults() -> None:
    entries, problems = read_feed(FOREIGN_FEED, "Europe/Berlin")
    assert problems == ["an event without UID was skipped"]
    by_uid = {entry.uid: entry for entry in entries}
    training = by_uid["training@verein.example"]
    assert training.fields["title"] == "Training"
    assert training.fields["venue"] == {"name": "Turnhalle Nord"}
    assert training.fields["recurrence"]["rrule"] == "FREQ=WEEKLY;UNTIL=20260414T170000Z"
    assert training.fields["recurrence"]["exdates"] == [dt.datetime(2026, 3, 24, 18, tzinfo=BERLIN)]
    [(original, override)] = training.overrides
    assert original == dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
    assert override.state == "moved"
    assert override.starts_at == dt.datetime(2026, 4, 1, 16, tzinfo=dt.UTC)

    festival = by_uid["fest@verein.example"]
    assert festival.cancelled
    assert festival.fields["starts_at"] == dt.date(2026, 6, 20)
    assert festival.fields["ends_at"] == dt.date(2026, 6, 21)  # a DATE without end: one day

    floating = by_uid["floating@verein.example"]
    assert floating.fields["starts_at"] == dt.datetime(2026, 5, 1, 10, tzinfo=BERLIN)
    assert floating.fields["ends_at"] == dt.datetime(2026, 5, 1, 11, tzinfo=BERLIN)


def test_a_feed_that_is_not_icalendar_is_refused_as_a_whole() -> None:
    with pytest.raises(FeedError):
        read_feed(b"<html>Not found</html>", "Europe/Berlin")
