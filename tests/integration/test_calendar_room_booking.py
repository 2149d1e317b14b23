"""Booking a room under concurrency, against the calendar served over real HTTP on the real
database: simultaneous requests for one room and time never both get it."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.calendar.clashes import venue_key
from services.calendar.domain import Event
from services.calendar.room_locks import RoomLocks
from tests.integration.calendar_fixtures import Partners, ServedPartners

NEXT_YEAR = dt.date.today().year + 1
BERLIN = ZoneInfo("Europe/Berlin")
CONTENDERS = 8
ROOM = {"name": "Bürgerhaus Nordstadt", "room": "Saal 2"}


def at(month: int, day: int, hour: int, minute: int = 0) -> str:
    return dt.datetime(NEXT_YEAR, month, day, hour, minute, tzinfo=BERLIN).isoformat()


def booking(organisation_id: str, number: int, **changes: Any) -> dict[str, Any]:
    return {
        "organisation_id": organisation_id,
        "title": f"Treffen {number}",
        # overlapping, never identical: each starts five minutes after the one before
        "starts_at": at(6, 20, 14, 0) if number == 0 else at(6, 20, 14, min(number * 5, 55)),
        "ends_at": at(6, 20, 17),
        "venue": ROOM,
        **changes,
    }


def slugs(answers: list[httpx.Response], won: int = 201) -> list[str]:
    """The problem slugs of the answers other than the winner's `won`, sorted."""
    return sorted(
        str(a.json().get("type", "")).rsplit("/", 1)[-1] for a in answers if a.status_code != won
    )


def assert_one_won_the_room(answers: list[httpx.Response], won: int) -> None:
    """One answer is `won`, every other one a 409 `room-clash`."""
    assert sorted(a.status_code for a in answers) == [won] + [409] * (CONTENDERS - 1), [
        a.text for a in answers
    ]
    assert slugs(answers, won) == ["room-clash"] * (CONTENDERS - 1)


async def booked_on(partners: Partners, day: str, next_day: str) -> list[dict[str, Any]]:
    """The events listed from `day` to `next_day` (of next year, as "MM-DD")."""
    listed = await partners.calendar.get(
        "/events", params={"from": f"{NEXT_YEAR}-{day}", "to": f"{NEXT_YEAR}-{next_day}"}
    )
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def test_simultaneous_bookings_of_one_room_give_one_201_and_a_409_room_clash_to_the_rest(
    served_partners: ServedPartners,
) -> None:
    partners = served_partners
    organisations = [await partners.organisation(f"Verein {n}") for n in range(CONTENDERS)]
    answers = await asyncio.gather(
        *(
            partners.calendar.post(
                "/events",
                json=booking(organisation, number),
                headers=partners.editor_of(organisation),
            )
            for number, organisation in enumerate(organisations)
        )
    )
    assert_one_won_the_room(answers, 201)
    assert len(await booked_on(partners, "06-20", "06-21")) == 1


async def test_simultaneous_series_and_single_bookings_of_one_room_leave_exactly_one_booked(
    served_partners: ServedPartners,
) -> None:
    partners = served_partners
    organisations = [await partners.organisation(f"Gruppe {n}") for n in range(CONTENDERS)]
    weekly = {"recurrence": {"rrule": "FREQ=WEEKLY;COUNT=10"}}
    answers = await asyncio.gather(
        *(
            partners.calendar.post(
                "/events",
                # even numbers plan a weekly series starting a week earlier, meeting 20.06. too
                json=booking(
                    organisation,
                    number,
                    **(
                        {**weekly, "starts_at": at(6, 13, 15), "ends_at": at(6, 13, 16)}
                        if number % 2 == 0
                        else {}
                    ),
                ),
                headers=partners.editor_of(organisation),
            )
            for number, organisation in enumerate(organisations)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * (CONTENDERS - 1), [
        a.text for a in answers
    ]
    assert slugs(answers) == ["room-clash"] * (CONTENDERS - 1)


async def test_simultaneous_reschedules_into_one_free_slot_leave_it_to_exactly_one_event(
    served_partners: ServedPartners,
) -> None:
    partners = served_partners
    organisations = [await partners.organisation(f"Initiative {n}") for n in range(CONTENDERS)]
    planned = []
    for number, organisation in enumerate(organisations):
        # each on its own day of July, all in the same room
        answer = await partners.calendar.post(
            "/events",
            json=booking(
                organisation,
                number,
                starts_at=at(7, 1 + number, 10),
                ends_at=at(7, 1 + number, 12),
            ),
            headers=partners.editor_of(organisation),
        )
        assert answer.status_code == 201, answer.text
        planned.append(answer.json()["event"]["id"])
    answers = await asyncio.gather(
        *(
            partners.calendar.patch(
                f"/events/{event_id}",
                json={"starts_at": at(8, 1, 10), "ends_at": at(8, 1, 12)},
                headers=partners.editor_of(organisation),
            )
            for event_id, organisation in zip(planned, organisations, strict=True)
        )
    )
    assert_one_won_the_room(answers, 200)
    assert len(await booked_on(partners, "08-01", "08-02")) == 1


async def test_a_room_lock_left_by_a_crashed_booking_is_taken_over_once_its_lease_runs_out(
    partners: Partners,
) -> None:
    treff = await partners.organisation("Nachbarschaftstreff Linde")
    rooms = partners.service.rooms
    assert isinstance(rooms, RoomLocks)
    now = 1_900_000_000_000
    rooms.now_ms = lambda: now
    probe = Event.model_validate(
        {
            "id": "probe",
            "title": "probe",
            "organisation_id": treff,
            "starts_at": "2030-01-01T10:00:00Z",
            "ends_at": "2030-01-01T11:00:00Z",
            "venue": ROOM,
            "created_at": "2030-01-01T00:00:00Z",
            "updated_at": "2030-01-01T00:00:00Z",
        }
    )
    room = venue_key(probe)
    assert room is not None
    # a booking took the lock and died before writing its event or giving the lock back
    assert await rooms.try_claim(room, "crashed-request")
    assert not await rooms.try_claim(room, "someone-else")
    now += rooms.lease_ms - 1
    assert not await rooms.try_claim(room, "someone-else")
    now += 1
    booked = await partners.calendar.post(
        "/events", json=booking(treff, 0), headers=partners.editor_of(treff)
    )
    assert booked.status_code == 201, booked.text
    # and the booking gave the lock back when it was done
    assert await rooms.try_claim(room, "the-next-one")
