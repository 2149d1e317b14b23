"""The outbox relay: publishes what the `OutboxWriter` stored, lane by lane (ADR 0001, ADR 0006).

See `shared.outbox` for the fields it manages on every document of an outbox collection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from pymongo import ReplaceOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from shared.ids import new_id
from shared.metrics import (
    OUTBOX_OLDEST_AGE,
    OUTBOX_PENDING,
    OUTBOX_PUBLISH_ERRORS,
    OUTBOX_PUBLISHED,
)
from shared.mongo import PENDING_FILTER, Document
from shared.outbox import MAX_WRITE_ATTEMPTS, OutboxEntry, now_ms

log = logging.getLogger("integrationsnetz.outbox")


Publish = Callable[[OutboxEntry], Awaitable[None]]

#: At most this many new documents wait in a lane for their events to be published at once;
#: beyond that they are found by the lane's lookup like any other.
HANDED_MOST = 10_000
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
    #: The document as this lease last wrote it (what the release writes over first).
    doc: Document
    lost: bool = False


class OutboxRelay:
    """Publishes pending outbox entries of some collections, oldest first, with confirms.

    Each collection is a lane of its own (ADR 0006): a lane drains only its collection, so a
    burst of one kind of event (new listings) never holds up another (matches). A lane takes a
    batch of pending documents, claims each with a lease, publishes their entries with the
    confirms in flight together (one document's entries in order), and releases each document
    with one guarded write. Several relays (replicas) may run against one database: the lease
    makes sure two never publish the same entry at the same time. A crash after publishing and
    before removal publishes the entry again later (consumers dedupe).
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
        self._wake = {name: asyncio.Event() for name in self._collections}
        self._reconnected = {name: asyncio.Event() for name in self._collections}
        self._errors: dict[str, str] = {}
        #: Pending documents each lane saw at its last look (the gauge shows their sum).
        self._pending: dict[str, int] = {}
        #: New documents written already leased to this relay, per lane (`hand_over`).
        self._handed: dict[str, list[_Lease]] = {name: [] for name in self._collections}
        self._token = new_id()

    def lease_new(self, collection: str) -> tuple[str, int] | None:
        """A lease to write a new document of `collection` with: its events are then handed
        over (`hand_over`) and published at once, without a lookup and a claim. None when this
        relay does not serve the collection or has too many waiting already (the lookup finds
        the document then). Should this process die first, the lease runs out and any relay's
        lookup takes the document."""
        handed = self._handed.get(collection)
        if handed is None or len(handed) >= HANDED_MOST:
            return None
        return self._token, self._clock() + self._lease_ms

    def hand_over(self, collection: str, doc: Document) -> None:
        """A new document written with a lease of `lease_new`: publish its events next."""
        lease = _Lease(
            collection, str(doc["_id"]), self._token, int(doc["outbox_lease_until"]), doc
        )
        self._handed[collection].append(lease)
        self._wake[collection].set()

    @property
    def last_error(self) -> str | None:
        """The latest error of any lane, None once every lane publishes again."""
        return next(iter(self._errors.values()), None)

    def wake(self, collection: str | None = None) -> None:
        """Called right after a local write (to `collection`, or to any), so events leave
        within milliseconds."""
        for name, event in self._wake.items():
            if collection is None or name == collection:
                event.set()

    def broker_reconnected(self) -> None:
        """Called when the broker connection is back: ends every lane's back-off at once."""
        for name in self._collections:
            self._reconnected[name].set()
            self._wake[name].set()

    async def _back_off(self, lane: str, seconds: float) -> None:
        """Wait `seconds`, or less if the broker reconnects meanwhile."""
        reconnected = asyncio.ensure_future(self._reconnected[lane].wait())
        elapsed = asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait({reconnected, elapsed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            reconnected.cancel()
            elapsed.cancel()

    async def run(self) -> None:
        """Run every lane until cancelled."""
        async with asyncio.TaskGroup() as lanes:
            for name in self._collections:
                lanes.create_task(self._run_lane(name), name=f"{self._service}-outbox-{name}")

    async def _run_lane(self, lane: str) -> None:
        backoff = self._poll_seconds
        wake, reconnected = self._wake[lane], self._reconnected[lane]
        while True:
            wake.clear()
            # a reconnect during the attempt below still cuts its back-off short
            reconnected.clear()
            try:
                published = await self.drain_lane(lane)
                self._errors.pop(lane, None)
                backoff = self._poll_seconds
                if published:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database away: retry with backoff
                self._errors[lane] = repr(exc)
                OUTBOX_PUBLISH_ERRORS.labels(self._service).inc()
                log.warning("outbox relay (%s): %s; retrying in %.1fs", lane, exc, backoff)
                await self._back_off(lane, backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=self._poll_seconds)

    async def pending(self, lane: str | None = None) -> list[str]:
        """Ids of the documents with pending entries (of `lane`, or of every lane), each lane's
        oldest first, at most a batch per lane."""
        found: list[str] = []
        for name in self._collections if lane is None else (lane,):
            cursor = (
                self._db[name]
                .find(PENDING_FILTER, {"_id": 1})
                .sort("outbox_seq", 1)
                .limit(self._batch_size)
            )
            found += [str(doc["_id"]) async for doc in cursor]
        return found

    async def drain(self) -> int:
        """Publish what is pending now in every lane; returns how many entries were published."""
        published = 0
        for lane in self._collections:
            published += await self.drain_lane(lane)
        return published

    async def drain_lane(self, lane: str) -> int:
        """Publish what was handed over to `lane`, or else one batch of what is pending there;
        returns how many entries."""
        handed, self._handed[lane] = self._handed[lane], []
        if handed:
            return await self._publish_claims([(lease, _entries_of(lease.doc)) for lease in handed])
        candidates = await self.pending(lane)
        self._pending[lane] = len(candidates)
        OUTBOX_PENDING.labels(self._service).set(sum(self._pending.values()))
        claims = await self._claim(lane, candidates) if candidates else []
        return await self._publish_claims(claims)

    async def _publish_claims(self, claims: Sequence[tuple[_Lease, list[OutboxEntry]]]) -> int:
        """Publish the claimed documents' entries, confirms in flight together, and release
        each document; returns how many entries went out."""
        if not claims:
            return 0
        oldest = min((e.created_ms for _, entries in claims for e in entries), default=None)
        if oldest is not None:
            OUTBOX_OLDEST_AGE.labels(self._service).set(max(0.0, (self._clock() - oldest) / 1000))
        outcomes = await asyncio.gather(*(self._publish_entries(*claim) for claim in claims))
        await self._release_all(
            [
                (lease, published)
                for (lease, _), (published, _) in zip(claims, outcomes, strict=True)
            ]
        )
        errors = [error for _, error in outcomes if error is not None]
        if errors:
            raise errors[0]  # the lane backs off; what went out is already released
        return sum(len(published) for published, _ in outcomes)

    async def _claim(
        self, collection: str, doc_ids: Sequence[str]
    ) -> list[tuple[_Lease, list[OutboxEntry]]]:
        """Claim the documents that are still pending and free, in one round trip, and read them
        back in another; those another relay holds (or that were published meanwhile) are left
        out. Each claim is a single-document write, so of racing relays one wins each."""
        now = self._clock()
        token, until = new_id(), now + self._lease_ms
        await self._db[collection].bulk_write(
            [
                UpdateOne(
                    {"_id": doc_id, "outbox_pending": True, "outbox_lease_until": {"$lte": now}},
                    {
                        "$set": {"outbox_lease_until": until, "outbox_owner": token},
                        "$inc": {"version": 1},
                    },
                )
                for doc_id in doc_ids
            ],
            ordered=False,
        )
        claimed = {
            str(doc["_id"]): doc
            async for doc in self._db[collection].find(
                {"_id": {"$in": list(doc_ids)}, "outbox_owner": token}
            )
        }
        return [
            (
                _Lease(collection, doc_id, token, until, claimed[doc_id]),
                _entries_of(claimed[doc_id]),
            )
            for doc_id in doc_ids  # oldest first
            if doc_id in claimed
        ]

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
        lease.doc = renewed

    async def _publish_entries(
        self, lease: _Lease, entries: list[OutboxEntry]
    ) -> tuple[set[str], Exception | None]:
        """Publish one claimed document's entries in order: the ids of those published, and
        the error that stopped it, if any."""
        done: set[str] = set()
        try:
            for entry in entries:
                await self._keep(lease)
                await self._publish(entry)
                done.add(entry.id)
                OUTBOX_PUBLISHED.labels(self._service, entry.routing_key).inc()
        except LeaseLostError:
            # the new holder publishes the rest in order (and again what this one published)
            log.warning("outbox relay: lease on %s/%s taken over", lease.collection, lease.doc_id)
            lease.lost = True
        except Exception as exc:  # broker away: release what went out, then back off
            return done, exc
        return done, None

    async def _release_all(self, released: Sequence[tuple[_Lease, set[str]]]) -> None:
        """Release a batch in one round trip, each write guarded by the version the lease last
        wrote; the few written meanwhile (a use case added entries) are re-read one by one."""
        live = [(lease, done) for lease, done in released if not lease.lost]
        if not live:
            return
        collection = live[0][0].collection
        result = await self._db[collection].bulk_write(
            [
                ReplaceOne(
                    {
                        "_id": lease.doc_id,
                        "version": lease.doc["version"],
                        "outbox_owner": lease.token,
                    },
                    _without(lease.doc, done),
                )
                for lease, done in live
            ],
            ordered=False,
        )
        if result.matched_count == len(live):
            return
        holders = {
            str(doc["_id"]): doc.get("outbox_owner")
            async for doc in self._db[collection].find(
                {"_id": {"$in": [lease.doc_id for lease, _ in live]}}, {"_id": 1, "outbox_owner": 1}
            )
        }
        for lease, done in live:
            if holders.get(lease.doc_id) == lease.token:
                await self._release(lease, done)

    async def _release(self, lease: _Lease, done: set[str]) -> None:
        """Remove published entries and drop the lease, re-reading on concurrent writes; a
        lease that was taken over is left to its new holder."""
        collection, doc_id = lease.collection, lease.doc_id
        for _ in range(MAX_WRITE_ATTEMPTS):
            doc = await self._db[collection].find_one({"_id": doc_id})
            if doc is None or doc.get("outbox_owner") != lease.token:
                return
            result = await self._db[collection].replace_one(
                {"_id": doc_id, "version": doc["version"], "outbox_owner": lease.token},
                _without(doc, done),
            )
            if result.matched_count == 1:
                return
            await asyncio.sleep(0.005)
        log.error(
            "outbox relay: could not release %s/%s; the lease will expire", collection, doc_id
        )


def _entries_of(doc: Document) -> list[OutboxEntry]:
    return [OutboxEntry.from_document(raw) for raw in doc.get("outbox") or []]


def _without(doc: Document, done: set[str]) -> Document:
    """`doc` at its next version without the published entries and without a lease."""
    remaining = [raw for raw in doc.get("outbox") or [] if raw["id"] not in done]
    stored = {
        **doc,
        "version": int(doc["version"]) + 1,
        "outbox": remaining,
        "outbox_pending": bool(remaining),
        "outbox_seq": int(remaining[0]["seq"]) if remaining else 0,
        "outbox_lease_until": 0,
    }
    stored.pop("outbox_owner", None)
    return stored
