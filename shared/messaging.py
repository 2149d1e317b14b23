"""Broker factory, outbox publishing, and the building blocks of the consumer side: the
subscriptions of a queue, the inbox, parking, and waiting out a database outage.

What happens with one delivered message is decided in `shared.dispatch`. Attempts are counted in
the inbox document, not taken from the broker's `x-delivery-count` (RabbitMQ 4 no longer counts
requeued nacks there); the queue's `x-delivery-limit` is only a backstop. A replayed message
(`x-replayed`) is handled afresh whoever parked it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aio_pika import IncomingMessage
from faststream.rabbit import Channel, RabbitBroker, RabbitExchange
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.contracts.base import CLOUDEVENTS_CONTENT_TYPE, CloudEvent, Payload
from shared.group_commit import GroupCommit
from shared.mongo import DATABASE_UNAVAILABLE, Document
from shared.outbox import OutboxEntry, now_ms
from shared.topology import (
    DEAD_LETTER_EXCHANGE,
    Binding,
    commands_exchange,
    consumer_queue,
    events_exchange,
)

log = logging.getLogger("integrationsnetz.messaging")

P = TypeVar("P", bound=Payload)
T = TypeVar("T")
Handler = Callable[[P, CloudEvent], Awaitable[None]]

INBOX = "inbox"
#: The sweep finds expired entries by this integer (epoch ms when handled; 0 while not done).
INBOX_DONE_FIELD = "done_ms"


def create_broker(
    rabbitmq_url: str,
    *,
    service: str,
    prefetch_count: int,
    on_reconnected: Callable[[], None] | None = None,
) -> RabbitBroker:
    """A broker with publisher confirms, unroutable publishes raising, a bounded prefetch and
    per-message "Received/Processed" lines at DEBUG (they cost a third of consume throughput).
    `on_reconnected` is called each time the connection came back after a loss."""
    callbacks = [] if on_reconnected is None else [lambda _connection: on_reconnected()]
    return RabbitBroker(
        rabbitmq_url,
        default_channel=Channel(
            prefetch_count=prefetch_count, publisher_confirms=True, on_return_raises=True
        ),
        app_id=f"integrationsnetz-{service}",
        log_level=logging.DEBUG,
        graceful_timeout=10.0,
        reconnect_interval=2.0,
        timeout=5.0,
        on_reconnected=callbacks,
    )


def outbox_publisher(broker: RabbitBroker) -> Callable[[OutboxEntry], Awaitable[None]]:
    """Publish one outbox entry persistently, waiting for the broker's confirm."""
    exchanges = {
        events_exchange.name: events_exchange,
        commands_exchange.name: commands_exchange,
    }

    async def publish(entry: OutboxEntry) -> None:
        await broker.publish(
            entry.body.encode(),
            exchange=exchanges.get(entry.exchange, RabbitExchange(entry.exchange, declare=False)),
            routing_key=entry.routing_key,
            message_id=entry.id,
            correlation_id=entry.correlation_id or entry.id,
            content_type=CLOUDEVENTS_CONTENT_TYPE,
            persist=True,
            mandatory=True,
            timeout=10.0,
        )

    return publish


@dataclass
class _Registration(Generic[P]):
    payload: type[P]
    handler: Handler[P]


@dataclass
class Subscriptions:
    """The messages one queue of a service consumes, and what to do with each: the one place
    that lists a service's subscriptions."""

    service: str
    purpose: str
    _handlers: dict[str, _Registration[Any]] = field(default_factory=dict)

    @property
    def queue_name(self) -> str:
        return f"{self.service}.{self.purpose}"

    @property
    def consumer_name(self) -> str:
        return self.queue_name

    def on(self, payload: type[P]) -> Callable[[Handler[P]], Handler[P]]:
        def register(handler: Handler[P]) -> Handler[P]:
            self._handlers[payload.event_type()] = _Registration(payload, handler)
            return handler

        return register

    def registration(self, event_type: str) -> _Registration[Any] | None:
        return self._handlers.get(event_type)

    @property
    def routing_keys(self) -> tuple[str, ...]:
        return tuple(sorted({r.payload.routing_key for r in self._handlers.values()}))

    @property
    def exchange(self) -> RabbitExchange:
        kinds = {r.payload.message_kind for r in self._handlers.values()}
        if kinds == {"command"}:
            return commands_exchange
        if kinds <= {"event"}:
            return events_exchange
        raise ValueError(f"{self.queue_name} mixes events and commands")

    def binding(self) -> Binding:
        return Binding(consumer_queue(self.service, self.purpose), self.exchange, self.routing_keys)


class Inbox:
    """Idempotent consumption: `(consumer, event id)` is recorded before acting, with the number
    of attempts made so far. States: `processing`, `done`, `parked` (handed to the parking
    queue by the consumer). Entries done more than the retention ago are swept."""

    def __init__(self, db: AsyncDatabase[Document], clock: Callable[[], int] = now_ms) -> None:
        self._collection = db[INBOX]
        self._clock = clock
        self._legacy_swept = False
        self._completions: GroupCommit[str] = GroupCommit(self._complete_all)

    @staticmethod
    def _key(consumer: str, event_id: str) -> str:
        return f"{consumer}:{event_id}"

    async def begin(
        self, consumer: str, event: CloudEvent, *, redelivered: bool, replay: int = 0
    ) -> int | None:
        """The attempt this delivery is (1 for the first), or None for a duplicate to drop.

        `replay` is the message's `x-replayed` counter (0 if it was never replayed).
        """
        key = self._key(consumer, event.id)
        try:
            await self._collection.insert_one(
                {
                    "_id": key,
                    "consumer": consumer,
                    "event_id": event.id,
                    "type": event.type,
                    "state": "processing",
                    "attempts": 1,
                    "replay": replay,
                    INBOX_DONE_FIELD: 0,
                    "received_at": dt.datetime.now(dt.UTC).replace(microsecond=0),
                }
            )
            return 1
        except DuplicateKeyError:
            pass
        existing = await self._collection.find_one({"_id": key})
        if existing is None:  # swept meanwhile
            return await self.begin(consumer, event, redelivered=redelivered, replay=replay)
        state = existing.get("state")
        if state == "done":
            return None
        if state == "parked" or replay > int(existing.get("replay") or 0):
            # Parked (by this consumer or by the broker's delivery limit) and sent again: the
            # cause is presumably fixed, so it starts over with a full set of attempts.
            await self._collection.update_one(
                {"_id": key}, {"$set": {"state": "processing", "attempts": 1, "replay": replay}}
            )
            return 1
        if not redelivered:
            # A second copy arriving fresh is a double publish whose first copy is being
            # handled right now (and redelivered if that fails).
            return None
        # This very message again: its earlier delivery failed or its consumer died.
        counted = await self._collection.find_one_and_update(
            {"_id": key}, {"$inc": {"attempts": 1}}, return_document=ReturnDocument.AFTER
        )
        if counted is None:
            return await self.begin(consumer, event, redelivered=redelivered, replay=replay)
        return int(counted["attempts"])

    async def complete(self, consumer: str, event_id: str) -> None:
        """Mark an entry done; completions due at the same time are written together."""
        await self._completions.add(self._key(consumer, event_id))

    async def _complete_all(self, keys: Sequence[str]) -> None:
        done = {"$set": {"state": "done", INBOX_DONE_FIELD: self._clock()}}
        await self._collection.bulk_write(
            [UpdateOne({"_id": key}, done) for key in keys], ordered=False
        )

    async def parked(self, consumer: str, event_id: str) -> None:
        """The message went to the parking queue: a replay of it is handled again."""
        await self._collection.update_one(
            {"_id": self._key(consumer, event_id)}, {"$set": {"state": "parked"}}
        )

    async def sweep(self, retention_ms: int, *, batch: int = 500) -> int:
        """Delete entries handled more than `retention_ms` ago; returns how many."""
        cutoff = self._clock() - retention_ms
        removed = await self._delete_all({INBOX_DONE_FIELD: {"$gt": 0, "$lt": cutoff}}, batch)
        if not self._legacy_swept:
            # entries handled before `done_ms` existed: by the time they arrived, once
            received = dt.datetime.fromtimestamp(cutoff / 1000, dt.UTC).replace(microsecond=0)
            legacy = {
                "state": "done",
                INBOX_DONE_FIELD: {"$in": [None]},
                "received_at": {"$lt": received},
            }
            removed += await self._delete_all(legacy, batch)
            self._legacy_swept = True
        return removed

    async def _delete_all(self, query: Document, batch: int) -> int:
        removed = 0
        while True:
            found = await self._collection.find(query, {"_id": 1}).to_list(batch)
            if not found:
                return removed
            result = await self._collection.delete_many({"_id": {"$in": [d["_id"] for d in found]}})
            removed += result.deleted_count
            if len(found) < batch:
                return removed


async def park(
    broker: RabbitBroker,
    raw: IncomingMessage,
    *,
    service: str,
    queue: str,
    reason: str,
) -> None:
    """Publish a message to the service's parking queue with the reason, awaiting the confirm."""
    headers: dict[str, Any] = dict(raw.headers or {})
    headers.update(
        {
            "x-parked-reason": reason[:1000],
            "x-parked-queue": queue,
            "x-parked-at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "x-original-exchange": raw.exchange or "",
            "x-original-routing-key": raw.routing_key or "",
        }
    )
    await broker.publish(
        raw.body,
        exchange=RabbitExchange(DEAD_LETTER_EXCHANGE, declare=False),
        routing_key=service,
        message_id=raw.message_id,
        correlation_id=raw.correlation_id,
        content_type=raw.content_type,
        headers=headers,
        persist=True,
        mandatory=True,
        timeout=10.0,
    )
    log.warning(
        "parked message %s from %s: %s",
        raw.message_id,
        queue,
        reason,
        extra={"event_id": raw.message_id, "queue": queue},
    )


async def while_database_unavailable(call: Callable[[], Awaitable[T]]) -> T:
    """Retry `call` in place while the database is unreachable: an outage delays messages
    instead of burning their delivery attempts."""
    backoff = 0.5
    while True:
        try:
            return await call()
        except DATABASE_UNAVAILABLE as exc:
            log.warning("database unavailable (%s); retrying in %.1fs", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
