"""Every service at once, each served over real HTTP on loopback, on one broker vhost and each
on its own database, with an SMTP catcher; and the resources an owning organisation has (an
event, an offer, a request, a subscription, a member) for the suites to call routes with."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.calendar.app import create_app as create_calendar
from services.calendar.settings import CalendarSettings
from services.concept.app import create_app as create_concept
from services.concept.settings import ConceptSettings
from services.directory.app import create_app as create_directory
from services.exchange.app import create_app as create_exchange
from services.notifier.app import create_app as create_notifier
from services.notifier.settings import NotifierSettings
from shared.ids import new_id
from tests.conftest import behind_the_directory, new_database_name
from tests.integration.conftest import directory_settings_for
from tests.integration.exchange_fixtures import exchange_settings
from tests.integration.notifier_fixtures import notifier_environment
from tests.support.infra import free_port
from tests.support.mail import MailServer
from tests.support.portal import portal_app
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, log_in, serving
from tests.support.waiting import eventually, until_ready

Headers = dict[str, str]
PORTAL = "http://portal.test"
#: The services run in this process, in other threads, while Hypothesis draws the next input;
#: pymongo picks each request id with the global `random`, and Hypothesis takes that change of
#: the global generator for a strategy using `random`. No strategy of the suites does.
SERVICES_IN_THIS_PROCESS = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies"
    ":hypothesis.errors.HypothesisDeprecationWarning"
)
API_SERVICES = ("directory", "calendar", "exchange", "notifier")
SERVICES = (*API_SERVICES, "concept", "portal")


@dataclass
class Stack:
    """The running services: their apps, where they answer, and office staff's token."""

    apps: dict[str, FastAPI]
    urls: dict[str, str]
    clients: dict[str, httpx.AsyncClient]
    admin: Headers
    rabbit_url: str
    mail: MailServer
    resources: dict[str, str] = field(default_factory=dict)

    def token_of(self, *organisation_ids: str) -> str:
        """A member's token, signed by the directory's real key like one from its log-in."""
        token: str = self.apps["directory"].state.directory.issuer.issue(
            new_id(), "editor", list(organisation_ids)
        )
        return token

    def editor_of(self, *organisation_ids: str) -> Headers:
        return {"Authorization": f"Bearer {self.token_of(*organisation_ids)}"}

    async def organisation(self, name: str) -> str:
        """Register an organisation; returns its id once every follower service knows it."""
        response = await self.clients["directory"].post(
            "/organisations",
            json={"name": name, "kind": "association", "email": f"{new_id()}@example.org"},
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        organisation_id: str = response.json()["id"]

        async def known() -> bool:
            calendar = await self.apps["calendar"].state.calendar.store.get_organisation(
                organisation_id
            )
            exchange = await self.apps["exchange"].state.exchange.store.get_organisation(
                organisation_id
            )
            notifier = await self.apps["notifier"].state.notifier.store.organisation(
                organisation_id
            )
            concept = await self.apps["concept"].state.concept.store.get_organisation(
                organisation_id
            )
            return None not in (calendar, exchange, notifier, concept)

        await eventually(known, timeout=30)
        return organisation_id

    async def event(self, organisation_id: str) -> str:
        starts = dt.datetime(2031, 6, 20, 14, tzinfo=dt.UTC) + dt.timedelta(days=_serial())
        body = {
            "organisation_id": organisation_id,
            "title": "Kinderfest im Hoeschpark",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "venue": {"name": f"Stadtteilzentrum {new_id()}", "room": "Saal 2"},
            "district": "Nordstadt",
            "audience": ["children", "families"],
        }
        return await self._created("calendar", "/events", body)

    async def listing(self, kind: str, organisation_id: str) -> str:
        body = {
            "organisation_id": organisation_id,
            "category": "room",
            "title": "Raum für ein Elterncafé",
        }
        return await self._created("exchange", f"/{kind}", body)

    async def subscription(self, organisation_id: str) -> str:
        body = {"organisation_id": organisation_id, "topics": ["offers"]}
        return await self._created("notifier", "/subscriptions", body)

    async def member(self, organisation_id: str) -> str:
        body = {"email": f"{new_id()}@example.org", "name": "Olena Koval"}
        return await self._created("directory", f"/organisations/{organisation_id}/members", body)

    async def concept(self, organisation_id: str) -> dict[str, str]:
        """An edition (the first one, or the next) with a measure led by the organisation, and
        a report: the ids the concept's routes start from."""
        edition = {
            "title": "Integrationskonzept",
            "fields": [
                {
                    "number": "1",
                    "title": "Sprache und Bildung",
                    "goals": [{"number": "1.1", "title": "Alle lernen früh Deutsch"}],
                }
            ],
        }
        await self._created("concept", "/concept/editions", edition)
        measure = {
            "number": "1.1.1",
            "title": "Sprachcafé in der Stadtbibliothek",
            "lead_organisation_id": organisation_id,
        }
        measure_id = await self._created("concept", "/measures", measure)
        cut_off = dt.date.today().isoformat()
        report_id = await self._created("concept", "/reports", {"cut_off": cut_off})
        return {"measure_id": measure_id, "report_id": report_id}

    async def _created(self, service: str, path: str, body: dict[str, Any]) -> str:
        response = await self.clients[service].post(path, json=body, headers=self.admin)
        assert response.status_code == 201, (path, response.text)
        answer: dict[str, Any] = response.json()
        found = (answer.get("event") or answer).get("id") or answer.get("person_id")
        assert isinstance(found, str), answer
        return found


_counter = [0]


def _serial() -> int:
    _counter[0] += 1
    return _counter[0]


@contextlib.asynccontextmanager
async def full_stack(rabbit_url: str, mongo_url: str, keys_dir: Path) -> AsyncIterator[Stack]:
    mail = MailServer(free_port())
    mail.start()
    apps: dict[str, FastAPI] = {}
    urls: dict[str, str] = {}
    clients: dict[str, httpx.AsyncClient] = {}
    try:
        async with contextlib.AsyncExitStack() as stack:

            async def serve(name: str, app: FastAPI, port: int | None = None) -> None:
                apps[name] = app
                urls[name] = await stack.enter_async_context(serving(app, port))
                clients[name] = await stack.enter_async_context(
                    httpx.AsyncClient(base_url=urls[name], timeout=30)
                )
                await until_ready(clients[name])

            directory_settings = directory_settings_for(
                rabbit_url,
                mongo_url,
                keys_dir,
                new_database_name(),
                # every caller here is one client; the throttles have tests of their own
                reset_max_per_client=100_000,
                login_client_max_failures=100_000,
            )
            await serve("directory", create_directory(directory_settings))
            calendar_settings = CalendarSettings(
                _env_file=None,
                **behind_the_directory(mongo_url, rabbit_url, urls["directory"]),
                public_base_url=PORTAL,
                import_poll_seconds=3600,
            )
            await serve("calendar", create_calendar(calendar_settings))
            await serve(
                "exchange",
                create_exchange(exchange_settings(mongo_url, rabbit_url, urls["directory"])),
            )
            port = free_port()
            environment = notifier_environment(
                mongo_url=mongo_url,
                database=new_database_name(),
                rabbitmq_url=rabbit_url,
                smtp_port=mail.port,
            )
            values: dict[str, Any] = {key.lower(): value for key, value in environment.items()}
            values.update(
                port=port,
                notifier_public_url=f"http://127.0.0.1:{port}",
                directory_url=urls["directory"],
            )
            await serve(
                "notifier", create_notifier(NotifierSettings(_env_file=None, **values)), port
            )
            concept_settings = ConceptSettings(
                _env_file=None,
                **behind_the_directory(mongo_url, rabbit_url, urls["directory"]),
                public_base_url=PORTAL,
            )
            await serve("concept", create_concept(concept_settings))
            portal = portal_app(
                directory_url=urls["directory"],
                calendar_url=urls["calendar"],
                exchange_url=urls["exchange"],
                notifier_url=urls["notifier"],
                concept_url=urls["concept"],
            )
            await serve("portal", portal)
            admin = await log_in(clients["directory"], ADMIN_EMAIL, ADMIN_PASSWORD)
            yield Stack(apps, urls, clients, admin, rabbit_url, mail)
    finally:
        mail.stop()
