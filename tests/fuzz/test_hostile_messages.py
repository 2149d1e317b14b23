"""Hostile input on the real broker, per consumer: every message type a service consumes is sent
mutated (invalid JSON, a wrong content type, missing fields, wrong types, huge strings, unknown
versions, deep nesting, out-of-range dates, pathological recurrence rules).

Each message must be settled: parked with a reason, leaving the service's data as it was (the
inbox and outbox are bookkeeping), or, where the mutation still fits the contract, handled. A
handler that fails on input its contract accepted is a finding, as is a consumer that stops
being ready or no longer handles a valid event afterwards. The longest the event loop was held
up meanwhile is measured and reported (not asserted: the machine's load is not the code's).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import threading
import time
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from shared.contracts.base import (
    CLOUDEVENTS_CONTENT_TYPE,
    COMMANDS_EXCHANGE,
    EVENTS_EXCHANGE,
    Payload,
    envelope,
)
from shared.ids import new_id
from shared.topology import parking_queue_name
from tests.conftest import RUN_ID
from tests.fuzz.stack import SERVICES_IN_THIS_PROCESS, Stack, full_stack
from tests.support.amqp import relayed_message
from tests.support.infra import create_vhost, delete_vhost
from tests.support.waiting import eventually
from tests.unit.test_envelope import SAMPLES

pytestmark = SERVICES_IN_THIS_PROCESS
T = TypeVar("T")
CONSUMERS = ("calendar", "exchange", "notifier")
EXAMPLES = 25
#: Parking takes milliseconds, a handler that fails five times a few seconds: past this a
#: message is held unacknowledged (it blocks a prefetch slot until the channel closes).
SETTLE_SECONDS = 10
#: No handler may keep the event loop from other work longer than this (CPU time in one callback).
MAX_BLOCKING_SECONDS = 0.1
RUN_SEED = int(dt.date.today().strftime("%Y%m%d"))
#: Collections a consumer writes whatever it handles: not "data" for the unchanged check.
BOOKKEEPING = {"inbox", "outbox", "outbox_state", "locks", "leases"}
#: Collections a background loop rewrites (the sender's retries): only new entries count.
RETRIED = {"deliveries"}
#: Mutations no contract accepts: such a message must be parked, never handled.
ALWAYS_INVALID = {
    "invalid-json",
    "wrong-content-type",
    "missing-field",
    "unknown-version",
    "deep-nesting",
}
PATHOLOGICAL_RULES = st.one_of(
    st.sampled_from(
        [
            "FREQ=SECONDLY;COUNT=1000000000",
            "FREQ=MINUTELY;UNTIL=99991231T235959Z",
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5",
            "FREQ=DAILY;INTERVAL=0;COUNT=3",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11;COUNT=99999",
            "FREQ=MONTHLY;BYSETPOS=-366;BYMONTHDAY=31",
            "FREQ=DAILY;UNTIL=00010101T000000Z",
            "RRULE:FREQ=DAILY;COUNT=3\nEXDATE:20260101T000000Z",
            "FREQ=HOURLY;COUNT=3;" + "BYMINUTE=1;" * 500,
        ]
    ),
    st.text(st.sampled_from("FREQ=;COUNTBYDAYMOTUWE0123456789,-+"), max_size=200),
)
ODD_DATES = st.sampled_from(
    [
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "+275760-09-13T00:00:00Z",
        "2026-13-45T25:61:61Z",
        "2026-02-30",
        "1e308",
        "",
    ]
)
MUTATIONS = (
    "invalid-json",
    "wrong-content-type",
    "missing-field",
    "wrong-type",
    "huge-string",
    "unknown-version",
    "deep-nesting",
    "odd-date",
    "recurrence",
)


def consumed(stack: Stack, service: str) -> list[tuple[str, Payload]]:
    """(consumer queue, sample) for each message type the service consumes."""
    found = []
    for subscriptions in stack.apps[service].state.runtime.subscriptions:
        for sample in SAMPLES:
            if subscriptions.registration(sample.event_type()) is not None:
                found.append((subscriptions.consumer_name, sample))
    return found


@st.composite
def hostile(draw: st.DrawFn, sample: Payload) -> tuple[str, bytes, str, str]:
    """(mutation, body, content type, event id) of a mutated CloudEvent of `sample`."""
    event = envelope(sample).model_dump(mode="json", exclude_none=True)
    data: dict[str, Any] = event["data"]
    mutation = draw(st.sampled_from(MUTATIONS), label="mutation")
    content_type = CLOUDEVENTS_CONTENT_TYPE
    schema = type(sample).model_json_schema()
    required = [name for name in schema.get("required", []) if name in data]
    strings = [k for k, v in data.items() if isinstance(v, str)]
    dates = [k for k, v in data.items() if isinstance(v, str) and v[:2] in {"19", "20"}]
    if mutation == "invalid-json":
        text = json.dumps(event)
        cut = draw(st.integers(0, len(text) - 1), label="cut")
        return mutation, (text[:cut] + "\x00{").encode(), content_type, event["id"]
    if mutation == "wrong-content-type":
        noise = draw(st.binary(max_size=300), label="noise")
        return (
            mutation,
            noise + b"<<",
            draw(st.sampled_from(["text/plain", "application/json", ""])),
            event["id"],
        )
    if mutation == "missing-field":
        # specversion has a default of "1.0": leaving it out is allowed
        where = draw(st.sampled_from(["id", "type", "data", *required]))
        if where in event:
            del event[where]
        else:
            del data[where]
    elif mutation == "wrong-type" and data:
        name = draw(st.sampled_from(sorted(data)), label="field")
        data[name] = draw(
            st.one_of(st.integers(), st.lists(st.integers(), max_size=3), st.just({"$gt": ""}))
        )
    elif mutation == "huge-string" and strings:
        name = draw(st.sampled_from(strings), label="field")
        data[name] = "ä" * draw(st.integers(10_000, 200_000), label="length")
    elif mutation == "unknown-version":
        version = draw(st.integers(2, 10**6), label="version")
        event["type"] = event["type"].rsplit(".v", 1)[0] + f".v{version}"
    elif mutation == "deep-nesting":
        depth = draw(st.integers(50, 5000), label="depth")
        event["data"] = "@@"
        text = json.dumps(event).replace('"@@"', '{"x": [' * depth + "1" + "]}" * depth)
        return mutation, text.encode(), content_type, event["id"]
    elif mutation == "odd-date" and dates:
        data[draw(st.sampled_from(dates), label="field")] = draw(ODD_DATES)
    elif mutation == "recurrence" and "recurrence" in schema.get("properties", {}):
        data["recurrence"] = {"rrule": draw(PATHOLOGICAL_RULES, label="rule")}
    else:
        # this type has no such field: send it with an unknown version instead
        mutation = "unknown-version"
        event["type"] = event["type"].rsplit(".v", 1)[0] + ".v2"
    return mutation, json.dumps(event).encode(), content_type, str(event.get("id", ""))


@dataclass
class LoopLag:
    """How late a 10 ms timer fires, at most: what a blocking handler would show."""

    worst: float = 0.0
    _task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, loop.time() - before - 0.01)

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class LoopBlock:
    """The longest the event loop spent in one callback, counted in the loop thread's CPU time
    (a handler that computes instead of awaiting): unlike a timer's lateness, another process
    on the machine does not make it longer. A garbage collection that happens to run during a
    callback is not the callback's doing (after a thousand tests the heap is large and a full
    collection takes a while), so the collector's time is left out."""

    worst: float = 0.0
    culprit: str = ""

    def __init__(self) -> None:
        self._original = asyncio.events.Handle._run
        self._collecting_since: float | None = None
        #: CPU time the collector took in the loop's thread (seconds).
        self.collected = 0.0

    def _on_gc(self, phase: str, _info: dict[str, Any]) -> None:
        if threading.current_thread() is not self._thread:
            return
        if phase == "start":
            self._collecting_since = time.thread_time()
        elif self._collecting_since is not None:
            self.collected += time.thread_time() - self._collecting_since
            self._collecting_since = None

    def start(self) -> None:
        original = self._original
        watch = self
        self._thread = threading.current_thread()
        gc.callbacks.append(self._on_gc)

        def timed(handle: asyncio.events.Handle) -> None:
            started, collected = time.thread_time(), watch.collected
            try:
                original(handle)
            finally:
                spent = time.thread_time() - started - (watch.collected - collected)
                if spent > watch.worst:
                    watch.worst, watch.culprit = spent, repr(handle)[:300]

        asyncio.events.Handle._run = timed  # type: ignore[method-assign,assignment]

    def stop(self) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)


@dataclass
class Findings:
    seen: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def quiet_stack(
    rabbitmq_base_url: str, mongo_url: str, keys_dir: Path, storage_selfcheck: None
) -> AsyncIterator[Stack]:
    """A platform of its own on a vhost of its own: no other test's traffic touches its data
    while the suite compares it before and after each message."""
    vhost = create_vhost(rabbitmq_base_url, f"inx-test-{RUN_ID}-hostile")
    try:
        async with full_stack(vhost.url, mongo_url, keys_dir) as running:
            yield running
    finally:
        delete_vhost(vhost)


async def snapshot(stack: Stack, service: str) -> dict[str, list[Any]]:
    db = stack.apps[service].state.runtime.db
    names = await db.list_collection_names()
    found: dict[str, list[Any]] = {}
    for name in sorted(names):
        if name in BOOKKEEPING or name.startswith("outbox"):
            continue
        documents = await db[name].find().to_list()
        if name in RETRIED:
            found[name] = sorted(str(doc["_id"]) for doc in documents)
            continue
        plain = (json.loads(json.dumps(doc, default=str)) for doc in documents)
        found[name] = sorted(plain, key=lambda doc: str(doc.get("_id")))
    return found


async def publish(
    channel: aio_pika.abc.AbstractChannel,
    sample: Payload,
    body: bytes,
    content_type: str,
    message_id: str,
) -> None:
    target = COMMANDS_EXCHANGE if sample.message_kind == "command" else EVENTS_EXCHANGE
    exchange = await channel.get_exchange(target)
    await exchange.publish(
        relayed_message(body, message_id=message_id, content_type=content_type or None),
        routing_key=sample.routing_key,
    )


async def settled(
    stack: Stack,
    service: str,
    channel: aio_pika.abc.AbstractChannel,
    consumer: str,
    message_id: str,
    event_id: str,
) -> tuple[str, str]:
    """("parked", reason) or ("handled", "") once the consumer is done with the message, or
    ("unsettled", "") when it is neither after SETTLE_SECONDS."""
    parking = await channel.get_queue(parking_queue_name(service))
    inbox = stack.apps[service].state.runtime.db["inbox"]
    outcome: list[tuple[str, str]] = []

    async def done() -> bool:
        message = await parking.get(fail=False)
        if message is not None:
            await message.ack()
            if message.message_id == message_id:
                reason = str((message.headers or {}).get("x-parked-reason", ""))
                outcome.append(("parked", reason))
                return True
        if event_id:
            entry = await inbox.find_one({"_id": f"{consumer}:{event_id}", "state": "done"})
            if entry is not None:
                outcome.append(("handled", ""))
                return True
        return False

    try:
        await eventually(done, timeout=SETTLE_SECONDS)
    except AssertionError:
        return "unsettled", ""
    return outcome[0]


@pytest.mark.parametrize("service", CONSUMERS)
async def test_a_consumer_parks_hostile_messages_stays_ready_and_leaves_its_data_alone(
    quiet_stack: Stack, service: str
) -> None:
    stack = quiet_stack
    loop = asyncio.get_running_loop()
    lag = LoopLag()
    lag.start()
    block = LoopBlock()
    block.start()
    findings = Findings()
    kinds = consumed(stack, service)
    assert kinds, f"{service} consumes nothing?"
    connection = await aio_pika.connect(stack.rabbit_url)
    channel = await connection.channel(publisher_confirms=True)

    def on_loop(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

    @seed(RUN_SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_message(data: st.DataObject) -> None:
        consumer, sample = data.draw(st.sampled_from(kinds), label="type")
        mutation, body, content_type, event_id = data.draw(hostile(sample), label="message")
        message_id = new_id()
        before = on_loop(snapshot(stack, service))
        on_loop(publish(channel, sample, body, content_type, message_id))
        result, reason = on_loop(settled(stack, service, channel, consumer, message_id, event_id))
        after = on_loop(snapshot(stack, service))
        key = f"{sample.routing_key} {mutation}"
        tally = f"{mutation} {result}"
        findings.outcomes[tally] = findings.outcomes.get(tally, 0) + 1
        shown = body[:300].decode("utf-8", "replace")
        if result == "unsettled":
            findings.seen.setdefault(
                key + " unsettled",
                f"{key}: neither parked nor handled in {SETTLE_SECONDS}s "
                f"(content type {content_type!r}) ← {shown}",
            )
        if result == "parked" and not reason:
            findings.seen.setdefault(key + " no reason", f"{key}: parked without a reason")
        if result == "parked" and reason.startswith("handler failed"):
            findings.seen.setdefault(key + " crash", f"{key}: {reason[:300]} ← {shown}")
        elif result == "parked" and before != after:
            names = before.keys() | after.keys()
            changed = sorted(n for n in names if before.get(n) != after.get(n))
            findings.seen.setdefault(key + " changed", f"{key}: parked but changed {changed}")
        if result == "handled" and mutation in ALWAYS_INVALID:
            findings.seen.setdefault(key + " handled", f"{key}: handled, not parked ← {shown}")

    try:
        await asyncio.to_thread(one_message)
        # still ready, and a valid event is still handled
        assert (await stack.clients[service].get("/readyz")).status_code == 200
        consumer, sample = kinds[0]
        valid = envelope(sample)
        await publish(
            channel, sample, valid.model_dump_json().encode(), CLOUDEVENTS_CONTENT_TYPE, valid.id
        )
        result, _ = await settled(stack, service, channel, consumer, valid.id, valid.id)
        assert result == "handled"
    finally:
        block.stop()
        await connection.close()
        await lag.stop()
    print(
        f"\n{service}: longest event-loop stall {lag.worst * 1000:.0f} ms, longest callback "
        f"{block.worst * 1000:.0f} ms of CPU; "
        f"outcomes {json.dumps(findings.outcomes, sort_keys=True)}"
    )
    assert block.worst < MAX_BLOCKING_SECONDS, f"the loop was blocked by {block.culprit}"
    report = json.dumps(sorted(findings.seen.values()), indent=1, ensure_ascii=False)
    assert not findings.seen, f"seed {RUN_SEED}: {len(findings.seen)} findings:\n{report}"


def test_the_block_watch_counts_a_computing_callback_but_not_the_collector() -> None:
    def compute() -> None:
        until = time.thread_time() + 0.15
        while time.thread_time() < until:
            pass

    heap = [[n] for n in range(1_500_000)]  # what a full collection has to walk through

    def collect() -> None:
        gc.collect()

    for callback, counted in ((compute, True), (collect, False)):
        block = LoopBlock()
        block.start()
        try:
            loop = asyncio.new_event_loop()
            loop.call_soon(callback)
            loop.call_soon(loop.stop)
            loop.run_forever()
            loop.close()
        finally:
            block.stop()
        if counted:
            assert block.worst >= 0.1, block.worst
        else:  # the collector's time inside the callback is left out of the callback's
            assert block.collected > 10 * block.worst, (block.collected, block.worst)
    assert len(heap) == 1_500_000
