"""A meeting's iTIP invitation as mail programs read it: `icalendar` parses METHOD, the event's
UID and SEQUENCE, the organiser and the attendee; a cancellation says CANCEL."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from services.calendar.changes import schedule_event
from services.calendar.domain import Event
from services.calendar.ics import invitation_ics
from services.calendar.inputs import EventCreate

NOW = dt.datetime(2030, 5, 1, 9, tzinfo=dt.UTC)


def meeting() -> Event:
    data = EventCreate.model_validate(
        {
            "organisation_id": "01a20175-6dad-718f-a12c-c0b9a10eb02c",
            "title": "Treffen der Arbeitsgruppe",
            "starts_at": "2030-06-20T14:00:00+02:00",
            "ends_at": "2030-06-20T16:00:00+02:00",
            "venue": {"name": "Rathaus", "room": "Saal 2"},
        }
    )
    event, _ = schedule_event("ev-1", data, NOW)
    return event.model_copy(update={"sequence": 3})


def parsed(method: str) -> Calendar:
    text = invitation_ics(
        meeting(),
        method=method,
        portal_url="https://portal.example",
        organizer_email="kalender@integrationsnetz.example",
        organizer_name="Integrationsbüro",
        attendee_email="info@mriya.example",
        attendee_name="Verein Mriya",
    )
    calendar = Calendar.from_ical(text)
    assert isinstance(calendar, Calendar)
    return calendar


def test_a_request_carries_uid_sequence_organiser_and_attendee() -> None:
    calendar = parsed("REQUEST")
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "ev-1@integrationsnetz"
    assert event.decoded("SEQUENCE") == 3
    assert str(event["ORGANIZER"]) == "mailto:kalender@integrationsnetz.example"
    assert event["ORGANIZER"].params["CN"] == "Integrationsbüro"
    assert str(event["ATTENDEE"]) == "mailto:info@mriya.example"
    assert event["ATTENDEE"].params["CN"] == "Verein Mriya"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == dt.datetime(2030, 6, 20, 12, tzinfo=dt.UTC)


def test_a_cancellation_says_cancel_for_the_same_uid() -> None:
    calendar = parsed("CANCEL")
    assert str(calendar["METHOD"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "ev-1@integrationsnetz"
    assert str(event["STATUS"]) == "CANCELLED"
