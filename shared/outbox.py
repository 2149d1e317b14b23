"""The transactional outbox, kept inside each entity's own document (ADR 0001).

A write stores the new state and the messages it causes in one single-document write. The relay
then publishes pending entries with publisher confirms and removes them. Fields it manages on
every document of an outbox collection:

- `version`            – optimistic-concurrency counter, bumped by every write and every claim
- `outbox`             – pending entries, oldest first
- `outbox_pending`     – indexed flag: does `outbox` hold anything
- `outbox_seq`         – counter value of the oldest pending entry (orders the relay's work)
- `outbox_lease_until` – epoch ms until which one relay owns the entries
- `outbox_owner`       – the token of that relay's claim; only its holder renews or releases
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from shared.context import current_correlation_id
from shared.contracts.base import CLOUDEVENTS_CONTENT_TYPE, CloudEvent, Payload, envelope
from shared.ids import new_id
from shared.metrics import (
    OUTBOX_OLDEST_AGE,
    OUTBOX_PENDING,
    OUTBOX_PUBLISH_ERRORS,
    OUTBOX_PUBLISHED,
)
from shared.mongo import Document

log = logging.getLogger("integrationsnetz.outbox")

COUNTERS = "outbox_counters"
MAX_WRITE_ATTEMPTS = 20


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


class OutboxWriter:
    """Writes entity documents together with the messages they cause, atomically."""

    def __init__(
        self, db: AsyncDatabase[Document], on_written: Callable[[], None] | None = None
    ) -> None:
        self._db = db
        self._on_written = on_written or (lambda: None)

    async def _next_seqs(self, count: int) -> int:
        """Reserve `count` counter values; returns the first."""
        doc = await self._db[COUNTERS].find_one_and_update(
            {"_id": "outbox"},
            {"$inc": {"n": count}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None
        return int(doc["n"]) - count + 1

    async def _entries(
        self, payloads: Sequence[Payload], correlation_id: str | None
    ) -> list[Document]:
        if not payloads:
            return []
        correlation_id = correlation_id or current_correlation_id()
        first = await self._next_seqs(len(payloads))
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
        entries = await self._entries(messages, correlation_id)
        stored = with_outbox({**doc, "outbox": []}, entries, version=1)
        await self._db[collection].insert_one(stored)
        if entries:
            self._on_written()
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
        entries = await self._entries(messages, correlation_id)
        stored = with_outbox(doc, entries, version=version + 1)
        result = await self._db[collection].replace_one(
            {"_id": doc["_id"], "version": version}, stored
        )
        if result.matched_count != 1:
            raise ConcurrentUpdateError(
                f"{collection}/{doc['_id']} changed since version {version}"
            )
        if entries:
            self._on_written()
        return stored

    async def update(
        self,
        collection: str,
        doc_id: str,
        change: Callable[[Document], Awaitable[tuple[Document, Sequence[Payload]] | None]],
        *,
        correlation_id: str | None = None,
    ) -> Document | None:
        """Load, change and write back a document, retrying on concurrent writes.

        `change` gets the current document and returns the new one with its messages, or None
        to write nothing. Returns the stored document, or None when it does not exist.
        """
        for _ in range(MAX_WRITE_ATTEMPTS):
            current = await self._db[collection].find_one({"_id": doc_id})
            if current is None:
                return None
            changed = await change(current)
            if changed is None:
                return current
            new_doc, messages = changed
            try:
                return await self.replace(
                    collection,
                    {**new_doc, "version": current["version"]},
                    messages,
                    correlation_id=correlation_id,
                )
            except ConcurrentUpdateError:
                await asyncio.sleep(0.005)
        raise ConcurrentUpdateError(f"{collection}/{doc_id}: too many concurrent writes")


Publish = Callable[[OutboxEntry], Awaitable[None]]
Clock = Callable[[], int]
Sleep = Callable[[float], Awaitable[None]]


class LeaseLostError(Exception):
    """Another relay claimed the document after this relay's lease ran out."""


@dataclass
class _Lease:
    collection: str
    doc_id: str
    token: str
    until_ms: int


class OutboxRelay:
    """Publishes pending outbox entries of some collections, in counter order, with confirms.

    Several relays (replicas) may run against one database: each entry's document is claimed
    with a lease first, so two relays never publish the same entry at the same time. A crash
    after publishing and before removal publishes the entry again later (consumers dedupe).
    """

    def __init__(
        self,
        db: AsyncDatabase[Document],
        collections: Sequence[str],
        publish: Publish,
        *,
        service: str,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        batch_size: int = 100,
        clock: Clock = now_ms,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._db = db
        self._collections = tuple(collections)
        self._publish = publish
        self._service = service
        self._lease_ms = int(lease_seconds * 1000)
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._clock = clock
        self._sleep = sleep
        self._wake = asyncio.Event()
        self._reconnected = asyncio.Event()
        self.last_error: str | None = None

    def wake(self) -> None:
        """Called right after a local write, so events leave within milliseconds."""
        self._wake.set()

    def broker_reconnected(self) -> None:
        """Called when the broker connection is back: ends a back-off wait at once."""
        self._reconnected.set()
        self._wake.set()

    async def _back_off(self, seconds: float) -> None:
        """Wait `seconds`, or less if the broker reconnects meanwhile."""
        reconnected = asyncio.ensure_future(self._reconnected.wait())
        elapsed = asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait({reconnected, elapsed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            reconnected.cancel()
            elapsed.cancel()

    async def run(self) -> None:
        backoff = self._poll_seconds
        while True:
            self._wake.clear()
            # a reconnect during the attempt below still cuts its back-off short
            self._reconnected.clear()
            try:
                published = await self.drain()
                self.last_error = None
                backoff = self._poll_seconds
                if published:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: retry with backoff
                self.last_error = repr(exc)
                OUTBOX_PUBLISH_ERRORS.labels(self._service).inc()
                log.warning("outbox relay: %s; retrying in %.1fs", exc, backoff)
                await self._back_off(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)

    async def pending(self) -> list[tuple[int, str, str]]:
        """(seq, collection, id) of documents with pending entries, oldest first."""
        found: list[tuple[int, str, str]] = []
        for name in self._collections:
            cursor = (
                self._db[name]
                .find({"outbox_pending": True}, {"_id": 1, "outbox_seq": 1})
                .sort("outbox_seq", 1)
                .limit(self._batch_size)
            )
            async for doc in cursor:
                found.append((int(doc.get("outbox_seq") or 0), name, str(doc["_id"])))
        found.sort()
        return found[: self._batch_size]

    async def drain(self) -> int:
        """Publish what is pending now; returns how many entries were published."""
        published = 0
        candidates = await self.pending()
        OUTBOX_PENDING.labels(self._service).set(len(candidates))
        for _, collection, doc_id in candidates:
            published += await self._publish_document(collection, doc_id)
        return published

    async def _claim(self, collection: str, doc_id: str) -> tuple[Document, _Lease] | None:
        now = self._clock()
        lease = _Lease(collection, doc_id, new_id(), now + self._lease_ms)
        claimed = await self._db[collection].find_one_and_update(
            {"_id": doc_id, "outbox_pending": True, "outbox_lease_until": {"$lte": now}},
            {
                "$set": {"outbox_lease_until": lease.until_ms, "outbox_owner": lease.token},
                "$inc": {"version": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
        return None if claimed is None else (claimed, lease)

    async def _keep(self, lease: _Lease) -> None:
        """Renew the lease once half of it is used; raise LeaseLostError if it was taken."""
        now = self._clock()
        if now < lease.until_ms - self._lease_ms // 2:
            return
        until = now + self._lease_ms
        renewed = await self._db[lease.collection].find_one_and_update(
            {"_id": lease.doc_id, "outbox_owner": lease.token},
            {"$set": {"outbox_lease_until": until}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if renewed is None:
            raise LeaseLostError(f"{lease.collection}/{lease.doc_id}")
        lease.until_ms = until

    async def _publish_document(self, collection: str, doc_id: str) -> int:
        claim = await self._claim(collection, doc_id)
        if claim is None:
            return 0  # another relay holds it, or it was published meanwhile
        claimed, lease = claim
        entries = [OutboxEntry.from_document(raw) for raw in claimed.get("outbox") or []]
        if entries:
            age = max(0.0, (self._clock() - min(e.created_ms for e in entries)) / 1000)
            OUTBOX_OLDEST_AGE.labels(self._service).set(age)
        done: set[str] = set()
        try:
            for entry in entries:
                await self._keep(lease)
                await self._publish(entry)
                done.add(entry.id)
                OUTBOX_PUBLISHED.labels(self._service, entry.routing_key).inc()
        except LeaseLostError:
            # the new holder publishes the rest in order (and again what this one published)
            log.warning("outbox relay: lease on %s/%s taken over; leaving it", collection, doc_id)
            return len(done)
        finally:
            await self._release(lease, done)
        return len(done)

    async def _release(self, lease: _Lease, done: set[str]) -> None:
        """Remove published entries and drop the lease, re-reading on concurrent writes; a
        lease that was taken over is left to its new holder."""
        collection, doc_id = lease.collection, lease.doc_id
        for _ in range(MAX_WRITE_ATTEMPTS):
            doc = await self._db[collection].find_one({"_id": doc_id})
            if doc is None or doc.get("outbox_owner") != lease.token:
                return
            remaining = [raw for raw in doc.get("outbox") or [] if raw["id"] not in done]
            version = int(doc["version"])
            stored = {
                **doc,
                "version": version + 1,
                "outbox": remaining,
                "outbox_pending": bool(remaining),
                "outbox_seq": int(remaining[0]["seq"]) if remaining else 0,
                "outbox_lease_until": 0,
            }
            stored.pop("outbox_owner", None)
            result = await self._db[collection].replace_one(
                {"_id": doc_id, "version": version, "outbox_owner": lease.token}, stored
            )
            if result.matched_count == 1:
                return
            await asyncio.sleep(0.005)
        log.error(
            "outbox relay: could not release %s/%s; the lease will expire", collection, doc_id
        )


async def outbox_backlog(db: AsyncDatabase[Document], collections: Sequence[str]) -> int:
    """Documents with pending entries (for /metrics and /readyz)."""
    total = 0
    for name in collections:
        total += len(await db[name].find({"outbox_pending": True}, {"_id": 1}).to_list(10_000))
    return total
