"""The outbox: every written event is published, in order, by exactly one relay at a time,
and survives a broker that is away."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker
from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.base import EVENTS_EXCHANGE
from shared.contracts.directory import OrganisationRegistered, OrganisationUpdated
from shared.messaging import create_broker, outbox_publisher
from shared.outbox import OutboxEntry, OutboxWriter
from shared.outbox_relay import OutboxRelay
from shared.topology import declare_topology
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost, free_port
from tests.support.waiting import eventually

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
COLLECTION = "things"


def registered(organisation_id: str, revision: int = 1) -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=organisation_id,
        name=f"Organisation {organisation_id}",
        kind="association",
        status="active",
        revision=revision,
        updated_at=NOW,
    )


def updated(organisation_id: str, revision: int) -> OrganisationUpdated:
    return OrganisationUpdated(
        **registered(organisation_id, revision).model_dump(), changed_fields=["name"]
    )


@pytest.fixture
async def broker(rabbit: RabbitVhost) -> Any:
    broker = create_broker(rabbit.url, service="outbox-test", prefetch_count=10)
    await broker.connect()
    await declare_topology(broker, [], {"outbox-test"})
    await broker.start()
    yield broker
    await broker.stop()


def relay(db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, **kwargs: Any) -> OutboxRelay:
    return OutboxRelay(
        db,
        [COLLECTION],
        outbox_publisher(broker),
        service="outbox-test",
        poll_seconds=0.1,
        **kwargs,
    )


async def test_a_write_and_its_events_are_one_document_and_leave_in_order(
    mongo_db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, rabbit: RabbitVhost
) -> None:
    writer = OutboxWriter(mongo_db)
    await writer.insert(COLLECTION, {"_id": "a", "name": "A"}, [registered("a")])
    stored = await mongo_db[COLLECTION].find_one({"_id": "a"})
    assert stored is not None
    assert stored["outbox_pending"] is True
    assert [e["routing_key"] for e in stored["outbox"]] == ["directory.organisation.registered"]

    async def rename(doc: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        return {**doc, "name": doc["name"] + "'"}, [updated("a", doc["version"] + 1)]

    await writer.update(COLLECTION, "a", rename)
    await writer.update(COLLECTION, "a", rename)

    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        published = await relay(mongo_db, broker).drain()
        assert published == 3
        await tap.wait_for("directory.organisation.updated", 2)
        types = [b["type"].split(".")[-2] for b in tap.bodies() if b["subject"] == "a"]
    assert types == ["registered", "updated", "updated"]
    revisions = [b["data"]["revision"] for b in tap.bodies() if b["subject"] == "a"]
    assert revisions == sorted(revisions)
    after = await mongo_db[COLLECTION].find_one({"_id": "a"})
    assert after is not None
    assert after["outbox"] == []
    assert after["outbox_pending"] is False
    assert after["name"] == "A''"


async def test_two_relays_racing_over_the_same_outbox_never_publish_an_entry_twice(
    mongo_db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, rabbit: RabbitVhost
) -> None:
    writer = OutboxWriter(mongo_db)
    ids = [f"race-{n}" for n in range(60)]
    for doc_id in ids:
        await writer.insert(COLLECTION, {"_id": doc_id}, [registered(doc_id)])
    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        first, second = relay(mongo_db, broker), relay(mongo_db, broker)
        counts = await asyncio.gather(first.drain(), second.drain(), first.drain(), second.drain())
        assert sum(counts) == len(ids)
        await tap.wait_for("directory.organisation.registered", len(ids))
        await asyncio.sleep(0.3)
        per_subject = Counter(b["subject"] for b in tap.bodies())
    assert set(per_subject) == set(ids)
    assert set(per_subject.values()) == {1}


async def test_a_relay_that_dies_after_publishing_leaves_the_entry_to_be_published_again(
    mongo_db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, rabbit: RabbitVhost
) -> None:
    """At least once: the rare double is deduplicated by consumers on the CloudEvents id."""
    writer = OutboxWriter(mongo_db)
    await writer.insert(COLLECTION, {"_id": "crash"}, [registered("crash")])
    clock = FakeClock()
    dying = relay(mongo_db, broker, lease_seconds=3, clock=clock)

    async def die(*_args: Any) -> None:
        raise SystemExit("killed between publish and removal")

    dying._release_all = die  # type: ignore[method-assign,assignment]
    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        with pytest.raises(SystemExit):
            await dying.drain()
        await tap.wait_for("directory.organisation.registered", 1)
        survivor = relay(mongo_db, broker, lease_seconds=3, clock=clock)
        assert await survivor.drain() == 0  # the dead relay's lease still holds
        clock.advance(3.2)
        assert await survivor.drain() == 1
        bodies = await tap.wait_for("directory.organisation.registered", 2)
    assert bodies[0]["id"] == bodies[1]["id"]


async def test_events_written_while_the_broker_is_away_are_published_when_it_returns(
    mongo_db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, rabbit: RabbitVhost
) -> None:
    writer = OutboxWriter(mongo_db)
    await writer.insert(COLLECTION, {"_id": "away"}, [registered("away")])
    nowhere = create_broker(
        f"amqp://guest:guest@127.0.0.1:{free_port()}/", service="outbox-test", prefetch_count=1
    )
    unreachable = relay(mongo_db, nowhere)
    with pytest.raises(Exception):  # noqa: B017,PT011 (any broker error)
        await unreachable.drain()
    doc = await mongo_db[COLLECTION].find_one({"_id": "away"})
    assert doc is not None
    assert doc["outbox_pending"] is True
    assert doc["outbox_lease_until"] == 0

    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        assert await relay(mongo_db, broker).drain() == 1
        await tap.wait_for("directory.organisation.registered", 1)


async def test_a_running_relay_is_woken_by_a_write_and_publishes_within_milliseconds(
    mongo_db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, rabbit: RabbitVhost
) -> None:
    live = OutboxRelay(
        mongo_db, [COLLECTION], outbox_publisher(broker), service="outbox-test", poll_seconds=30
    )
    writer = OutboxWriter(mongo_db, on_written=live.wake)
    task = asyncio.create_task(live.run())
    try:
        async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
            await asyncio.sleep(0.2)  # the relay is now waiting out its 30 s poll
            await writer.insert(COLLECTION, {"_id": "woken"}, [registered("woken")])
            await tap.wait_for("directory.organisation.registered", 1, timeout=5)
    finally:
        task.cancel()


def test_outbox_entries_round_trip_through_their_stored_form() -> None:
    entry = OutboxEntry("id", "x", "a.b.c", "{}", None, 3, 1000)
    assert OutboxEntry.from_document(entry.to_document()) == entry


class FakeClock:
    """Epoch milliseconds that move only when the test says so."""

    def __init__(self, start_ms: int = 1_800_000_000_000) -> None:
        self.now = start_ms

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * 1000)


class Recorder:
    """A publisher under the test's control: records what it published, waits at `gate` (while
    closed) before each publish, and awaits `during` after each."""

    def __init__(self, published: list[tuple[str, str]], name: str) -> None:
        self.published = published
        self.name = name
        self.gate = asyncio.Event()
        self.gate.set()
        self.entered = asyncio.Event()
        self.during: Callable[[], Awaitable[None]] | None = None

    async def __call__(self, entry: OutboxEntry) -> None:
        self.entered.set()
        await self.gate.wait()
        self.published.append((self.name, entry.body))
        if self.during is not None:
            await self.during()


def controlled_relay(
    db: AsyncDatabase[dict[str, Any]], publish: Recorder, clock: FakeClock, **kwargs: Any
) -> OutboxRelay:
    return OutboxRelay(
        db, [COLLECTION], publish, service="outbox-test", lease_seconds=30, clock=clock, **kwargs
    )


def revision_of(body: str) -> int:
    return int(json.loads(body)["data"]["revision"])


async def write_three(db: AsyncDatabase[dict[str, Any]], doc_id: str) -> None:
    await OutboxWriter(db).insert(
        COLLECTION, {"_id": doc_id}, [registered(doc_id), updated(doc_id, 2), updated(doc_id, 3)]
    )


async def two_relays_on_three(
    db: AsyncDatabase[dict[str, Any]], doc_id: str, names: tuple[str, str]
) -> tuple[
    FakeClock, list[tuple[str, str]], tuple[Recorder, Recorder], tuple[OutboxRelay, OutboxRelay]
]:
    """Three entries in the outbox of `doc_id`, and two relays on one clock whose publishers
    (named `names`) record into one list: the clock, the list, the publishers, the relays."""
    await write_three(db, doc_id)
    clock = FakeClock()
    published: list[tuple[str, str]] = []
    publishers = Recorder(published, names[0]), Recorder(published, names[1])
    relays = controlled_relay(db, publishers[0], clock), controlled_relay(db, publishers[1], clock)
    return clock, published, publishers, relays


async def test_a_relay_whose_lease_ran_out_mid_publish_stops_and_leaves_the_rest_to_the_new_holder(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    clock, published, (slow, quick), (first, second) = await two_relays_on_three(
        mongo_db, "slow", ("slow", "quick")
    )

    slow.gate.clear()
    stuck = asyncio.create_task(first.drain())
    await slow.entered.wait()  # the first relay hangs in its first publish ...
    clock.advance(31)  # ... for longer than its lease
    quick.gate.clear()
    taking_over = asyncio.create_task(second.drain())
    await quick.entered.wait()  # the second relay claimed the document and hangs too

    slow.gate.set()  # the first relay's publish returns while the second holds the lease
    assert await stuck == 1
    assert [who for who, _ in published] == ["slow"], "nothing more after the lease ran out"
    during = await mongo_db[COLLECTION].find_one({"_id": "slow"})
    assert during is not None
    assert len(during["outbox"]) == 3, "the first relay rewrote nothing"
    assert during["outbox_lease_until"] == clock() + 30_000, "the new holder keeps its lease"

    quick.gate.set()
    assert await taking_over == 3
    assert [(who, revision_of(body)) for who, body in published] == [
        ("slow", 1),
        ("quick", 1),
        ("quick", 2),
        ("quick", 3),
    ]
    after = await mongo_db[COLLECTION].find_one({"_id": "slow"})
    assert after is not None
    assert (after["outbox"], after["outbox_pending"], after["outbox_lease_until"]) == ([], False, 0)


async def test_a_relay_publishing_a_long_batch_renews_its_lease_so_no_other_relay_takes_over(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    clock, published, (busy, _other), (first, second) = await two_relays_on_three(
        mongo_db, "long", ("busy", "other")
    )
    second_published: list[int] = []

    async def slow_publish_while_another_relay_polls() -> None:
        clock.advance(20)  # each publish takes two thirds of the lease
        second_published.append(await second.drain())

    busy.during = slow_publish_while_another_relay_polls
    assert await first.drain() == 3
    assert second_published == [0, 0, 0]
    assert [(who, revision_of(body)) for who, body in published] == [
        ("busy", 1),
        ("busy", 2),
        ("busy", 3),
    ]
    after = await mongo_db[COLLECTION].find_one({"_id": "long"})
    assert after is not None
    assert (after["outbox"], after["outbox_pending"]) == ([], False)


async def never(_seconds: float) -> None:
    """A back-off sleep that never ends on its own."""
    await asyncio.Event().wait()


async def test_a_relay_in_back_off_publishes_as_soon_as_the_broker_has_reconnected(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    await OutboxWriter(mongo_db).insert(COLLECTION, {"_id": "back"}, [registered("back")])
    published: list[str] = []
    broker_up = False

    async def publish(entry: OutboxEntry) -> None:
        if not broker_up:
            raise ConnectionError("broker away")
        published.append(entry.id)

    relay = OutboxRelay(
        mongo_db, [COLLECTION], publish, service="outbox-test", poll_seconds=30, sleep=never
    )
    task = asyncio.create_task(relay.run())
    try:

        async def backing_off() -> bool:
            return relay.last_error is not None

        await eventually(backing_off)  # the failed publish put the relay into its back-off
        broker_up = True
        relay.broker_reconnected()  # what the runtime does when the connection is back

        async def published_once() -> bool:
            return len(published) == 1

        await eventually(published_once)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    doc = await mongo_db[COLLECTION].find_one({"_id": "back"})
    assert doc is not None
    assert doc["outbox_pending"] is False


async def test_a_new_document_handed_over_is_published_without_a_lookup_or_a_claim(
    mongo_db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, rabbit: RabbitVhost
) -> None:
    """Written already leased to the relay (ADR 0011): published, then released in one write —
    the document's version counts the insert and the release only, no claim."""
    live = relay(mongo_db, broker)
    writer = OutboxWriter(mongo_db, handover=live)
    await writer.insert(COLLECTION, {"_id": "handed"}, [registered("handed")])
    leased = await mongo_db[COLLECTION].find_one({"_id": "handed"})
    assert leased is not None
    assert leased["outbox_lease_until"] > 0

    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        assert await live.drain() == 1
        await tap.wait_for("directory.organisation.registered", 1)

    released = await mongo_db[COLLECTION].find_one({"_id": "handed"})
    assert released is not None
    assert (released["version"], released["outbox"], released["outbox_pending"]) == (2, [], False)
    assert released["outbox_lease_until"] == 0
    assert "outbox_owner" not in released


async def test_a_document_handed_to_a_relay_that_died_is_published_by_another_after_its_lease(
    mongo_db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, rabbit: RabbitVhost
) -> None:
    clock = FakeClock()
    dead = relay(mongo_db, broker, lease_seconds=3, clock=clock)  # never drains
    await OutboxWriter(mongo_db, handover=dead).insert(
        COLLECTION, {"_id": "orphan"}, [registered("orphan")]
    )
    survivor = relay(mongo_db, broker, lease_seconds=3, clock=clock)

    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        assert await survivor.drain() == 0  # the dead relay's lease holds
        clock.advance(3.2)
        assert await survivor.drain() == 1
        await tap.wait_for("directory.organisation.registered", 1)


async def test_a_handed_over_document_changed_before_it_was_published_publishes_both_in_order(
    mongo_db: AsyncDatabase[dict[str, Any]], broker: RabbitBroker, rabbit: RabbitVhost
) -> None:
    live = relay(mongo_db, broker)
    writer = OutboxWriter(mongo_db, handover=live)
    await writer.insert(COLLECTION, {"_id": "busy", "name": "A"}, [registered("busy")])

    async def rename(doc: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        return {**doc, "name": "B"}, [updated("busy", 2)]

    await writer.update(COLLECTION, "busy", rename)

    async with StreamTap(rabbit.url, EVENTS_EXCHANGE, ("directory.#",)) as tap:
        assert await live.drain() == 1  # the entry handed over; its release finds a change
        assert await live.drain() == 1  # the change's entry, found by the lookup
        first = await tap.wait_for("directory.organisation.registered", 1)
        second = await tap.wait_for("directory.organisation.updated", 1)
    assert first[0]["data"]["revision"] == 1
    assert second[0]["data"]["revision"] == 2
    stored = await mongo_db[COLLECTION].find_one({"_id": "busy"})
    assert stored is not None
    assert (stored["name"], stored["outbox"], stored["outbox_pending"]) == ("B", [], False)
