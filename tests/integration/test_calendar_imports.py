"""Importing an organisation's own ICS feed, served over real HTTP: events are created once,
updated on change without duplicates, cancelled when they leave the feed, and a broken feed is
reported on the import instead of crashing anything."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI, Response

from services.calendar.imports import Importer, imported_event_id
from tests.integration.calendar_fixtures import Partners
from tests.support.amqp import StreamTap
from tests.support.services import serving

YEAR = dt.date.today().year + 1


@dataclass
class Feed:
    """An organisation's calendar program, publishing whatever `body` holds."""

    url: str
    body: bytes = b""
    status: int = 200


def vcalendar(*events: str) -> bytes:
    inner = "".join(events)
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Verein//DE\r\n{inner}END:VCALENDAR\r\n"
    return text.encode()


def vevent(uid: str, summary: str, day: int, hour: int, extra: str = "") -> str:
    return (
        "BEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:{YEAR - 1}0101T000000Z\r\n"
        f"DTSTART;TZID=Europe/Berlin:{YEAR}05{day:02d}T{hour:02d}0000\r\n"
        f"DTEND;TZID=Europe/Berlin:{YEAR}05{day:02d}T{hour + 2:02d}0000\r\n"
        f"SUMMARY:{summary}\r\nLOCATION:Turnhalle Nord\r\n{extra}"
        "END:VEVENT\r\n"
    )


def renamed_training_feed(*more: str) -> bytes:
    """The club's feed once the weekly training got a new title and lost its 12 May session."""
    return vcalendar(
        vevent(
            "training@verein.example", "Training (Jugend)", 5, 18, "RRULE:FREQ=WEEKLY;COUNT=3\r\n"
        ),
        "BEGIN:VEVENT\r\nUID:training@verein.example\r\n"
        f"DTSTAMP:{YEAR - 1}0101T000000Z\r\n"
        f"RECURRENCE-ID;TZID=Europe/Berlin:{YEAR}0512T180000\r\n"
        f"DTSTART;TZID=Europe/Berlin:{YEAR}0512T180000\r\nSUMMARY:Training\r\n"
        "STATUS:CANCELLED\r\nEND:VEVENT\r\n",
        *more,
    )


@pytest.fixture
async def feed() -> AsyncIterator[Feed]:
    app = FastAPI()
    served = Feed(url="")

    @app.get("/verein.ics")
    async def publish() -> Response:
        return Response(served.body, status_code=served.status, media_type="text/calendar")

    async with serving(app) as base_url:
        served.url = f"{base_url}/verein.ics"
        yield served


def importer(partners: Partners) -> Importer:
    service: Importer = partners.calendar_app.state.importer
    return service


async def our_events(partners: Partners, organisation: str) -> list[dict[str, Any]]:
    response = await partners.calendar.get(
        "/events",
        params={"from": f"{YEAR}-05-01", "to": f"{YEAR}-06-01", "organisation": organisation},
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_an_imported_feed_creates_events_once_and_follows_its_changes(
    partners: Partners, feed: Feed, calendar_events: StreamTap
) -> None:
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    editor = partners.editor_of(verein)
    feed.body = vcalendar(
        vevent("training@verein.example", "Training", 5, 18, "RRULE:FREQ=WEEKLY;COUNT=3\r\n"),
        vevent("fest@verein.example", "Sommerfest", 23, 14),
    )
    registered = await partners.calendar.post(
        "/imports",
        json={
            "organisation_id": verein,
            "url": feed.url,
            "district": "Nordstadt",
            "audience": ["youth"],
        },
        headers=editor,
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["state"] == "pending"

    # the periodic task picks the new feed up at once
    assert await importer(partners).run_due() == 1
    [first] = await imports_of_org(partners, verein)
    assert first["state"] == "ok", first
    assert first["last_result"] == {
        "created": 2,
        "updated": 0,
        "cancelled": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    await calendar_events.wait_for("calendar.event.scheduled", count=2)
    events = await our_events(partners, verein)
    assert [e["title"] for e in events] == ["Training", "Training", "Training", "Sommerfest"]
    training_id = imported_event_id(verein, "training@verein.example")
    assert {e["event_id"] for e in events} == {
        training_id,
        imported_event_id(verein, "fest@verein.example"),
    }
    assert events[0]["district"] == "Nordstadt"
    assert events[0]["venue"]["name"] == "Turnhalle Nord"
    assert await importer(partners).run_due() == 0  # not due again before the interval

    # fetched again unchanged: nothing written, nothing published, no duplicates
    again = await import_now(partners, verein)
    assert again["last_result"]["unchanged"] == 2
    assert len(await our_events(partners, verein)) == 4

    # the festival moves, one training is cancelled in the feed, the series gets a new title
    feed.body = renamed_training_feed(
        vevent("fest@verein.example", "Sommerfest", 24, 14),
    )
    changed = await import_now(partners, verein)
    assert changed["last_result"]["updated"] == 2
    events = await our_events(partners, verein)
    assert [(e["title"], e["starts_at"][:10]) for e in events] == [
        ("Training (Jugend)", f"{YEAR}-05-05"),
        ("Training (Jugend)", f"{YEAR}-05-19"),
        ("Sommerfest", f"{YEAR}-05-24"),
    ]
    training = (await partners.calendar.get(f"/events/{training_id}")).json()
    assert training["sequence"] == 1
    assert training["imported"] is True
    await calendar_events.wait_for("calendar.event.rescheduled")

    # an event that leaves the feed is cancelled; a broken feed is reported, not fatal
    feed.body = renamed_training_feed(
        vevent("endless@verein.example", "Endlos", 6, 10, "RRULE:FREQ=DAILY\r\n"),
    )
    removed = await import_now(partners, verein)
    assert removed["last_result"]["cancelled"] == 1
    assert removed["last_result"]["unchanged"] == 1
    assert removed["problems"] == [
        "endless@verein.example: A series must end: give COUNT or UNTIL "
        "(at most two years after the first date)."
    ]
    [cancelled] = await calendar_events.wait_for("calendar.event.cancelled")
    assert cancelled["subject"] == imported_event_id(verein, "fest@verein.example")

    feed.body = b"<html>Wartungsarbeiten</html>"
    broken = await import_now(partners, verein)
    assert broken["state"] == "failed"
    assert "not an iCalendar feed" in broken["last_error"]
    feed.status = 500
    unavailable = await import_now(partners, verein)
    assert unavailable["last_error"] == "the feed answered HTTP 500"
    assert len(await our_events(partners, verein)) == 2  # what was imported stays


async def test_only_http_feeds_of_members_can_be_registered(partners: Partners) -> None:
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    refused = await partners.calendar.post(
        "/imports",
        json={"organisation_id": verein, "url": "file:///etc/passwd"},
        headers=partners.editor_of(verein),
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")


async def imports_of_org(partners: Partners, organisation: str) -> list[dict[str, Any]]:
    response = await partners.calendar.get(
        "/imports", params={"organisation": organisation}, headers=partners.admin
    )
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


async def import_now(partners: Partners, organisation: str) -> dict[str, Any]:
    """Fetch the organisation's feed now, as the periodic task does when it is due."""
    service = importer(partners)
    for registration in await service.store.imports_of(organisation):
        await service.import_feed(registration)
    [listed] = await imports_of_org(partners, organisation)
    return listed
