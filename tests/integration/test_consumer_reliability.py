"""A consumer handles each event once, and parks what it cannot handle with the reason."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.base import EVENTS_EXCHANGE, CloudEvent, envelope
from shared.contracts.directory import OrganisationRegistered, OrganisationUpdated
from shared.metrics import PARKED_MESSAGES
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.topology import DELIVERY_LIMIT
from tests.support.amqp import StreamTap, publish_raw
from tests.support.infra import RabbitVhost
from tests.support.waiting import eventually as wait_until
from tools.replay import replay_parked

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def registered(organisation_id: str = "org-1", name: str = "Mriya e.V.") -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=organisation_id,
        name=name,
        kind="migrant_organisation",
        status="active",
        revision=1,
        updated_at=NOW,
    )


async def publish_event(
    url: str, event: CloudEvent, routing_key: str = "directory.organisation.registered"
) -> None:
    """Publish the event's JSON to the public exchange, as the directory's relay does."""
    await publish_raw(url, event.model_dump_json().encode(), routing_key=routing_key)


class Effects:
    """What the test consumer did: one document per handled event, and a failure switch."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.db = db
        self.writer: Any = None
        self.fail_times: dict[str, int] = {}
        self.calls = 0

    async def handle(self, payload: OrganisationRegistered, event: CloudEvent) -> None:
        self.calls += 1
        remaining = self.fail_times.get(payload.organisation_id, 0)
        if remaining:
            self.fail_times[payload.organisation_id] = remaining - 1
            raise RuntimeError(f"cannot handle {payload.organisation_id} right now")
        await self.db["effects"].insert_one({"event_id": event.id, "org": payload.organisation_id})
        if payload.organisation_id == "org-cause" and self.writer is not None:
            caused = OrganisationUpdated(**payload.model_dump(), changed_fields=["name"])
            await self.writer.insert("caused", {"_id": event.id}, [caused])

    async def count(self, **query: Any) -> int:
        return len(await self.db["effects"].find(query).to_list(1000))

    async def handled_once(self, organisation_id: str) -> None:
        """Wait until the organisation's event has had its one effect."""

        async def handled() -> bool:
            return await self.count(org=organisation_id) == 1

        await wait_until(handled)


Consumer = tuple[ServiceRuntime, Effects, RabbitVhost]


async def publish_failing(consumer: Consumer, organisation_id: str, failures: int) -> None:
    """Publish that the organisation was registered, with the handler failing on it `failures`
    times before it succeeds."""
    _runtime, effects, vhost = consumer
    effects.fail_times[organisation_id] = failures
    await publish_event(vhost.url, envelope(registered(organisation_id)))


@contextlib.asynccontextmanager
async def running_consumer(
    vhost: RabbitVhost, mongo_url: str, database_name: str, **overrides: Any
) -> AsyncIterator[Consumer]:
    """A service `testsvc` consuming OrganisationRegistered; settings may be overridden."""
    settings = ServiceSettings(
        _env_file=None,
        service_name="testsvc",
        environment="test",
        mongodb_url=mongo_url,
        mongodb_database=database_name,
        rabbitmq_url=vhost.url,
        parking_check_seconds=0.2,
        **overrides,
    )
    runtime = ServiceRuntime(settings, outbox_collections=["caused"])
    effects = Effects(runtime.db)
    effects.writer = runtime.writer
    runtime.queue("directory-events").on(OrganisationRegistered)(effects.handle)
    await runtime.start()
    await asyncio.wait_for(runtime.broker_ready.wait(), 20)
    await asyncio.wait_for(runtime.database_ready.wait(), 20)
    try:
        yield runtime, effects, vhost
    finally:
        await runtime.stop()


@pytest.fixture
async def consumer(
    fresh_vhost: RabbitVhost, mongo_url: str, database_name: str, mongo_db: Any
) -> AsyncIterator[Consumer]:
    async with running_consumer(fresh_vhost, mongo_url, database_name) as running:
        yield running


async def parked_messages(
    url: str, queue: str, expected: int, timeout: float = 15.0
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    connection = await aio_pika.connect(url)
    found: list[aio_pika.abc.AbstractIncomingMessage] = []
    async with connection:
        channel = await connection.channel()
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            q = await channel.get_queue(queue)
            message = await q.get(fail=False)
            if message is None:
                await asyncio.sleep(0.1)
                continue
            await message.ack()
            found.append(message)
    return found


async def replay_after_the_fix(consumer: Consumer, organisation_id: str) -> None:
    """Let the handler succeed on the organisation (the bug is fixed and deployed), replay the
    one message parked, and wait until it was handled once."""
    _runtime, effects, vhost = consumer
    effects.fail_times[organisation_id] = 0
    report = await replay_parked(vhost.url, "testsvc")
    assert report.replayed == 1

    await effects.handled_once(organisation_id)


async def test_the_same_event_delivered_twice_has_one_effect(consumer: Consumer) -> None:
    runtime, effects, vhost = consumer
    event = envelope(registered("org-twice"))
    await publish_event(vhost.url, event)
    await publish_event(vhost.url, event)

    async def both_seen() -> bool:
        return effects.calls >= 1 and await effects.count(org="org-twice") >= 1

    await wait_until(both_seen)
    await asyncio.sleep(0.5)  # give the second copy every chance to do harm
    assert await effects.count(org="org-twice") == 1

    # the inbox entry is completed after the handler returned
    async def completed_once() -> bool:
        inbox = await runtime.db["inbox"].find({"event_id": event.id}).to_list(10)
        return [doc["state"] for doc in inbox] == ["done"]

    await wait_until(completed_once)


@pytest.mark.parametrize(
    ("body", "routing_key", "reason_part"),
    [
        pytest.param(
            b"{not json",
            "directory.organisation.registered",
            "not a valid CloudEvents",
            id="malformed-json",
        ),
        pytest.param(
            b'{"hello": "world"}',
            "directory.organisation.registered",
            "not a valid CloudEvents",
            id="json-but-no-cloudevent",
        ),
        pytest.param(
            envelope(registered())
            .model_copy(update={"type": "integrationsnetz.directory.organisation.registered.v9"})
            .model_dump_json()
            .encode(),
            "directory.organisation.registered",
            "unknown or unsupported event type",
            id="unknown-version",
        ),
        pytest.param(
            envelope(registered())
            .model_copy(update={"data": {"name": 3}})
            .model_dump_json()
            .encode(),
            "directory.organisation.registered",
            "data does not match",
            id="invalid-data",
        ),
    ],
)
async def test_a_message_that_cannot_be_read_is_parked_with_the_reason(
    consumer: Consumer, body: bytes, routing_key: str, reason_part: str
) -> None:
    _runtime, effects, vhost = consumer
    await publish_raw(vhost.url, body, routing_key=routing_key, message_id="bad-1")
    parked = await parked_messages(vhost.url, "testsvc.parked", 1)
    assert len(parked) == 1
    headers = parked[0].headers
    assert reason_part in str(headers["x-parked-reason"])
    assert headers["x-parked-queue"] == "testsvc.directory-events"
    assert parked[0].body == body  # kept verbatim for a replay
    # the consumer is alive and still handles good messages
    await publish_event(vhost.url, envelope(registered("org-after")))

    await effects.handled_once("org-after")


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", ""])
async def test_a_body_that_is_not_utf8_is_parked_whatever_content_type_it_claims(
    consumer: Consumer, content_type: str
) -> None:
    _runtime, _effects, vhost = consumer
    body = b"\x98q\xc2<<"
    await publish_raw(
        vhost.url,
        body,
        routing_key="directory.organisation.registered",
        message_id="not-utf8",
        content_type=content_type,
    )
    parked = await parked_messages(vhost.url, "testsvc.parked", 1)
    assert len(parked) == 1
    assert "not a valid CloudEvents" in str(parked[0].headers["x-parked-reason"])
    assert parked[0].body == body


async def test_a_handler_that_keeps_failing_gets_the_message_parked_after_the_delivery_limit(
    consumer: Consumer,
) -> None:
    _runtime, effects, vhost = consumer
    await publish_failing(consumer, "org-poison", failures=1000)

    async def gauge_shows_it() -> bool:
        return bool(PARKED_MESSAGES.labels("testsvc")._value.get() >= 1)

    await wait_until(gauge_shows_it)  # what an operator's alert watches
    parked = await parked_messages(vhost.url, "testsvc.parked", 1)
    assert len(parked) == 1
    assert f"handler failed {DELIVERY_LIMIT} times" in str(parked[0].headers["x-parked-reason"])
    assert "cannot handle org-poison" in str(parked[0].headers["x-parked-reason"])
    assert effects.calls == DELIVERY_LIMIT
    assert await effects.count(org="org-poison") == 0


async def test_a_handler_that_fails_once_succeeds_on_redelivery_with_one_effect(
    consumer: Consumer,
) -> None:
    _runtime, effects, _vhost = consumer
    await publish_failing(consumer, "org-flaky", failures=2)

    await effects.handled_once("org-flaky")
    assert effects.calls == 3


async def test_an_event_the_service_did_not_subscribe_to_never_reaches_its_queue(
    consumer: Consumer,
) -> None:
    _runtime, effects, vhost = consumer
    updated = OrganisationUpdated(**registered("org-upd").model_dump(), changed_fields=["name"])
    await publish_event(vhost.url, envelope(updated), routing_key="directory.organisation.updated")
    await publish_event(vhost.url, envelope(registered("org-reg")))

    await effects.handled_once("org-reg")
    assert await effects.count(org="org-upd") == 0
    assert json.loads(envelope(updated).model_dump_json())["data"]["changed_fields"] == ["name"]


async def test_a_parked_message_replayed_after_the_fix_is_handled_once(consumer: Consumer) -> None:
    _runtime, effects, vhost = consumer
    await publish_failing(consumer, "org-later", failures=1000)

    async def parked() -> bool:
        connection = await aio_pika.connect(vhost.url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue("testsvc.parked", passive=True)
            return (queue.declaration_result.message_count or 0) >= 1

    await wait_until(parked)
    assert effects.calls >= DELIVERY_LIMIT
    await replay_after_the_fix(consumer, "org-later")
    assert (await replay_parked(vhost.url, "testsvc")).replayed == 0


async def test_an_event_caused_by_handling_another_carries_its_correlation_id(
    consumer: Consumer,
) -> None:
    _runtime, _effects, vhost = consumer
    cause = envelope(registered("org-cause"), correlation_id="req-4711")
    async with StreamTap(vhost.url, EVENTS_EXCHANGE, ("directory.organisation.updated",)) as tap:
        await publish_event(vhost.url, cause)
        [caused] = await tap.wait_for("directory.organisation.updated")
    assert caused["correlationid"] == "req-4711"
    assert caused["id"] != cause.id


def set_policy(vhost: RabbitVhost, name: str, pattern: str, definition: dict[str, Any]) -> None:
    """A RabbitMQ policy on the test's vhost (rabbitmqctl locally, else the management API)."""
    parts = urllib.parse.urlsplit(vhost.base_url)
    if shutil.which("rabbitmqctl") and parts.hostname in ("127.0.0.1", "localhost"):
        subprocess.run(
            [
                "rabbitmqctl",
                "-q",
                "set_policy",
                "-p",
                vhost.name,
                name,
                pattern,
                json.dumps(definition),
                "--apply-to",
                "queues",
            ],
            check=True,
            capture_output=True,
        )
        return
    port = os.environ.get("RABBITMQ_MANAGEMENT_PORT", "15672")
    vhost_part = urllib.parse.quote(vhost.name, safe="")
    httpx.put(
        f"http://{parts.hostname}:{port}/api/policies/{vhost_part}/{name}",
        json={"pattern": pattern, "definition": definition, "apply-to": "queues"},
        auth=(parts.username or "guest", urllib.parse.unquote(parts.password or "guest")),
        timeout=10,
    ).raise_for_status()


async def test_a_message_the_broker_parked_at_its_delivery_limit_is_handled_once_when_replayed(
    consumer: Consumer,
) -> None:
    runtime, effects, vhost = consumer
    # the broker's own limit (the lower of policy and queue argument) acts before the consumer's
    set_policy(vhost, "backstop", r"^testsvc\.directory-events$", {"delivery-limit": 1})
    effects.fail_times["org-stuck"] = 1000
    event = envelope(registered("org-stuck"))
    await publish_event(vhost.url, event)
    headers = await peek_parked(vhost.url, "testsvc.parked")
    assert "x-parked-reason" not in headers, "parked by the broker itself"
    assert headers["x-first-death-reason"] == "delivery_limit"

    await replay_after_the_fix(consumer, "org-stuck")

    async def done() -> bool:
        entry = await runtime.db["inbox"].find_one({"event_id": event.id})
        return entry is not None and entry["state"] == "done"

    await wait_until(done)
    assert await effects.count(org="org-stuck") == 1


async def peek_parked(url: str, queue: str) -> dict[str, Any]:
    """The headers of the first parked message, which stays parked."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        found: list[dict[str, Any]] = []

        async def one_parked() -> bool:
            message = await (await channel.get_queue(queue)).get(fail=False)
            if message is None:
                return False
            found.append(dict(message.headers or {}))
            await message.nack(requeue=True)
            return True

        await wait_until(one_parked)
    return found[0]


async def test_a_poison_message_is_parked_after_exactly_delivery_limit_attempts_of_its_own_count(
    fresh_vhost: RabbitVhost,
    mongo_url: str,
    database_name: str,
    mongo_db: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RabbitMQ 4 leaves x-delivery-count out of requeued nacks: so does this test, everywhere
    original_init = aio_pika.message.IncomingMessage.__init__

    def without_delivery_count(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.headers:
            self.headers.pop("x-delivery-count", None)

    monkeypatch.setattr(aio_pika.message.IncomingMessage, "__init__", without_delivery_count)
    async with running_consumer(fresh_vhost, mongo_url, database_name, delivery_limit=3) as (
        runtime,
        effects,
        vhost,
    ):
        effects.fail_times["org-poison"] = 1000
        event = envelope(registered("org-poison"))
        await publish_event(vhost.url, event)
        [parked] = await parked_messages(vhost.url, "testsvc.parked", 1)
        assert "handler failed 3 times" in str(parked.headers["x-parked-reason"])
        assert effects.calls == 3
        entry = await runtime.db["inbox"].find_one({"event_id": event.id})
        assert entry is not None
        assert (entry["attempts"], entry["state"]) == (3, "parked")


def close_connections(vhost: RabbitVhost) -> None:
    """Drop every client connection of the vhost, as a broker restart does."""
    subprocess.run(
        ["rabbitmqctl", "-q", "close_all_connections", "-p", vhost.name, "broker restart test"],
        check=True,
        capture_output=True,
    )


async def test_a_service_whose_broker_connection_came_back_wakes_its_outbox_relay(
    consumer: Consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime, _effects, vhost = consumer
    woken: list[bool] = []
    wake = runtime.relay.broker_reconnected

    def spy() -> None:
        woken.append(True)
        wake()

    monkeypatch.setattr(runtime.relay, "broker_reconnected", spy)
    close_connections(vhost)

    async def reconnected() -> bool:
        return bool(woken)

    await wait_until(reconnected, timeout=30)
    async with StreamTap(vhost.url, EVENTS_EXCHANGE, ("directory.organisation.updated",)) as tap:
        caused = OrganisationUpdated(**registered("org-back").model_dump(), changed_fields=["name"])
        await runtime.writer.insert("caused", {"_id": "after-reconnect"}, [caused])
        [published] = await tap.wait_for("directory.organisation.updated")
    assert published["subject"] == "org-back"
