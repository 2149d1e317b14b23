"""Fixtures for the calendar's integration tests: a directory served over real HTTP (the
calendar fetches its JWKS), a calendar on its own database, and helpers to set up partners."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import icalendar
import pytest
from fastapi import FastAPI

from services.calendar.app import create_app as create_calendar
from services.calendar.imports import Importer
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from services.calendar.store import CalendarStore
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from shared.contracts.base import EVENTS_EXCHANGE
from tests.conftest import settings_behind_the_directory
from tests.integration.directory_fixtures import register
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.members import SEND_EMAIL
from tests.support.services import BehindTheDirectory, running, serving, serving_with_admin
from tests.support.waiting import until_ready as _wait_ready

Headers = dict[str, str]
PORTAL = "http://portal.test"


@dataclass
class Partners(BehindTheDirectory):
    """The directory (served over HTTP) and the calendar that follows it."""

    calendar: httpx.AsyncClient
    calendar_app: FastAPI
    admin: Headers

    @property
    def service(self) -> Calendar:
        service: Calendar = self.calendar_app.state.calendar
        return service

    @property
    def store(self) -> CalendarStore:
        """The calendar's MongoDB store (events, conflicts and feeds), as the importer has it."""
        importer: Importer = self.calendar_app.state.importer
        return importer.store

    async def organisation(self, name: str, **facts: Any) -> str:
        """Register an organisation in the directory; returns its id once the calendar knows it."""
        organisation_id: str = (await register(self.directory, self.admin, name, **facts))["id"]
        await self.known(organisation_id)
        return organisation_id

    async def known(self, organisation_id: str, status: str = "active") -> None:
        """Wait until the calendar's projection holds the organisation in `status`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 15
        while True:
            known = await self.service.store.get_organisation(organisation_id)
            if known is not None and known.status.value == status:
                return
            if loop.time() > deadline:
                raise AssertionError(f"the calendar never saw {organisation_id} as {status}")
            await asyncio.sleep(0.05)


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The body of an answer with `status`."""
    assert response.status_code == status, response.text
    return response.json()


def problem_slug(response: httpx.Response, status: int) -> str:
    """The stable slug of a refusal with `status` (the end of its problem type)."""
    assert response.status_code == status, response.text
    return str(response.json()["type"]).rsplit("/", 1)[-1]


async def email_of(
    commands: StreamTap, address: str, template: str, timeout: float = 15.0
) -> dict[str, Any]:
    """The `data` of the one `template` email command to `address`, once it has arrived."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        sent: list[dict[str, Any]] = [c["data"] for c in commands.of_type(SEND_EMAIL)]
        found = [data for data in sent if (data["to"], data["template"]) == (address, template)]
        if found:
            [command] = found
            return command
        if loop.time() > deadline:
            seen = [(data["to"], data["template"]) for data in sent]
            raise AssertionError(f"no {template} to {address}; saw {seen}")
        await asyncio.sleep(0.02)


def itip(ics: str, method: str) -> tuple[str, Any]:
    """The iTIP method and the one VEVENT of an invitation, as mail programs read it; its
    METHOD is the `method` it was sent with."""
    parsed = icalendar.Calendar.from_ical(ics)
    [event] = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == method
    return method, event


def event_ics_file(response: httpx.Response, event_id: str) -> icalendar.Component:
    """The one VEVENT of an event's .ics download: an iCalendar attachment named after the
    event, whose VEVENT has the UID the feeds give the event."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{event_id}.ics"'
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event["UID"] == f"{event_id}@integrationsnetz"
    return event


def invitation(command: dict[str, Any]) -> tuple[str, Any]:
    """The iTIP method and the one VEVENT of an email command's attachment."""
    return itip(command["calendar"]["ics"], command["calendar"]["method"])


@pytest.fixture
def calendar_settings(
    rabbit: RabbitVhost, mongo_url: str, storage_selfcheck: None
) -> Callable[..., CalendarSettings]:
    """Settings for a calendar on its own database; keyword arguments override."""
    return settings_behind_the_directory(
        CalendarSettings,
        mongo_url,
        rabbit.url,
        public_base_url=PORTAL,
        import_allow_private_addresses=True,
        import_poll_seconds=3600,
    )


@dataclass
class CalendarStack:
    """The directory served over HTTP with office staff signed in, and a calendar app (not yet
    started) that follows it; `partners` runs it in-process, `served_partners` serves it."""

    directory_app: FastAPI
    directory_url: str
    directory: httpx.AsyncClient
    admin: Headers
    calendar_app: FastAPI


@pytest.fixture
async def calendar_stack(
    directory_settings: Callable[..., DirectorySettings],
    calendar_settings: Callable[..., CalendarSettings],
) -> AsyncIterator[CalendarStack]:
    directory_app = create_directory(directory_settings())
    async with serving_with_admin(directory_app) as (directory_url, directory, admin):
        calendar_app = create_calendar(calendar_settings(directory_url))
        yield CalendarStack(directory_app, directory_url, directory, admin, calendar_app)


@pytest.fixture
async def partners(calendar_stack: CalendarStack) -> AsyncIterator[Partners]:
    stack = calendar_stack
    async with running(stack.calendar_app) as calendar:
        yield Partners(
            stack.directory_app, stack.directory, calendar.client, stack.calendar_app, stack.admin
        )


@dataclass(kw_only=True)
class ServedPartners(Partners):
    """Partners whose calendar is served over real HTTP too (for a portal in front of both)."""

    directory_url: str
    calendar_url: str


@pytest.fixture
async def served_partners(calendar_stack: CalendarStack) -> AsyncIterator[ServedPartners]:
    stack = calendar_stack
    async with (
        serving(stack.calendar_app) as calendar_url,
        httpx.AsyncClient(base_url=calendar_url) as calendar,
    ):
        await _wait_ready(calendar)
        yield ServedPartners(
            stack.directory_app,
            stack.directory,
            calendar,
            stack.calendar_app,
            stack.admin,
            directory_url=stack.directory_url,
            calendar_url=calendar_url,
        )


@pytest.fixture
async def calendar_events(rabbit: RabbitVhost) -> AsyncIterator[StreamTap]:
    """What an outside subscriber sees of `calendar.*` from now on."""
    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("calendar.#",)) as tap:
        yield tap


__all__ = [
    "CalendarStack",
    "Partners",
    "ServedPartners",
    "calendar_events",
    "calendar_settings",
    "calendar_stack",
    "partners",
    "served_partners",
]
