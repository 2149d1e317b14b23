"""A test's own view of the event stream: a temporary queue bound like an outside subscriber."""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

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
