"""An organisation's web server for the import tests, misbehaving on request: it counts its
visitors, trickles, stalls until released, and sends whatever body and headers a test sets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Response
from fastapi.responses import StreamingResponse

from services.calendar.imports import Importer
from services.calendar.repository import FeedImport
from tests.integration.calendar_fixtures import Partners
from tests.support.services import serving

#: Pause between two pieces of a trickled feed.
TRICKLE_PAUSE = 0.05


@dataclass
class FeedServer:
    base_url: str = ""
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Requests seen, by path.
    hits: dict[str, int] = field(default_factory=dict)
    #: Opens the stalled feed.
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def seen(self, path: str) -> int:
        return self.hits.get(path, 0)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    app = FastAPI()
    served = FeedServer()

    def count(path: str) -> None:
        served.hits[path] = served.hits.get(path, 0) + 1

    @app.get("/feed.ics")
    async def publish() -> Response:
        count("/feed.ics")
        return Response(served.body, media_type="text/calendar", headers=served.headers)

    @app.get("/trickle.ics")
    async def trickle() -> StreamingResponse:
        count("/trickle.ics")

        async def pieces() -> AsyncIterator[bytes]:
            for start in range(0, len(served.body), 8):
                yield served.body[start : start + 8]
                await asyncio.sleep(TRICKLE_PAUSE)

        return StreamingResponse(pieces(), media_type="text/calendar")

    @app.get("/stalled.ics")
    async def stalled() -> Response:
        count("/stalled.ics")
        await served.release.wait()
        return Response(served.body, media_type="text/calendar")

    async with serving(app) as base_url:
        served.base_url = base_url
        try:
            yield served
        finally:
            served.release.set()  # a stalled request must not hold the server's shutdown


def importer_with(partners: Partners, **settings: Any) -> Importer:
    """An importer over the test's calendar with other import settings."""
    changed = partners.service.settings.model_copy(update=settings)
    return Importer(partners.service, changed)


async def register(partners: Partners, organisation: str, url: str) -> FeedImport:
    """Register a feed through the API; returns the stored registration."""
    response = await partners.calendar.post(
        "/imports",
        json={"organisation_id": organisation, "url": url},
        headers=partners.editor_of(organisation),
    )
    assert response.status_code == 201, response.text
    stored = await partners.store.get_import(response.json()["id"])
    assert stored is not None
    return stored


async def last_state(partners: Partners, import_id: str) -> dict[str, Any]:
    """The import as editors see it at GET /imports."""
    stored = await partners.store.get_import(import_id)
    assert stored is not None
    response = await partners.calendar.get(
        "/imports", params={"organisation": stored.organisation_id}, headers=partners.admin
    )
    assert response.status_code == 200, response.text
    [listed] = [item for item in response.json() if item["id"] == import_id]
    found: dict[str, Any] = listed
    return found


async def scheduled_events(partners: Partners, organisation: str) -> list[str]:
    """Ids of the organisation's events that are still on (not cancelled)."""
    store = partners.store
    cursor = store.db["events"].find({"organisation_id": organisation}, {"status": 1})
    return [doc["_id"] async for doc in cursor if doc["status"] == "scheduled"]


__all__ = ["FeedServer", "feed_server"]
