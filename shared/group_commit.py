"""Group commit: many small writes of the same kind that are due at the same time go to the
database as one command, and each caller still returns only once its own write is done.

While one batch is being written, the writes that come in wait and go together in the next
one; a caller alone writes at once. So nothing waits longer than one write, and under load
(a consumer handling several messages at a time) one command carries many. The inbox's
completions use it (`shared.messaging.Inbox.complete`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

WriteBatch = Callable[[Sequence[T]], Awaitable[None]]


class GroupCommit(Generic[T]):
    """Writes the items handed to `add` in batches of at most `most` with `write`."""

    def __init__(self, write: WriteBatch[T], *, most: int = 200) -> None:
        self._write = write
        self._most = most
        self._queued: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: T) -> None:
        """Write `item` with whatever else is due; returns once it is written (or raises what
        the write of its batch raised)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queued.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued())
        await asyncio.shield(done)

    async def _write_queued(self) -> None:
        while self._queued:
            batch, self._queued = self._queued[: self._most], self._queued[self._most :]
            try:
                await self._write([item for item, _ in batch])
            except Exception as exc:  # each caller of the batch gets the error
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
