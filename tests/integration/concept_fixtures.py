"""Fixtures for the concept's integration tests: a directory served over real HTTP (the other
services fetch its JWKS), a calendar and a concept service on databases of their own, all on the
test run's broker, and helpers to set up a concept with its organisations."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.concept.app import create_app as create_concept
from services.concept.service import ConceptService
from services.concept.settings import ConceptSettings
from services.exchange.app import create_app as create_exchange
from tests.conftest import settings_behind_the_directory
from tests.integration.calendar_fixtures import CalendarStack
from tests.integration.directory_fixtures import register
from tests.integration.exchange_fixtures import exchange_settings
from tests.support.concept_editions import KEMPTEN_FIELDS
from tests.support.infra import RabbitVhost
from tests.support.members import member_session
from tests.support.services import BehindTheDirectory, running, serving
from tests.support.waiting import eventually, until_ready

Headers = dict[str, str]
PORTAL = "http://portal.test"


@dataclass
class ConceptStack(BehindTheDirectory):
    """The directory, the calendar and the concept service that follows both."""

    calendar: httpx.AsyncClient
    concept: httpx.AsyncClient
    concept_app: FastAPI
    admin: Headers
    #: the broker (vhost) the services publish to
    rabbit_url: str
    #: the exchange, when the test asked for it (`concept_exchange_stack`)
    exchange: httpx.AsyncClient | None = None
    exchange_app: FastAPI | None = None

    @property
    def service(self) -> ConceptService:
        service: ConceptService = self.concept_app.state.concept
        return service

    async def organisation(self, name: str, **facts: Any) -> str:
        """Register an organisation; returns its id once the concept (and so, very likely,
        the calendar: both follow the same events) knows it."""
        organisation_id: str = (await register(self.directory, self.admin, name, **facts))["id"]
        deadline = asyncio.get_running_loop().time() + 15
        while not await self._known(organisation_id):
            assert asyncio.get_running_loop().time() < deadline, "the concept never saw it"
            await asyncio.sleep(0.05)
        return organisation_id

    async def _known(self, organisation_id: str) -> bool:
        if await self.service.store.get_organisation(organisation_id) is None:
            return False
        if self.exchange_app is None:
            return True
        exchange = self.exchange_app.state.exchange.store
        return await exchange.get_organisation(organisation_id) is not None

    async def adopted_with_lead(self, name: str) -> str:
        """The concept adopted, and `name` registered as a public authority to lead measures of
        it; returns the organisation's id."""
        organisation_id = await self.organisation(name, kind="public_authority")
        await self.adopt()
        return organisation_id

    async def adopt(self, fields: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        response = await self.concept.post(
            "/concept/editions",
            json={"title": "Kemptener Integrationskonzept", "fields": fields or KEMPTEN_FIELDS},
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        adopted: dict[str, Any] = response.json()
        return adopted

    async def activities(self, measure_id: str, *, total: int) -> list[dict[str, Any]]:
        """The measure's activities as the concept lists them, once there are `total`."""
        path = f"/measures/{measure_id}/activities"

        async def counted() -> bool:
            response = await self.concept.get(path)
            return bool(response.json()["total"] == total)

        await eventually(counted)
        items: list[dict[str, Any]] = (await self.concept.get(path)).json()["items"]
        return items

    async def member_session(self, organisation_id: str, **person: str) -> str:
        """A member of the organisation who logs in (`person`: email, name and password); returns
        the portal's session (see `tests.support.members`)."""
        return await member_session(
            self.directory, self.admin, self.rabbit_url, organisation_id, **person
        )

    async def measure(self, number: str, **fields: Any) -> dict[str, Any]:
        response = await self.concept.post(
            "/measures",
            json={"number": number, "title": f"Maßnahme {number}", **fields},
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


@pytest.fixture
def concept_settings(
    rabbit: RabbitVhost, mongo_url: str, storage_selfcheck: None
) -> Callable[..., ConceptSettings]:
    """Settings for a concept service on its own database; keyword arguments override."""
    return settings_behind_the_directory(
        ConceptSettings, mongo_url, rabbit.url, public_base_url=PORTAL
    )


@contextlib.asynccontextmanager
async def running_concept(
    stack: CalendarStack,
    rabbit_url: str,
    concept_app: FastAPI,
    exchange_app: FastAPI | None = None,
) -> AsyncIterator[ConceptStack]:
    """The stack's calendar, the concept service and, when given, an exchange, run in-process."""
    async with contextlib.AsyncExitStack() as apps:
        calendar = await apps.enter_async_context(running(stack.calendar_app))
        exchange = (
            None if exchange_app is None else await apps.enter_async_context(running(exchange_app))
        )
        concept = await apps.enter_async_context(running(concept_app))
        yield ConceptStack(
            stack.directory_app,
            stack.directory,
            calendar.client,
            concept.client,
            concept_app,
            stack.admin,
            rabbit_url,
            exchange=None if exchange is None else exchange.client,
            exchange_app=exchange_app,
        )


@pytest.fixture
def concept_app(
    calendar_stack: CalendarStack, concept_settings: Callable[..., ConceptSettings]
) -> FastAPI:
    """A concept service (not started yet) that follows the calendar stack's directory."""
    return create_concept(concept_settings(calendar_stack.directory_url))


@pytest.fixture
async def concept_stack(
    calendar_stack: CalendarStack, concept_app: FastAPI, rabbit: RabbitVhost
) -> AsyncIterator[ConceptStack]:
    async with running_concept(calendar_stack, rabbit.url, concept_app) as stack:
        yield stack


@dataclass(kw_only=True)
class ServedConceptStack(ConceptStack):
    """The same services served over real HTTP, for a portal (or a browser) in front of them."""

    directory_url: str
    calendar_url: str
    concept_url: str

    @property
    def urls(self) -> dict[str, str]:
        """The portal's settings that point at these services."""
        return {
            "directory_url": self.directory_url,
            "calendar_url": self.calendar_url,
            "concept_url": self.concept_url,
        }


@pytest.fixture
async def served_concept_stack(
    calendar_stack: CalendarStack, concept_app: FastAPI, rabbit: RabbitVhost
) -> AsyncIterator[ServedConceptStack]:
    stack = calendar_stack
    async with (
        serving(stack.calendar_app) as calendar_url,
        serving(concept_app) as concept_url,
        httpx.AsyncClient(base_url=calendar_url) as calendar,
        httpx.AsyncClient(base_url=concept_url) as concept,
    ):
        await until_ready(calendar)
        await until_ready(concept)
        yield ServedConceptStack(
            stack.directory_app,
            stack.directory,
            calendar,
            concept,
            concept_app,
            stack.admin,
            rabbit.url,
            directory_url=stack.directory_url,
            calendar_url=calendar_url,
            concept_url=concept_url,
        )


@pytest.fixture
async def concept_exchange_stack(
    calendar_stack: CalendarStack, concept_app: FastAPI, rabbit: RabbitVhost, mongo_url: str
) -> AsyncIterator[ConceptStack]:
    """The directory, the calendar, the exchange and the concept service that follows them."""
    directory_url = calendar_stack.directory_url
    exchange_app = create_exchange(exchange_settings(mongo_url, rabbit.url, directory_url))
    async with running_concept(calendar_stack, rabbit.url, concept_app, exchange_app) as stack:
        yield stack


__all__ = [
    "ConceptStack",
    "ServedConceptStack",
    "concept_app",
    "concept_exchange_stack",
    "concept_settings",
    "concept_stack",
    "served_concept_stack",
]
