"""Registering for an event through the calendar's HTTP API, with the real database, broker
and directory: seats, the double opt-in through the email's link, the waiting list and moving
up, the last seat under 20 simultaneous registrations, the organisers' spreadsheet, what the
registrants are told when the event moves, retention, and what the public stream shows.

The emails are the `SendEmail` commands the calendar publishes to the notifier (a test queue
bound to `integrationsnetz.commands`); their links and iCalendar parts are read from there."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.calendar.registration_jobs import RegistrationJobs
from services.calendar.roster_store import REGISTRATION_TOKENS, ROSTERS, RosterStore
from shared.contracts.base import COMMANDS_EXCHANGE
from tests.integration.calendar_fixtures import PORTAL, ServedPartners, email_of, invitation
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.members import SEND_EMAIL
from tests.support.waiting import eventually


@pytest.fixture
async def emails(rabbit: RabbitVhost) -> AsyncIterator[StreamTap]:
    """The email commands the calendar sends the notifier from now on."""
    async with StreamTap(rabbit.url, COMMANDS_EXCHANGE, (SEND_EMAIL,)) as tap:
        yield tap


def token_in(link: str, path: str) -> str:
    found = re.fullmatch(rf"{re.escape(PORTAL)}/anmeldung/{path}\?token=(\S+)", link)
    assert found, link
    return found.group(1)


async def an_event(partners: ServedPartners, organiser: str, days: int = 10) -> str:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days)
    created = await partners.calendar.post(
        "/events",
        json={
            "organisation_id": organiser,
            "title": "Elterncafé in der Nordstadt",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "venue": {"name": "Stadtteilzentrum", "room": "Saal 2"},
        },
        headers=partners.editor_of(organiser),
    )
    assert created.status_code == 201, created.text
    event_id: str = created.json()["event"]["id"]
    return event_id


async def set_up(
    partners: ServedPartners, event_id: str, organiser: str, **settings: Any
) -> dict[str, Any]:
    answer = await partners.calendar.put(
        f"/events/{event_id}/registration",
        json={"capacity": 2, **settings},
        headers=partners.editor_of(organiser),
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def member_registers(
    calendar: httpx.AsyncClient, event_id: str, name: str, headers: dict[str, str], **body: Any
) -> httpx.Response:
    return await calendar.post(
        f"/events/{event_id}/registrations",
        json={"name": name, "email": f"{name.lower()}@example.org", **body},
        headers=headers,
    )


async def test_two_seats_an_opt_in_a_waiting_list_and_moving_up(
    served_partners: ServedPartners, emails: StreamTap, calendar_events: StreamTap
) -> None:
    partners = served_partners
    calendar = partners.calendar
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    event_id = await an_event(partners, mriya)
    status = await set_up(partners, event_id, mriya, questions=["interpreter", "child_care"])
    assert status["open"] is True
    assert (status["capacity"], status["seats_left"], status["closed_reason"]) == (2, 2, None)

    # a member of Linde: registered at once
    ana = partners.editor_of(linde)
    first = await member_registers(
        calendar, event_id, "Ana", ana, organisation_id=linde, answers={"child_care": 2}
    )
    assert first.status_code == 201, first.text
    assert (first.json()["state"], first.json()["position"]) == ("confirmed", None)

    # anyone: the email's link confirms
    olena = "olena@example.org"
    pending = await calendar.post(
        f"/events/{event_id}/registrations",
        json={"name": "Olena", "email": olena, "language": "uk"},
    )
    assert pending.status_code == 201, pending.text
    assert pending.json()["state"] == "pending"
    opt_in = await email_of(emails, olena, "registration_opt_in")
    assert opt_in["language"] == "uk"
    assert opt_in["requested_by_service"] == "calendar"
    token = token_in(opt_in["params"]["confirm_link"], "bestaetigen")
    shown = await calendar.get("/registrations/by-token", params={"token": token})
    assert shown.status_code == 200, shown.text
    assert (shown.json()["state"], shown.json()["purpose"]) == ("pending", "opt_in")
    confirmed = await calendar.post("/registrations/confirm", json={"token": token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"
    again = await calendar.post("/registrations/confirm", json={"token": token})
    assert again.json()["state"] == "confirmed", "a second click changes nothing"
    unknown = await calendar.post("/registrations/confirm", json={"token": "no-such-token"})
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("registration-token-invalid")

    olena_confirmed = await email_of(emails, olena, "registration_confirmed")
    method, request = invitation(olena_confirmed)
    assert method == "REQUEST"
    assert str(request["UID"]) == f"{event_id}@integrationsnetz"

    # the third waits
    cem = partners.editor_of(linde)
    third = await member_registers(calendar, event_id, "Cem", cem)
    assert (third.json()["state"], third.json()["position"]) == ("waiting", 1)
    waitlisted = await email_of(emails, "cem@example.org", "registration_waitlisted")
    assert waitlisted["params"]["position"] == "1"
    full = await calendar.get(f"/events/{event_id}/registration")
    assert (full.json()["seats_left"], full.json()["waiting"]) == (0, 1)
    assert full.json()["closed_reason"] == "full"

    # Olena cancels through her email's link; Cem moves up and is told
    cancel_token = token_in(olena_confirmed["params"]["cancel_link"], "abmelden")
    cancelled = await calendar.post("/registrations/cancel", json={"token": cancel_token})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    method, _ = invitation(await email_of(emails, olena, "registration_cancelled"))
    assert method == "CANCEL"
    promoted = await email_of(emails, "cem@example.org", "registration_promoted")
    method, moved_up = invitation(promoted)
    assert method == "REQUEST"
    assert str(moved_up["UID"]) == f"{event_id}@integrationsnetz"
    assert "mailto:cem@example.org" in str(moved_up["ATTENDEE"]).lower()
    mine = await calendar.get("/me/registrations", headers=cem)
    assert [(r["event_id"], r["state"]) for r in mine.json()] == [(event_id, "confirmed")]

    # only the organisers see who registered
    refused = await calendar.get(f"/events/{event_id}/registrations", headers=cem)
    assert refused.status_code == 403
    listed = await calendar.get(
        f"/events/{event_id}/registrations", headers=partners.editor_of(mriya)
    )
    assert [(r["name"], r["state"]) for r in listed.json()] == [
        ("Ana", "confirmed"),
        ("Cem", "confirmed"),
        ("Olena", "cancelled"),
    ]

    # the event moves: the two confirmed hear of it with the new SEQUENCE
    event = (await calendar.get(f"/events/{event_id}")).json()
    later = dt.datetime.fromisoformat(event["starts_at"]) + dt.timedelta(days=1)
    moved = await calendar.patch(
        f"/events/{event_id}",
        json={
            "starts_at": later.isoformat(),
            "ends_at": (later + dt.timedelta(hours=2)).isoformat(),
        },
        headers=partners.editor_of(mriya),
    )
    assert moved.status_code == 200, moved.text
    for address in ("ana@example.org", "cem@example.org"):
        _, changed = invitation(await email_of(emails, address, "registration_event_changed"))
        assert int(str(changed["SEQUENCE"])) == event["sequence"] + 1

    # the stream: counts only
    await calendar_events.wait_for("calendar.registration.closed")
    await calendar_events.wait_for("calendar.registration.changed", count=3)
    stream = calendar_events.of_type("calendar.registration.opened") + calendar_events.of_type(
        "calendar.registration.changed"
    )
    assert stream
    for body in [*stream, *calendar_events.of_type("calendar.registration.closed")]:
        text = json.dumps(body)
        assert "@" not in text
        for name in ("Ana", "Olena", "Cem"):
            assert name not in text
    last = calendar_events.of_type("calendar.registration.changed")[-1]["data"]
    assert (last["capacity"], last["confirmed"], last["waiting"]) == (2, 2, 0)


async def test_twenty_simultaneous_registrations_for_the_last_seat_give_it_once(
    served_partners: ServedPartners,
) -> None:
    partners = served_partners
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    event_id = await an_event(partners, mriya)
    await set_up(partners, event_id, mriya)
    first = await member_registers(partners.calendar, event_id, "Ana", partners.editor_of(linde))
    assert first.json()["state"] == "confirmed"

    answers = await asyncio.gather(
        *(
            member_registers(partners.calendar, event_id, f"Person{n}", partners.editor_of(linde))
            for n in range(20)
        )
    )
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    states = sorted(a.json()["state"] for a in answers)
    assert states.count("confirmed") == 1
    assert states.count("waiting") == 19
    positions = sorted(a.json()["position"] for a in answers if a.json()["state"] == "waiting")
    assert positions == list(range(1, 20))
    status = (await partners.calendar.get(f"/events/{event_id}/registration")).json()
    assert (status["confirmed"], status["waiting"], status["seats_left"]) == (2, 19, 0)


async def test_the_spreadsheet_and_retention(served_partners: ServedPartners) -> None:
    partners = served_partners
    calendar = partners.calendar
    mriya = await partners.organisation("Ukrainischer Verein Mriya e.V.")
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    event_id = await an_event(partners, mriya, days=3)
    await set_up(partners, event_id, mriya, capacity=1, questions=["interpreter", "dietary"])
    organiser = partners.editor_of(mriya)
    ana = await member_registers(
        calendar,
        event_id,
        "Ana",
        partners.editor_of(linde),
        organisation_id=linde,
        answers={"interpreter_language": "uk", "dietary": '=HYPERLINK("x")'},
    )
    await member_registers(calendar, event_id, "Ben", partners.editor_of(linde))
    attended = await calendar.put(
        f"/events/{event_id}/registrations/{ana.json()['id']}/attendance",
        json={"attended": True},
        headers=organiser,
    )
    assert attended.status_code == 200, attended.text

    sheet = await calendar.get(f"/events/{event_id}/registrations.csv", headers=organiser)
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"].startswith("text/csv")
    assert sheet.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Name",
        "E-Mail",
        "Organisation",
        "Status",
        "Wartelistenplatz",
        "Angemeldet am",
        "Dolmetschung (Sprache)",
        "Kinderbetreuung (Anzahl)",
        "Barrierefreiheit",
        "Ernährung",
        "Teilgenommen",
    ]
    assert rows[1][:5] == ["Ana", "ana@example.org", "Nachbarschaftstreff Linde", "bestätigt", ""]
    assert rows[1][6] == "uk"
    assert rows[1][9] == '\'=HYPERLINK("x")', "no formula runs"
    assert rows[1][10] == "ja"
    assert rows[2][:5] == ["Ben", "ben@example.org", "", "Warteliste", "1"]
    refused = await calendar.get(
        f"/events/{event_id}/registrations.csv", headers=partners.editor_of(linde)
    )
    assert refused.status_code == 403

    # 31 days after the event: names, addresses, answers and tokens are gone, counts stay
    jobs: RegistrationJobs = partners.calendar_app.state.registration_jobs
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3 + 31)
    jobs.registrations.clock = lambda: later
    assert (await jobs.run()).redacted == 1
    store: RosterStore = jobs.registrations.rosters  # type: ignore[assignment]

    async def relayed() -> bool:  # the outbox holds emails until they are handed on
        stored = await store.db[ROSTERS].find_one({"_id": event_id})
        return stored is not None and stored["outbox"] == []

    await eventually(relayed)
    stored = await store.db[ROSTERS].find_one({"_id": event_id})
    assert stored is not None
    assert stored["registrations"] == []
    assert "example.org" not in str(stored)
    assert await store.db[REGISTRATION_TOKENS].count_documents({"event_id": event_id}) == 0
    status = (await calendar.get(f"/events/{event_id}/registration")).json()
    assert (status["confirmed"], status["waiting"]) == (1, 1)
    listed = await calendar.get(f"/events/{event_id}/registrations", headers=organiser)
    assert listed.json() == []
    office = await calendar.get("/registrations/counts", headers=partners.admin)
    [counts] = [c for c in office.json()["items"] if c["event_id"] == event_id]
    assert (counts["confirmed"], counts["waiting"], counts["attended"]) == (1, 1, 1)
    assert counts["event_title"] == "Elterncafé in der Nordstadt"
