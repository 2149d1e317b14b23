"""A test's own view of the event stream: a temporary queue bound like an outside subscriber;
and publishing to the broker the way a service's outbox relay does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from types import TracebackType
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.contracts.base import (
    CLOUDEVENTS_CONTENT_TYPE,
    EVENTS_EXCHANGE,
    CloudEvent,
    Payload,
    envelope,
)
from shared.topology import (
    commands_exchange,
    dead_letter_exchange,
    events_exchange,
    unrouted_exchange,
)

_KNOWN_EXCHANGES = {
    e.name: e for e in (events_exchange, commands_exchange, unrouted_exchange, dead_letter_exchange)
}


class StreamTap:
    """Binds an exclusive queue to an exchange and collects what arrives."""

    def __init__(self, url: str, exchange: str, routing_keys: tuple[str, ...] = ("#",)) -> None:
        self.url = url
        self.exchange = exchange
        self.routing_keys = routing_keys
        self.messages: list[AbstractIncomingMessage] = []
        self._arrived = asyncio.Condition()
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def __aenter__(self) -> StreamTap:
        self._connection = await aio_pika.connect_robust(self.url)
        channel = await self._connection.channel()
        known = _KNOWN_EXCHANGES.get(self.exchange)
        if known is not None:  # declared the way the services declare it, so it exists now
            await channel.declare_exchange(
                known.name,
                type=known.type.value,
                durable=known.durable,
                arguments=known.arguments,
            )
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for key in self.routing_keys:
            await queue.bind(self.exchange, routing_key=key)
        await queue.consume(self._on_message, no_ack=True)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        async with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(m.body) for m in self.messages]

    def of_type(self, routing_key: str) -> list[dict[str, Any]]:
        return [
            b for b in self.bodies() if b["type"].startswith(f"integrationsnetz.{routing_key}.v")
        ]

    async def wait_for(
        self, routing_key: str, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        async def enough() -> None:
            async with self._arrived:
                await self._arrived.wait_for(lambda: len(self.of_type(routing_key)) >= count)

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            seen = [b["type"] for b in self.bodies()]
            raise AssertionError(
                f"expected {count} × {routing_key} within {timeout}s; saw {seen}"
            ) from None
        return self.of_type(routing_key)


def relayed_message(
    body: bytes, *, message_id: str, content_type: str | None = CLOUDEVENTS_CONTENT_TYPE
) -> aio_pika.Message:
    """A message as a service's outbox relay sends it: persistent, `message_id` = event id."""
    return aio_pika.Message(
        body,
        message_id=message_id,
        content_type=content_type,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def publish_raw(
    url: str,
    body: bytes,
    *,
    routing_key: str,
    message_id: str = "m-1",
    content_type: str = CLOUDEVENTS_CONTENT_TYPE,
) -> None:
    """Publish raw bytes to the public exchange, as a broker redelivery, a replay or a
    misbehaving publisher would."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        await exchange.publish(
            relayed_message(body, message_id=message_id, content_type=content_type),
            routing_key=routing_key,
        )


async def publish(url: str, messages: Sequence[CloudEvent | Payload]) -> list[CloudEvent]:
    """Publish CloudEvents (or payloads, wrapped in a new envelope) the way a service's outbox
    relay does: persistent, confirmed, `message_id` = CloudEvents id; email commands go to the
    commands exchange, everything else to the events exchange."""
    events = [m if isinstance(m, CloudEvent) else envelope(m) for m in messages]
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchanges = {}
        for known in (events_exchange, commands_exchange):
            exchanges[known.name] = await channel.declare_exchange(
                known.name, type=known.type.value, durable=True, arguments=known.arguments
            )
        for event in events:
            target = (
                commands_exchange.name
                if event.type.startswith("integrationsnetz.notifier.email")
                else events_exchange.name
            )
            await exchanges[target].publish(
                relayed_message(
                    event.model_dump_json(exclude_none=True).encode(), message_id=event.id
                ),
                routing_key=event.routing_key,
            )
    return events
