"""The portal's event form: Berlin wall time into RFC 3339, what is sent to the calendar, and
the German words for what the calendar answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.portal.clients.base import Problem
from services.portal.clients.calendar import Event
from services.portal.event_forms import (
    EventForm,
    FormError,
    berlin_rfc3339,
    refusal_message,
    room_taken_message,
)


def a_form(**typed: Any) -> EventForm:
    values: dict[str, Any] = {
        "organisation_id": "01a20175-6dad-718f-a12c-c0b9a10eb02c",
        "title": "Sprachcafé",
        "date": "2027-06-20",
        "starts": "16:00",
        "ends": "18:00",
    }
    return EventForm(**{**values, **typed})


def test_a_summer_wall_time_gets_the_summer_offset() -> None:
    assert berlin_rfc3339(dt.date(2027, 6, 20), dt.time(16, 0)) == "2027-06-20T16:00:00+02:00"


def test_a_winter_wall_time_gets_the_winter_offset() -> None:
    assert berlin_rfc3339(dt.date(2027, 1, 14), dt.time(18, 30)) == "2027-01-14T18:30:00+01:00"


def test_the_offset_changes_on_the_day_summer_time_begins() -> None:
    day = dt.date(2027, 3, 28)
    assert berlin_rfc3339(day, dt.time(1, 30)) == "2027-03-28T01:30:00+01:00"
    assert berlin_rfc3339(day, dt.time(3, 30)) == "2027-03-28T03:30:00+02:00"


def test_a_time_skipped_when_summer_time_begins_is_refused_in_german() -> None:
    with pytest.raises(FormError, match=r"28\.03\.2027 gibt es die Uhrzeit 02:30"):
        berlin_rfc3339(dt.date(2027, 3, 28), dt.time(2, 30))


def test_a_time_that_happens_twice_when_summer_time_ends_means_the_first() -> None:
    day = dt.date(2027, 10, 31)
    assert berlin_rfc3339(day, dt.time(2, 30)) == "2027-10-31T02:30:00+02:00"
    assert berlin_rfc3339(day, dt.time(3, 30)) == "2027-10-31T03:30:00+01:00"


def test_only_what_was_filled_in_is_sent() -> None:
    assert a_form().calendar_body() == {
        "organisation_id": "01a20175-6dad-718f-a12c-c0b9a10eb02c",
        "title": "Sprachcafé",
        "starts_at": "2027-06-20T16:00:00+02:00",
        "ends_at": "2027-06-20T18:00:00+02:00",
        "visibility": "public",
    }


def test_venue_district_audience_and_visibility_are_sent_when_given() -> None:
    body = a_form(
        description="Mit Kuchen",
        venue_name="Bürgerhaus Nordstadt",
        venue_room="Saal 2",
        district="Nordstadt",
        audience=["families", "newcomers"],
        visibility="network",
    ).calendar_body()
    assert body["description"] == "Mit Kuchen"
    assert body["venue"] == {"name": "Bürgerhaus Nordstadt", "room": "Saal 2"}
    assert body["district"] == "Nordstadt"
    assert body["audience"] == ["families", "newcomers"]
    assert body["visibility"] == "network"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"ends": "15:00"}, "Das Ende muss nach dem Beginn liegen."),
        ({"ends": "16:00"}, "Das Ende muss nach dem Beginn liegen."),
        ({"date": ""}, "Bitte geben Sie das Datum an"),
        ({"date": "20.06.2027"}, "Bitte geben Sie das Datum an"),
        ({"starts": ""}, "Bitte geben Sie Beginn und Ende"),
        ({"title": ""}, "Bitte geben Sie einen Titel an."),
        ({"organisation_id": ""}, "Bitte wählen Sie die Organisation"),
    ],
)
def test_a_form_the_calendar_would_refuse_is_refused_in_german_first(
    typed: dict[str, str], message: str
) -> None:
    with pytest.raises(FormError, match=message):
        a_form(**typed).calendar_body()


ROOM_CLASH = {
    "type": "https://integrationsnetz.de/problems/room-clash",
    "title": "Room already booked",
    "status": 409,
    "detail": "Room “Saal 2” at “Bürgerhaus” is already booked by “Vereinsversammlung” (...)",
    "clashes": [
        {
            "event_id": "01a20175-6e35-7420-942f-2edfc88e1cc8",
            "title": "Vereinsversammlung",
            "organisation_id": "01a20175-6e13-7012-9a1c-8de746c2ce99",
            "occurrence_start": "2027-06-20T16:00:00+02:00",
            "overlap_starts_at": "2027-06-20T17:00:00+02:00",
            "overlap_ends_at": "2027-06-20T18:00:00+02:00",
        }
    ],
}
CLASHES = Problem.of(409, ROOM_CLASH).clashes


def test_a_taken_room_names_the_other_event_with_its_whole_time() -> None:
    other = {
        "starts_at": "2027-06-20T16:00:00+02:00",
        "ends_at": "2027-06-20T18:00:00+02:00",
        "recurrence": None,
    }
    assert room_taken_message(CLASHES, Event.model_validate(other)).startswith(
        "Der Raum ist zu dieser Zeit schon belegt: «Vereinsversammlung» (20.06.2027 16:00–18:00)."
    )


def test_a_taken_room_of_a_series_or_unreadable_event_names_the_overlap() -> None:
    assert "«Vereinsversammlung» (20.06.2027 17:00–18:00)." in room_taken_message(CLASHES, None)


def test_a_room_clash_without_details_still_says_the_room_is_taken() -> None:
    assert room_taken_message([], None) == "Der Raum ist zu dieser Zeit schon belegt."


def test_refused_fields_are_named_by_their_german_labels() -> None:
    answer = Problem.of(
        422,
        {
            "type": "https://integrationsnetz.de/problems/validation",
            "errors": [
                {"location": "body.title", "message": "...", "type": "string_too_long"},
                {"location": "body.venue.room", "message": "...", "type": "string_too_long"},
                {"location": "body.audience.0", "message": "...", "type": "enum"},
            ],
        },
    )
    assert refusal_message(answer) == (
        "Bitte prüfen Sie: Titel (zu lang), Raum (zu lang), Zielgruppe (unbekannter Wert)."
    )


def test_a_member_of_another_organisation_is_told_they_may_not() -> None:
    answer = Problem.of(403, {"type": "https://integrationsnetz.de/problems/forbidden"})
    assert refusal_message(answer) == "Sie dürfen für diese Organisation keine Termine eintragen."
