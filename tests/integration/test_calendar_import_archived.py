"""An organisation that leaves the network takes its feed imports with it: they stop, and no
feed brings back an event that was cancelled because its organisation left."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI, Response

from services.calendar.imports import Importer, imported_event_id
from services.calendar.store import NEVER
from tests.integration.calendar_fixtures import Partners
from tests.integration.feed_fixtures import FeedServer, last_state, register, scheduled_events
from tests.integration.test_calendar_imports import vcalendar, vevent
from tests.support.services import serving
from tests.support.waiting import eventually

FEED = vcalendar(
    vevent("training@verein.example", "Training", 5, 18, "RRULE:FREQ=WEEKLY;COUNT=3\r\n"),
    vevent("fest@verein.example", "Sommerfest", 23, 14),
)


def app_importer(partners: Partners) -> Importer:
    service: Importer = partners.calendar_app.state.importer
    return service


async def archive(partners: Partners, organisation: str) -> None:
    response = await partners.directory.delete(
        f"/organisations/{organisation}", headers=partners.admin
    )
    assert response.status_code == 200, response.text
    await partners.known(organisation, "archived")


async def test_an_archived_organisations_imports_stop_and_its_cancelled_events_stay_cancelled(
    partners: Partners, feed_server: FeedServer
) -> None:
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    feed_server.body = FEED
    registration = await register(partners, verein, feed_server.url("/feed.ics"))
    importer = app_importer(partners)
    assert await importer.run_due() == 1
    assert len(await scheduled_events(partners, verein)) == 2

    await archive(partners, verein)

    async def stopped() -> bool:
        state: str = (await last_state(partners, registration.id))["state"]
        return state == "stopped"

    async def all_cancelled() -> bool:
        # the projection is archived first, its future events are cancelled right after
        return await scheduled_events(partners, verein) == []

    await eventually(stopped)
    await eventually(all_cancelled)
    # never due again, however late it gets
    assert registration.id not in await partners.store.due_import_ids(NEVER - 1)

    # the feed still publishes the events; fetching it (as a due pass would) revives nothing
    fetches = feed_server.seen("/feed.ics")
    await importer.import_feed(registration)
    assert feed_server.seen("/feed.ics") == fetches
    assert await scheduled_events(partners, verein) == []
    listed = await last_state(partners, registration.id)
    assert listed["state"] == "stopped"
    assert "left the network" in listed["last_error"]


@pytest.fixture
async def archiving_feed(partners: Partners) -> AsyncIterator[tuple[str, list[str]]]:
    """A feed whose organisation is archived while the calendar downloads it: the response
    is sent only once the calendar has cancelled the organisation's events."""
    app = FastAPI()
    archiving: list[str] = []

    @app.get("/verein.ics")
    async def publish() -> Response:
        if not archiving:
            return Response(FEED, media_type="text/calendar")
        organisation = archiving[0]
        await archive(partners, organisation)

        async def all_cancelled() -> bool:
            return await scheduled_events(partners, organisation) == []

        await eventually(all_cancelled)
        # the same events, and one the calendar has not seen yet
        extended = FEED.replace(
            b"END:VCALENDAR",
            vevent("neu@verein.example", "Neu", 27, 16).encode() + b"END:VCALENDAR",
        )
        return Response(extended, media_type="text/calendar")

    async with serving(app) as base_url:
        yield f"{base_url}/verein.ics", archiving


async def test_an_organisation_archived_while_its_feed_downloads_gets_no_event_back(
    partners: Partners, archiving_feed: tuple[str, list[str]]
) -> None:
    url, archiving = archiving_feed
    verein = await partners.organisation("Sportverein Nord 1920 e.V.")
    registration = await register(partners, verein, url)
    importer = app_importer(partners)
    await importer.import_feed(registration)
    assert len(await scheduled_events(partners, verein)) == 2

    archiving.append(verein)
    await importer.import_feed(registration)

    assert await scheduled_events(partners, verein) == []
    # the one the feed brought in meanwhile was written, and called off with the others
    brought = await partners.store.get_event(imported_event_id(verein, "neu@verein.example"))
    assert brought is not None
    assert brought.cancelled
    assert (await last_state(partners, registration.id))["state"] == "stopped"
