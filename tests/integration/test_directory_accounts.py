"""Accounts in the directory, against the real app, broker and database: reset links and what a
new password voids, throttled reset requests, and the sweep of expired counters and tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from services.directory.service import Directory
from services.directory.store import LOGIN_THROTTLE, ONE_TIME_TOKENS
from tests.integration.directory_fixtures import (
    PASSWORD,
    emails_to,
    set_password,
    token_in,
    try_log_in,
)
from tests.integration.test_directory_api import FakeClock
from tests.support.amqp import StreamTap
from tests.support.problems import assert_problem
from tests.support.services import ADMIN_EMAIL, RunningService

Headers = dict[str, str]


@pytest.mark.usefixtures("ayse")
async def test_a_new_password_voids_every_reset_link_sent_before_it(
    directory: RunningService, commands: StreamTap
) -> None:
    client = directory.client

    for _ in range(2):
        response = await client.post("/auth/password-reset", json={"email": "ayse@example.org"})
        assert response.status_code == 202
    first, second = [
        e for e in await emails_to(commands, "ayse@example.org", 3) if e["template"] != "invitation"
    ]
    assert (await set_password(client, token_in(second), "Neues-Passwort-nach-Reset")).is_success

    assert_problem(await set_password(client, token_in(first), "Ein-Passwort-des-Angreifers"), 400)
    assert (await try_log_in(client, "ayse@example.org", "Neues-Passwort-nach-Reset")).is_success


async def test_reset_requests_are_refused_with_429_beyond_the_limit_per_address_and_per_client(
    directory: RunningService,
) -> None:
    client = directory.client

    async def reset(email: str) -> int:
        response = await client.post("/auth/password-reset", json={"email": email})
        return response.status_code

    per_address = [await reset("niemand@example.org") for _ in range(4)]
    others = [await reset(f"person{i}@example.org") for i in range(17)]

    assert per_address == [202, 202, 202, 429]  # reset_max_per_address = 3
    assert others == [202] * 16 + [429]  # reset_max_per_client = 20, counting the refused one
    refused = await client.post("/auth/password-reset", json={"email": "x@example.org"})
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1


@pytest.mark.usefixtures("ayse")
async def test_a_reset_request_does_the_same_work_for_a_known_and_an_unknown_address(
    directory: RunningService, commands: StreamTap
) -> None:
    service: Directory = directory.app.state.directory
    calls: list[str] = []
    store: Any = service.store
    for name in ("count_attempt", "find_person_by_email", "add_one_time_token", "get_organisation"):
        method = getattr(store, name)

        def recorded(method: Callable[..., Awaitable[Any]], name: str) -> Any:
            async def call(*args: Any, **kwargs: Any) -> Any:
                calls.append(name)
                return await method(*args, **kwargs)

            return call

        setattr(store, name, recorded(method, name))

    await service.accounts.request_password_reset("ayse@example.org", None, "198.51.100.7")
    for_known = list(calls)
    await service.accounts.reset_requests_handled()
    calls.clear()
    await service.accounts.request_password_reset("niemand@example.org", None, "198.51.100.7")
    for_unknown = list(calls)
    await service.accounts.reset_requests_handled()

    assert for_known == for_unknown == ["count_attempt", "count_attempt"]
    templates = [e["template"] for e in await emails_to(commands, "ayse@example.org", 2)]
    assert templates == ["invitation", "password_reset"]
    assert [c for c in commands.bodies() if c["data"]["to"] == "niemand@example.org"] == []


@pytest.mark.usefixtures("ayse")
async def test_expired_attempt_counters_and_one_time_tokens_are_swept_and_used_ones_are_gone(
    directory: RunningService,
) -> None:
    client = directory.client
    service: Directory = directory.app.state.directory
    db = directory.runtime.db
    assert await db[ONE_TIME_TOKENS].count_documents({}) == 0  # the used invitation is gone
    assert (
        await client.post("/auth/password-reset", json={"email": "ayse@example.org"})
    ).is_success
    await service.accounts.reset_requests_handled()
    assert_problem(await try_log_in(client, ADMIN_EMAIL, "falsch"), 401)
    assert await db[ONE_TIME_TOKENS].count_documents({}) == 1
    assert await db[LOGIN_THROTTLE].count_documents({}) > 0

    clock = FakeClock()
    service.clock = clock
    await service.accounts.sweep()
    assert await db[ONE_TIME_TOKENS].count_documents({}) == 1  # nothing has expired yet

    clock.now += 25 * 3600  # past the reset link's 24 hours and every counter's window
    await service.accounts.sweep()

    assert await db[ONE_TIME_TOKENS].count_documents({}) == 0
    assert await db[LOGIN_THROTTLE].count_documents({}) == 0
    assert (await try_log_in(client, "ayse@example.org", PASSWORD)).is_success
