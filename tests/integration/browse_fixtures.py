"""A small network to browse in the portal, set up once per test module (its tests only read):
the directory, the calendar and the exchange served over real HTTP, three organisations, their
events in June of next year (one only for the network, one late in the evening) and one in two
weeks, and their offers and requests, 23 chairs among them to page through."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.calendar.app import create_app as create_calendar
from services.calendar.settings import CalendarSettings
from services.directory.app import create_app as create_directory
from services.exchange.app import create_app as create_exchange
from shared.ids import new_id
from tests.conftest import behind_the_directory, new_database_name
from tests.integration.conftest import directory_settings_for
from tests.integration.exchange_fixtures import exchange_settings
from tests.support.infra import RabbitVhost
from tests.support.portal import portal_client, session_of
from tests.support.services import serving, serving_with_admin
from tests.support.waiting import until_ready

Headers = dict[str, str]
BERLIN = ZoneInfo("Europe/Berlin")
NEXT_YEAR = dt.date.today().year + 1
#: The month the events lie in, as the calendar page names it.
JUNE = f"{NEXT_YEAR}-06"
PUBLIC_URL = "https://integration.example-stadt.de"
OFFICE_EMAIL = "barrierefrei@example-stadt.de"
CHAIRS = 23

ORGANISATIONS: dict[str, dict[str, Any]] = {
    "mriya": {
        "name": "Ukrainischer Verein Mriya e.V.",
        "kind": "migrant_organisation",
        "languages": ["uk", "ru", "de"],
        "communities": ["Ukrainian"],
        "fields": ["language_education", "counselling"],
        "district": "Nordstadt",
    },
    "lindenhof": {
        "name": "Seniorenhaus Lindenhof",
        "kind": "association",
        "languages": ["de"],
        "fields": ["social_participation"],
        "district": "Südstadt",
    },
    "anadolu": {
        "name": "FC Anadolu Nordstadt 1987",
        "kind": "association",
        "languages": ["de", "tr"],
        "communities": ["Turkish"],
        "fields": ["sports", "children_youth"],
        "district": "Nordstadt",
    },
}


def june(day: int, hour: int, minute: int = 0) -> str:
    """A Berlin wall time in June of next year, RFC 3339."""
    return dt.datetime(NEXT_YEAR, 6, day, hour, minute, tzinfo=BERLIN).isoformat()


def in_days(days: int, hour: int) -> str:
    moment = dt.datetime.now(BERLIN) + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


@dataclass
class Browsed:
    """The network as the tests see it: where each service is, the organisations' ids by key,
    the ids of the events and listings by title, and a member's headers per organisation."""

    directory_url: str
    calendar_url: str
    exchange_url: str
    ids: dict[str, str] = field(default_factory=dict)
    events: dict[str, str] = field(default_factory=dict)
    listings: dict[str, str] = field(default_factory=dict)
    editors: dict[str, Headers] = field(default_factory=dict)

    def portal(self, *, signed_in_as: str | None = None) -> httpx.AsyncClient:
        """The portal in front of the three services; signed in as a member of an organisation
        (by its key) if asked."""
        client = portal_client(
            directory_url=self.directory_url,
            calendar_url=self.calendar_url,
            exchange_url=self.exchange_url,
            public_base_url=PUBLIC_URL,
            office_email=OFFICE_EMAIL,
        )
        if signed_in_as:
            client.cookies.set("inx_session", session_of(self.editors[signed_in_as]))
        return client

    async def assert_filter_refused(self, path: str, params: dict[str, str], named: str) -> None:
        """The portal's page at `path` answers a filter value that cannot be right with a German
        400 page that names the filter."""
        async with self.portal() as client:
            page = await client.get(path, params=params)

        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert "Ungültiger Filter" in page.text
        assert f"Der Wert für „{named}“ ist nicht gültig." in page.text


async def _post_when_known(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: Headers
) -> str:
    """Post once the service knows the organisation (from the directory's events); its id."""
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        response = await client.post(path, json=body, headers=headers)
        if response.status_code in (200, 201):
            answer = response.json()
            return str(answer["event"]["id"] if "event" in answer else answer["id"])
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{path}: {response.status_code} {response.text}")
        await asyncio.sleep(0.1)


def _events() -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            "mriya",
            {
                "title": "Sprachcafé",
                "starts_at": june(2, 18),
                "ends_at": june(2, 20),
                "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=5"},
                "venue": {"name": "Stadtteilbüro Nordstadt", "room": "Gruppenraum"},
                "district": "Nordstadt",
                "audience": ["newcomers", "women"],
                "languages": ["de", "uk"],
                "fields": ["language_education"],
            },
        ),
        (
            "mriya",
            {
                "title": "Vorstandssitzung",
                "starts_at": june(10, 19),
                "ends_at": june(10, 21),
                "venue": {"name": "Vereinsraum Mriya"},
                "visibility": "network",
            },
        ),
        (
            "anadolu",
            {
                "title": "Kinderfußballturnier",
                "starts_at": june(20, 11),
                "ends_at": june(20, 16),
                "venue": {"name": "Hoeschpark", "room": "Kunstrasenplatz"},
                "district": "Nordstadt",
                "audience": ["children", "families"],
                "fields": ["sports", "children_youth"],
            },
        ),
        (
            "lindenhof",
            {
                "title": "Mitternachtstanz",
                "starts_at": june(12, 22, 30),
                "ends_at": june(12, 23, 45),
                "venue": {"name": "Lindenhof", "room": "Saal"},
                "district": "Südstadt",
                "audience": ["seniors"],
                "fields": ["social_participation"],
            },
        ),
        (
            "mriya",
            {
                "title": "Elternabend",
                "starts_at": in_days(14, 18),
                "ends_at": in_days(14, 20),
                "venue": {"name": "Vereinsraum Mriya"},
                "district": "Nordstadt",
            },
        ),
    ]


def _listings() -> list[tuple[str, str, dict[str, Any]]]:
    chairs = [
        (
            "offers",
            "lindenhof",
            {
                "category": "equipment",
                "title": f"Klappstuhl Nummer {n}",
                "description": "Ein Stuhl aus dem Saal, abzuholen im Lindenhof.",
                "district": "Südstadt",
            },
        )
        for n in range(1, CHAIRS + 1)
    ]
    return [
        (
            "requests",
            "mriya",
            {
                "category": "language_partner",
                "title": "Sprachpartner zum Deutschüben",
                "description": "Geflüchtete Frauen möchten im Alltag sprechen üben.",
                "tags": ["Sprachcafé", "Alltag"],
                "languages": ["de"],
                "district": "Nordstadt",
            },
        ),
        (
            "offers",
            "lindenhof",
            {
                "category": "language_partner",
                "title": "Senioren als Sprachpartner",
                "description": "Ältere Menschen treffen sich gern zum Reden, einmal pro Woche.",
                "tags": ["Sprachcafé"],
                "languages": ["de"],
                "district": "Südstadt",
            },
        ),
        (
            "offers",
            "anadolu",
            {
                "category": "room",
                "title": "Vereinsheim für Feiern",
                "description": "Mit Küche, am Wochenende frei.",
                "tags": ["Raum"],
                "district": "Nordstadt",
            },
        ),
        *chairs,
    ]


@pytest.fixture(scope="module")
async def browsed(
    rabbit: RabbitVhost,
    mongo_url: str,
    keys_dir: Path,
    storage_selfcheck: None,
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> AsyncIterator[Browsed]:
    databases = [new_database_name()]
    directory_app = create_directory(
        directory_settings_for(rabbit.url, mongo_url, keys_dir, databases[0])
    )
    async with serving_with_admin(directory_app) as (directory_url, directory, admin):
        calendar_settings = CalendarSettings(
            _env_file=None,
            **behind_the_directory(mongo_url, rabbit.url, directory_url),
            public_base_url=PUBLIC_URL,
            import_poll_seconds=3600,
        )
        exchange = exchange_settings(mongo_url, rabbit.url, directory_url)
        databases += [calendar_settings.mongodb_database, exchange.mongodb_database]
        calendar_app = create_calendar(calendar_settings)
        exchange_app = create_exchange(exchange)
        async with (
            serving(calendar_app) as calendar_url,
            serving(exchange_app) as exchange_url,
            httpx.AsyncClient(base_url=calendar_url) as calendar,
            httpx.AsyncClient(base_url=exchange_url) as listings,
        ):
            await until_ready(calendar)
            await until_ready(listings)
            found = Browsed(directory_url, calendar_url, exchange_url)
            issuer = directory_app.state.directory.issuer
            for key, facts in ORGANISATIONS.items():
                registered = await directory.post("/organisations", json=facts, headers=admin)
                assert registered.status_code == 201, registered.text
                found.ids[key] = registered.json()["id"]
                token = issuer.issue(new_id(), "editor", [found.ids[key]])
                found.editors[key] = {"Authorization": f"Bearer {token}"}
            for key, body in _events():
                organisation = {"organisation_id": found.ids[key]}
                found.events[body["title"]] = await _post_when_known(
                    calendar, "/events", {**organisation, **body}, found.editors[key]
                )
            for collection, key, body in _listings():
                organisation = {"organisation_id": found.ids[key]}
                found.listings[body["title"]] = await _post_when_known(
                    listings, f"/{collection}", {**organisation, **body}, found.editors[key]
                )
            yield found
    for database in databases:
        await mongo_client.drop_database(database)
