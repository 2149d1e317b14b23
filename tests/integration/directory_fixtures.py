"""The directory's onboarding for integration tests: organisations registered by office staff,
people invited by email who set a password and log in, and the email commands the directory
sends (`commands`)."""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.services import RunningService, log_in

COMMANDS_EXCHANGE = "integrationsnetz.commands"
SEND_EMAIL = "notifier.email.send"
SET_PASSWORD_LINK = "http://portal.test/set-password?token="
PASSWORD = "Sonnenblume-im-Mai-2026"
Headers = dict[str, str]


async def register(client: httpx.AsyncClient, admin: Headers, name: str, **facts: Any) -> Any:
    body = {"name": name, "kind": "association", **facts}
    response = await client.post("/organisations", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


async def emails_to(
    commands: StreamTap, address: str, count: int = 1, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """The `data` of the email commands for `address`, once at least `count` have arrived."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = [c["data"] for c in commands.of_type(SEND_EMAIL) if c["data"]["to"] == address]
        if len(found) >= count:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"expected {count} email(s) to {address}; saw {found}")
        await asyncio.sleep(0.02)


def token_in(email: dict[str, Any]) -> str:
    link: str = email["params"]["link"]
    assert link.startswith(SET_PASSWORD_LINK), link
    [token] = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"]
    return token


async def invite(
    client: httpx.AsyncClient, headers: Headers, organisation_id: str, email: str, name: str
) -> httpx.Response:
    return await client.post(
        f"/organisations/{organisation_id}/members",
        json={"email": email, "name": name},
        headers=headers,
    )


async def set_password(client: httpx.AsyncClient, token: str, password: str) -> httpx.Response:
    return await client.post("/auth/password", json={"token": token, "password": password})


async def try_log_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/auth/token", data={"username": email, "password": password})


@dataclass(frozen=True)
class Member:
    person_id: str
    headers: Headers


async def onboard(
    client: httpx.AsyncClient,
    admin: Headers,
    commands: StreamTap,
    organisation_id: str,
    email: str,
    name: str,
) -> Member:
    """Invite someone, follow their link to set a password, and log them in."""
    response = await invite(client, admin, organisation_id, email, name)
    assert response.status_code == 201, response.text
    [invitation] = await emails_to(commands, email)
    assert (await set_password(client, token_in(invitation), PASSWORD)).status_code == 204
    return Member(response.json()["person_id"], await log_in(client, email, PASSWORD))


@pytest.fixture
async def commands(directory: RunningService, rabbit: RabbitVhost) -> AsyncIterator[StreamTap]:
    """The email commands the directory sends to the notifier, from now on."""
    async with StreamTap(rabbit.url, COMMANDS_EXCHANGE, (SEND_EMAIL,)) as tap:
        yield tap


@dataclass(frozen=True)
class Team:
    """An organisation as the directory answered its registration, and one member of it who
    has set a password and is logged in."""

    organisation: dict[str, Any]
    member: Member

    @property
    def id(self) -> str:
        return str(self.organisation["id"])


async def team(
    directory: RunningService,
    admin: Headers,
    commands: StreamTap,
    name: str,
    member: tuple[str, str],
    **facts: Any,
) -> Team:
    """An organisation staff registered (with `facts`), and its `member` (email, name)
    onboarded."""
    organisation = await register(directory.client, admin, name, **facts)
    email, person = member
    onboarded = await onboard(directory.client, admin, commands, organisation["id"], email, person)
    return Team(organisation, onboarded)


@pytest.fixture
async def linde(directory: RunningService, admin: Headers, commands: StreamTap) -> Team:
    """Nachbarschaftstreff Linde, with Ali (ali@example.org) as its member."""
    return await team(
        directory, admin, commands, "Nachbarschaftstreff Linde", ("ali@example.org", "Ali")
    )


@pytest.fixture
async def mriya(directory: RunningService, admin: Headers, commands: StreamTap) -> Team:
    """Ukrainischer Verein Mriya e.V., with Jana (jana@example.org) as its member."""
    return await team(
        directory, admin, commands, "Ukrainischer Verein Mriya e.V.", ("jana@example.org", "Jana")
    )


@pytest.fixture
async def ayse(directory: RunningService, admin: Headers, commands: StreamTap) -> Team:
    """Nachbarschaftstreff Linde, with Ayşe (ayse@example.org) as its member."""
    return await team(
        directory, admin, commands, "Nachbarschaftstreff Linde", ("ayse@example.org", "Ayşe")
    )
