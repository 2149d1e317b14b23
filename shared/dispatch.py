"""The consumer side: what happens with one message delivered from a queue, and the FastStream
subscriber that feeds the queue's messages to it.

`Dispatcher.dispatch` validates the CloudEvents envelope and the payload of the type's
registered version, records the event in the inbox and calls the handler; it answers with a
`Verdict`. The subscriber settles the verdict with the broker: acknowledge, give back for
another attempt, or park (publish to the dead-letter exchange with the reason) and acknowledge.
Nothing crashes the consumer, nothing blocks the queue, nothing disappears.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from aio_pika import IncomingMessage
from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from pydantic import ValidationError

from shared.context import correlation_id_var, event_id_var
from shared.contracts.base import CloudEvent
from shared.messaging import Inbox, Subscriptions, park, while_database_unavailable
from shared.metrics import MESSAGE_DURATION, MESSAGES_CONSUMED
from shared.topology import DELIVERY_LIMIT, REPLAY_HEADER

log = logging.getLogger("integrationsnetz.messaging")

Outcome = Literal["processed", "duplicate", "retried", "parked"]


@dataclass(frozen=True)
class Delivery:
    """One message as a queue hands it over."""

    body: bytes
    #: the broker delivered this very message before (its consumer failed or died)
    redelivered: bool = False
    #: how often `tools.replay` sent it back from the parking queue (0: never)
    replay: int = 0


@dataclass(frozen=True)
class Verdict:
    """What became of a delivery: `processed` and `duplicate` are acknowledged, `retried` is
    given back for another attempt, `parked` is set aside with its `reason`."""

    outcome: Outcome
    event_type: str = "unknown"
    reason: str = ""


class InboxLedger(Protocol):
    """What the dispatcher needs of the inbox (`shared.messaging.Inbox` on the database)."""

    async def begin(
        self, consumer: str, event: CloudEvent, *, redelivered: bool, replay: int = 0
    ) -> int | None: ...

    async def complete(self, consumer: str, event_id: str) -> None: ...

    async def parked(self, consumer: str, event_id: str) -> None: ...


class Dispatcher:
    """Hands the messages of one queue to the handlers of its `Subscriptions`, each event once,
    a failing handler at most `delivery_limit` times."""

    def __init__(
        self,
        subscriptions: Subscriptions,
        inbox: InboxLedger,
        *,
        delivery_limit: int = DELIVERY_LIMIT,
    ) -> None:
        self.subscriptions = subscriptions
        self.inbox = inbox
        self.delivery_limit = delivery_limit

    async def dispatch(self, delivery: Delivery) -> Verdict:
        started = time.perf_counter()
        try:
            event = CloudEvent.model_validate_json(delivery.body)
        except ValidationError as exc:
            return Verdict(
                "parked", reason=f"not a valid CloudEvents JSON document: {summary(exc)}"
            )
        # whatever this event causes carries its correlation id (and log lines its id)
        correlation_id_var.set(event.correlationid or event.id)
        event_id_var.set(event.id)
        registration = self.subscriptions.registration(event.type)
        if registration is None:
            return Verdict(
                "parked", event.type, f"unknown or unsupported event type {event.type!r}"
            )
        try:
            payload = registration.payload.model_validate(event.data)
        except ValidationError as exc:
            return Verdict(
                "parked", event.type, f"data does not match {event.type}: {summary(exc)}"
            )

        consumer = self.subscriptions.consumer_name
        attempt = await while_database_unavailable(
            lambda: self.inbox.begin(
                consumer, event, redelivered=delivery.redelivered, replay=delivery.replay
            )
        )
        if attempt is None:
            return Verdict("duplicate", event.type)
        if attempt > self.delivery_limit:
            # every earlier attempt ended without a verdict (the consumer stopped inside it)
            await while_database_unavailable(lambda: self.inbox.parked(consumer, event.id))
            return Verdict(
                "parked", event.type, f"not handled after {self.delivery_limit} attempts"
            )
        try:
            await while_database_unavailable(lambda: registration.handler(payload, event))
        except Exception as exc:
            if attempt >= self.delivery_limit:
                log.exception("giving up on %s after %d attempts", event.id, attempt)
                await while_database_unavailable(lambda: self.inbox.parked(consumer, event.id))
                return Verdict("parked", event.type, f"handler failed {attempt} times: {exc!r}")
            log.warning("handling %s failed (attempt %d): %r", event.id, attempt, exc)
            return Verdict("retried", event.type)
        finally:
            MESSAGE_DURATION.labels(self.subscriptions.queue_name).observe(
                time.perf_counter() - started
            )
        await while_database_unavailable(lambda: self.inbox.complete(consumer, event.id))
        return Verdict("processed", event.type)


def register_consumer(
    broker: RabbitBroker,
    subscriptions: Subscriptions,
    inbox: Inbox,
    *,
    prefetch_count: int,
    concurrency: int = 1,
    delivery_limit: int = DELIVERY_LIMIT,
) -> None:
    """Attach a FastStream subscriber that dispatches the queue's messages to the handlers,
    up to `concurrency` at the same time (FastStream hands them over one by one; each is handled
    in a task of its own, and the next is taken once a place is free). Handlers are idempotent
    and guarded by versions and unique keys, so two events about one entity may run at once."""
    binding = subscriptions.binding()
    queue_name = subscriptions.queue_name
    dispatcher = Dispatcher(subscriptions, inbox, delivery_limit=delivery_limit)

    async def settle(message: RabbitMessage, verdict: Verdict) -> None:
        if verdict.outcome == "parked":
            await park(
                broker,
                message.raw_message,
                service=subscriptions.service,
                queue=queue_name,
                reason=verdict.reason,
            )
        MESSAGES_CONSUMED.labels(queue_name, verdict.event_type, verdict.outcome).inc()
        if verdict.outcome == "retried":
            await message.nack(requeue=True)
        else:
            await message.ack()

    async def handle_one(message: RabbitMessage) -> None:
        raw: IncomingMessage = message.raw_message
        delivery = Delivery(raw.body, bool(raw.redelivered), _replay_number(raw))
        try:
            await settle(message, await dispatcher.dispatch(delivery))
        except Exception:
            # Only broker or inbox trouble can get here (parking failed): give the message back.
            log.exception("could not settle a message from %s; requeueing it", queue_name)
            await message.nack(requeue=True)

    places = asyncio.Semaphore(concurrency)
    running: set[asyncio.Task[None]] = set()

    async def in_place(message: RabbitMessage) -> None:
        try:
            await handle_one(message)
        except Exception:  # the channel closed under it (shutdown): the broker redelivers
            log.warning("a message from %s stays unsettled; the broker redelivers it", queue_name)
        finally:
            places.release()

    async def handle(message: RabbitMessage) -> None:
        if concurrency == 1:
            await handle_one(message)
            return
        await places.acquire()  # a full consumer takes the next message once one is settled
        task = asyncio.create_task(in_place(message), name=f"{queue_name}-message")
        running.add(task)
        task.add_done_callback(running.discard)

    broker.subscriber(
        binding.queue,
        binding.exchange,
        # the dispatcher reads the raw bytes itself: a body FastStream cannot decode (not
        # UTF-8, a content type it guesses wrong) must be parked, not left unacknowledged
        decoder=_undecoded,
        ack_policy=AckPolicy.MANUAL,
        channel=Channel(prefetch_count=prefetch_count),
        title=queue_name,
        description=f"Consumes {', '.join(subscriptions.routing_keys)}",
    )(handle)


def _replay_number(raw: IncomingMessage) -> int:
    value = (raw.headers or {}).get(REPLAY_HEADER, 0)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def _undecoded(message: StreamMessage[Any]) -> bytes:
    body: bytes = message.body
    return body


def summary(exc: ValidationError) -> str:
    """The first few validation errors in one line (a parking reason)."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "(root)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
