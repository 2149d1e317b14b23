"""Killing the directory with SIGKILL loses no event."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.contracts.base import EVENTS_EXCHANGE
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost, free_port
from tests.support.processes import ServiceProcess, start_service
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.waiting import eventually


@pytest.fixture
def directory_env(
    mongo_url: str, database_name: str, keys_dir: Path, storage_selfcheck: None, rabbit: RabbitVhost
) -> dict[str, str]:
    return {
        "ENVIRONMENT": "test",
        "MONGODB_URL": mongo_url,
        "MONGODB_DATABASE": database_name,
        "RABBITMQ_URL": rabbit.url,
        "SIGNING_KEY_FILE": str(keys_dir / "directory.pem"),
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "OUTBOX_POLL_SECONDS": "0.2",
        # a relay killed while holding a lease blocks its entries until the lease ends
        "OUTBOX_LEASE_SECONDS": "3",
        "LOG_LEVEL": "warning",
    }


def admin_headers(base_url: str) -> dict[str, str]:
    """Log in as office staff once the database (and so the first admin) is ready."""
    deadline = time.monotonic() + 20
    while not httpx.get(f"{base_url}/readyz").json()["checks"]["database"]:
        assert time.monotonic() < deadline, "the directory's database never became ready"
        time.sleep(0.1)
    response = httpx.post(
        f"{base_url}/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_an_event_written_while_the_broker_is_unreachable_survives_sigkill(
    directory_env: dict[str, str],
    processes: list[ServiceProcess],
    rabbit: RabbitVhost,
    tmp_path: Path,
) -> None:
    # The broker is "away" (nothing listens there): the write lands, the publish cannot happen.
    cut_off = {**directory_env, "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:{free_port()}/"}
    first = start_service("directory", cut_off, tmp_path)
    processes.append(first)
    await asyncio.to_thread(first.wait_until, "/healthz")
    await asyncio.to_thread(first.wait_until, "/readyz", 503)
    headers = await asyncio.to_thread(admin_headers, first.url)
    async with httpx.AsyncClient() as client:
        created = await client.post(
            f"{first.url}/organisations",
            json={"name": "Kulturverein La Casa", "kind": "association", "languages": ["es"]},
            headers=headers,
        )
    assert created.status_code == 201
    first.kill()

    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        second = start_service("directory", directory_env, tmp_path)
        processes.append(second)
        [event] = await tap.wait_for("directory.organisation.registered", timeout=30)
    assert event["subject"] == created.json()["id"]
    assert event["data"]["name"] == "Kulturverein La Casa"


async def test_killing_the_directory_during_a_burst_of_writes_loses_no_event(
    directory_env: dict[str, str],
    processes: list[ServiceProcess],
    rabbit: RabbitVhost,
    tmp_path: Path,
    mongo_client: Any,
    database_name: str,
) -> None:
    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.organisation.#",)) as tap:
        first = start_service("directory", directory_env, tmp_path)
        processes.append(first)
        await asyncio.to_thread(first.wait_until, "/readyz")
        headers = await asyncio.to_thread(admin_headers, first.url)

        async def register(n: int, client: httpx.AsyncClient) -> None:
            with contextlib.suppress(httpx.HTTPError):  # the process died under this request
                await client.post(
                    f"{first.url}/organisations",
                    json={"name": f"Verein Nummer {n}", "kind": "volunteer_group"},
                    headers=headers,
                )

        organisations = mongo_client[database_name]["organisations"]

        async def some_written() -> bool:
            return await organisations.find_one({}) is not None

        async with httpx.AsyncClient(timeout=10) as client:
            burst = asyncio.gather(*(register(n, client) for n in range(60)))
            # kill it in the middle of the burst: once the first write is stored
            await eventually(some_written, timeout=30)
            first.kill()
            await burst

        stored = await organisations.find({}, {"_id": 1}).to_list(1000)
        stored_ids = {doc["_id"] for doc in stored}
        assert stored_ids, "nothing was written before the kill; the burst started too late"

        second = start_service("directory", directory_env, tmp_path)
        processes.append(second)

        def published() -> set[str]:
            return {e["subject"] for e in tap.of_type("directory.organisation.registered")}

        async def all_arrived() -> bool:
            return published() >= stored_ids

        # count distinct organisations: an entry the killed relay had sent comes again
        with contextlib.suppress(AssertionError):
            await eventually(all_arrived, timeout=30)
    assert published() == stored_ids
