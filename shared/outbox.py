"""The transactional outbox, kept inside each entity's own document (ADR 0001).

A write stores the new state and the messages it causes in one single-document write. The relay
then publishes pending entries with publisher confirms and removes them. Fields it manages on
every document of an outbox collection:

- `version`            – optimistic-concurrency counter, bumped by every write and every claim
- `outbox`             – pending entries, oldest first
- `outbox_pending`     – indexed flag: does `outbox` hold anything
- `outbox_seq`         – sequence number of the oldest pending entry (orders the relay's work)
- `outbox_lease_until` – epoch ms until which one relay owns the entries
- `outbox_owner`       – the token of that relay's claim; only its holder renews or releases
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Protocol, TypeVar

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.context import current_correlation_id
from shared.contracts.base import CLOUDEVENTS_CONTENT_TYPE, CloudEvent, Payload, envelope
from shared.mongo import Document

log = logging.getLogger("integrationsnetz.outbox")

MAX_WRITE_ATTEMPTS = 20

Entity = TypeVar("Entity")


class ConcurrentUpdateError(Exception):
    """The document changed between read and write; reload and try again."""


@dataclass(frozen=True)
class OutboxEntry:
    """One message waiting to be published, as stored in the document."""

    id: str
    exchange: str
    routing_key: str
    body: str
    correlation_id: str | None
    seq: int
    created_ms: int

    @classmethod
    def from_document(cls, raw: Document) -> OutboxEntry:
        return cls(
            id=raw["id"],
            exchange=raw["exchange"],
            routing_key=raw["routing_key"],
            body=raw["body"],
            correlation_id=raw.get("correlation_id"),
            seq=int(raw["seq"]),
            created_ms=int(raw["created_ms"]),
        )

    def to_document(self) -> Document:
        return asdict(self)

    @property
    def content_type(self) -> str:
        return CLOUDEVENTS_CONTENT_TYPE


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def short_pause(_attempt: int) -> float:
    """The pause before writing again after a concurrent write, in seconds."""
    return 0.005


def spread_pause(attempt: int) -> float:
    """A pause spread at random and growing with the attempts, in seconds: for a document
    that many write at once (of hundreds of simultaneous writers each gets its turn)."""
    return random.uniform(0, 0.004 * min(attempt + 1, 10))  # noqa: S311


def with_outbox(doc: Document, entries: Sequence[Document] = (), *, version: int = 1) -> Document:
    """`doc` as the writer stores it at `version`, with `entries` added to its outbox (without
    any: as the document is once the relay has published everything)."""
    outbox = list(doc.get("outbox") or []) + list(entries)
    return {
        **doc,
        "version": version,
        "outbox": outbox,
        "outbox_pending": bool(outbox),
        "outbox_seq": int(outbox[0]["seq"]) if outbox else 0,
        "outbox_lease_until": int(doc.get("outbox_lease_until") or 0),
    }


class Handover(Protocol):
    """A relay that publishes a new document's events as soon as it is written, without
    looking the document up and claiming it (ADR 0011): the document is written already leased
    to it."""

    def lease_new(self, collection: str) -> tuple[str, int] | None:
        """(token, lease until in epoch ms) to write a new document with; None: leave it to
        the relay's lookup."""

    def hand_over(self, collection: str, doc: Document) -> None:
        """The document as written with that lease."""


class OutboxWriter:
    """Writes entity documents together with the messages they cause, atomically."""

    def __init__(
        self,
        db: AsyncDatabase[Document],
        on_written: Callable[[str], None] | None = None,
        handover: Handover | None = None,
    ) -> None:
        self._db = db
        self._on_written = on_written or (lambda _collection: None)
        self._handover = handover
        self._last_seq = 0

    def _next_seqs(self, count: int) -> int:
        """Reserve `count` sequence numbers; returns the first. Microseconds since the epoch,
        strictly increasing within the process: the relay publishes oldest first without a
        counter document to increment on every write (replicas' clocks agree closely enough
        for "oldest first"; the order within one document is its array's)."""
        first = max(self._last_seq + 1, time.time_ns() // 1000)
        self._last_seq = first + count - 1
        return first

    def _entries(self, payloads: Sequence[Payload], correlation_id: str | None) -> list[Document]:
        if not payloads:
            return []
        correlation_id = correlation_id or current_correlation_id()
        first = self._next_seqs(len(payloads))
        entries = []
        for offset, payload in enumerate(payloads):
            event: CloudEvent = envelope(payload, correlation_id=correlation_id)
            entries.append(
                OutboxEntry(
                    id=event.id,
                    exchange=payload.exchange(),
                    routing_key=payload.routing_key,
                    body=event.model_dump_json(exclude_none=True),
                    correlation_id=correlation_id,
                    seq=first + offset,
                    created_ms=now_ms(),
                ).to_document()
            )
        return entries

    async def insert(
        self,
        collection: str,
        doc: Document,
        messages: Sequence[Payload] = (),
        *,
        correlation_id: str | None = None,
    ) -> Document:
        """Insert a new document with its messages. Raises DuplicateKeyError on a taken key."""
        entries = self._entries(messages, correlation_id)
        stored = with_outbox({**doc, "outbox": []}, entries, version=1)
        lease = self._handover.lease_new(collection) if entries and self._handover else None
        if lease is not None:
            stored["outbox_owner"], stored["outbox_lease_until"] = lease
        await self._db[collection].insert_one(stored)
        if lease is not None and self._handover is not None:
            self._handover.hand_over(collection, stored)
        elif entries:
            self._on_written(collection)
        return stored

    async def replace(
        self,
        collection: str,
        doc: Document,
        messages: Sequence[Payload] = (),
        *,
        correlation_id: str | None = None,
    ) -> Document:
        """Replace a document loaded at `doc["version"]`, adding its messages to the outbox.

        Raises ConcurrentUpdateError when someone else wrote it in between.
        """
        version = int(doc["version"])
        entries = self._entries(messages, correlation_id)
        stored = with_outbox(doc, entries, version=version + 1)
        result = await self._db[collection].replace_one(
            {"_id": doc["_id"], "version": version}, stored
        )
        if result.matched_count != 1:
            raise ConcurrentUpdateError(
                f"{collection}/{doc['_id']} changed since version {version}"
            )
        if entries:
            self._on_written(collection)
        return stored

    async def write(
        self,
        collection: str,
        doc_id: str,
        change: Callable[[Document | None], Awaitable[tuple[Document, Sequence[Payload]] | None]],
        *,
        correlation_id: str | None = None,
        attempts: int = MAX_WRITE_ATTEMPTS,
        pause: Callable[[int], float] = short_pause,
    ) -> Document | None:
        """Load, change and write back a document, or insert it where there is none yet,
        retrying on concurrent writes (after `pause(attempt)` seconds, `attempts` times).

        `change` gets the current document (None when there is none) and returns the new one
        with its messages, or None to write nothing. Returns the stored document, or the
        current one (None when there is none) when `change` wrote nothing.
        """
        for attempt in range(attempts):
            current = await self._db[collection].find_one({"_id": doc_id})
            changed = await change(current)
            if changed is None:
                return current
            new_doc, messages = changed
            try:
                if current is None:
                    return await self.insert(
                        collection,
                        {**new_doc, "_id": doc_id},
                        messages,
                        correlation_id=correlation_id,
                    )
                return await self.replace(
                    collection,
                    {**new_doc, "version": current["version"]},
                    messages,
                    correlation_id=correlation_id,
                )
            except ConcurrentUpdateError:
                pass  # written by someone else since it was read
            except DuplicateKeyError:
                if current is not None:
                    raise  # another unique key of the document, not a concurrent insert
            await asyncio.sleep(pause(attempt))
        raise ConcurrentUpdateError(f"{collection}/{doc_id}: too many concurrent writes")

    async def update(
        self,
        collection: str,
        doc_id: str,
        change: Callable[[Document], Awaitable[tuple[Document, Sequence[Payload]] | None]],
        *,
        correlation_id: str | None = None,
    ) -> Document | None:
        """`write` of a document that exists: returns None, writing nothing, when it does not."""

        async def existing(doc: Document | None) -> tuple[Document, Sequence[Payload]] | None:
            return None if doc is None else await change(doc)

        return await self.write(collection, doc_id, existing, correlation_id=correlation_id)

    async def update_entity(
        self,
        collection: str,
        entity_id: str,
        change: Callable[[Entity], tuple[Entity, Sequence[Payload]] | None],
        *,
        read: Callable[[Document], Entity],
        write: Callable[[Entity], Document],
        correlation_id: str | None = None,
    ) -> Entity | None:
        """`update` in the entity's own terms: `read` makes the entity of its document and
        `write` the entity's fields, which replace the document's. Returns the stored entity,
        or None when it does not exist."""

        async def apply(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            changed = change(read(doc))
            if changed is None:
                return None
            entity, messages = changed
            return {**doc, **write(entity)}, messages

        stored = await self.update(collection, entity_id, apply, correlation_id=correlation_id)
        return read(stored) if stored is not None else None
