"""The demo network on real services: the directory, calendar, exchange and concept served
over HTTP on the run's broker and database server, with the environment the demo loader
(`scripts/demo.py`, what `make up` runs) reads to reach them; and, for the browser tests, the
demo loaded, a member of the organisation with the demo's match, a published report and the
portal in front of it all (the fixture `demo_portal`)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from scripts import demo
from services.calendar.app import create_app as create_calendar
from services.calendar.settings import CalendarSettings
from services.concept.app import create_app as create_concept
from services.concept.settings import ConceptSettings
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.exchange.app import create_app as create_exchange
from services.exchange.settings import ExchangeSettings
from shared.clock import BERLIN
from tests.conftest import new_database_name
from tests.integration.notifier_fixtures import NotifierFactory
from tests.support.infra import RabbitVhost
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.members import member_with_password
from tests.support.portal import served_portal
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, serving
from tests.support.services import log_in as api_log_in
from tests.support.waiting import eventually, until_ready


@dataclass(frozen=True)
class DemoServices:
    directory_url: str
    exchange_url: str
    calendar_url: str
    concept_url: str
    rabbit_url: str


@contextlib.asynccontextmanager
async def demo_services(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    mongo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[DemoServices]:
    """The four services the demo loads into, ready, each on a database of its own."""
    common: dict[str, Any] = {
        "_env_file": None,
        "environment": "test",
        "match_feedback_secret": MATCH_FEEDBACK_SECRET,
        "mongodb_url": mongo_url,
        "rabbitmq_url": rabbit.url,
        "outbox_poll_seconds": 0.2,
    }
    async with serving(create_directory(directory_settings())) as directory_url:

        def own(settings: type[Any]) -> Any:
            """Settings of a service behind the directory, on a database of its own."""
            return settings(
                **common, directory_url=directory_url, mongodb_database=new_database_name()
            )

        apps = [
            create_exchange(own(ExchangeSettings)),
            create_calendar(own(CalendarSettings)),
            create_concept(own(ConceptSettings)),
        ]
        async with (
            serving(apps[0]) as exchange_url,
            serving(apps[1]) as calendar_url,
            serving(apps[2]) as concept_url,
        ):
            for url in (directory_url, exchange_url, calendar_url, concept_url):
                async with httpx.AsyncClient(base_url=url) as client:
                    await until_ready(client)
            for name, value in {
                "DIRECTORY_URL": directory_url,
                "EXCHANGE_URL": exchange_url,
                "CALENDAR_URL": calendar_url,
                "CONCEPT_URL": concept_url,
                "ADMIN_EMAIL": ADMIN_EMAIL,
                "ADMIN_PASSWORD": ADMIN_PASSWORD,
            }.items():
                monkeypatch.setenv(name, value)
            yield DemoServices(directory_url, exchange_url, calendar_url, concept_url, rabbit.url)


MEMBER_EMAIL = "leyla@kulturbruecke.example.org"
MEMBER_PASSWORD = "Kulturbruecke-Nordstadt-2026"


async def network_ids(services: DemoServices) -> dict[str, str]:
    """Ids of the demo network's things, for the pages that show one; a member of the
    organisation with the demo's match, and a published report."""
    async with httpx.AsyncClient(base_url=services.directory_url) as directory:
        admin = await api_log_in(directory, ADMIN_EMAIL, ADMIN_PASSWORD)
        async with httpx.AsyncClient(headers=admin) as client:
            offers = (await client.get(f"{services.exchange_url}/offers")).json()["items"]
            request = (await client.get(f"{services.exchange_url}/requests")).json()["items"][0]
            event = (await client.get(f"{services.calendar_url}/events")).json()["items"][0]
            overview = (await client.get(f"{services.concept_url}/overview")).json()
            report = await client.post(
                f"{services.concept_url}/reports",
                json={"cut_off": dt.date.today().isoformat(), "title": "Zwischenstand"},
            )
            matched: list[dict[str, Any]] = []

            async def a_match() -> bool:
                for offer in offers:
                    found = await client.get(
                        f"{services.exchange_url}/matches",
                        params={"organisation": offer["organisation_id"]},
                    )
                    matched[:] = [{**m, "by": offer} for m in found.json()["items"]]
                    if matched:
                        return True
                return False

            await eventually(a_match)
        assert report.status_code == 201, report.text
        match = matched[0]
        offer = match["by"]
        group_id, meeting_id = await a_group_with_a_meeting(
            services.calendar_url, admin, offer["organisation_id"]
        )
        await member_with_password(
            directory,
            admin,
            services.rabbit_url,
            offer["organisation_id"],
            email=MEMBER_EMAIL,
            name="Leyla Demir",
            password=MEMBER_PASSWORD,
        )
    return {
        "organisation_id": offer["organisation_id"],
        "offer_id": offer["id"],
        "request_id": request["id"],
        "event_id": event["event_id"],
        "measure_id": overview["measures"][0]["id"],
        "match_id": match["id"],
        "report_id": report.json()["id"],
        "group_id": group_id,
        "meeting_id": meeting_id,
    }


async def a_group_with_a_meeting(
    calendar_url: str, admin: dict[str, str], coordinator_id: str
) -> tuple[str, str]:
    """A working group coordinated by `coordinator_id` (the member's organisation) and its
    coming meeting with a topic, founded by office staff: (group id, meeting id)."""
    day = dt.date.today() + dt.timedelta(days=14)
    async with httpx.AsyncClient(base_url=calendar_url, headers=admin) as calendar:
        group = await calendar.post(
            "/groups",
            json={
                "name": "Runder Tisch Sprachförderung",
                "purpose": "Die Träger der Sprachkurse stimmen ihre Angebote ab.",
                "coordinator_id": coordinator_id,
                "visibility": "network",
                "contacts": [{"name": "Leyla Demir", "role": "Sprecherin"}],
            },
        )
        assert group.status_code == 201, group.text
        meeting = await calendar.post(
            "/events",
            json={
                "organisation_id": coordinator_id,
                "title": "Runder Tisch: zweites Treffen",
                "starts_at": dt.datetime.combine(day, dt.time(17), BERLIN).isoformat(),
                "ends_at": dt.datetime.combine(day, dt.time(18, 30), BERLIN).isoformat(),
                "visibility": "network",
                "group_id": group.json()["id"],
                "topic": "Kurse für Eltern im Herbst",
            },
        )
        assert meeting.status_code == 201, meeting.text
    return group.json()["id"], meeting.json()["event"]["id"]


@dataclass(frozen=True)
class DemoPortal:
    services: DemoServices
    ids: dict[str, str]
    portal_url: str


@pytest.fixture
async def demo_portal(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    mongo_url: str,
    notifier_factory: NotifierFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[DemoPortal]:
    """The demo network loaded on real services, with a member who can log in, and the portal
    in front of it (a fixture of the end-to-end tests, through their conftest)."""
    async with demo_services(directory_settings, rabbit, mongo_url, monkeypatch) as services:
        assert await asyncio.to_thread(demo.main) == 0
        ids = await network_ids(services)
        async with (
            notifier_factory(directory_url=services.directory_url) as notifier,
            served_portal(
                directory_url=services.directory_url,
                exchange_url=services.exchange_url,
                calendar_url=services.calendar_url,
                concept_url=services.concept_url,
                notifier_url=notifier.url,
            ) as portal_url,
        ):
            yield DemoPortal(services, ids, portal_url)
