"""Storage of deliveries: one document per email, its `_id` the unique key that keeps an email
from going out twice. Written whole through the `OutboxWriter` (version-guarded), with
`notifier.notification.*` events in the delivery's own write. Finished deliveries lose their
personal data after the retention period but stay, because their `_id` is the key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notifier.domain import DeliveryStatus
from services.notifier.records import (
    FINISHED_STATUSES,
    ClaimedDelivery,
    Delivery,
    DeliveryQuery,
    redacted,
)
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.mongo import (
    CollectionIndexes,
    Document,
    HotQuery,
    Search,
    ascending_indexes,
    entity_document,
    entity_fields,
    inserted,
)
from shared.outbox import ConcurrentUpdateError, OutboxWriter
from shared.pages import Paging

DELIVERIES = "deliveries"

DELIVERY_INDEXES = (
    CollectionIndexes(
        DELIVERIES,
        (
            # the sender's due lookup; the single-field index makes nx-27017 plan the status
            # equality as a plain comparison, so that the compound one serves it
            IndexModel([("status", ASCENDING), ("next_attempt_ms", ASCENDING)]),
            *ascending_indexes("status", "address"),
            IndexModel([("created_ms", DESCENDING)]),
            # the retention pass: not yet redacted, oldest first (it matches `redacted_ms`
            # with `$in`, so nx-27017's rule for plain equalities does not apply)
            IndexModel([("redacted_ms", ASCENDING), ("created_ms", ASCENDING)]),
        ),
    ),
)


def due_filter(at_ms: int) -> Document:
    """Deliveries waiting to be sent whose next attempt is due at `at_ms`."""
    return {"status": DeliveryStatus.PENDING.value, "next_attempt_ms": {"$lte": at_ms}}


def hot_queries() -> list[HotQuery]:
    return [
        HotQuery("sender: due deliveries", DELIVERIES, due_filter(0)),
        HotQuery("sender: delivery by id", DELIVERIES, {"_id": "x"}),
    ]


def delivery_document(delivery: Delivery) -> Document:
    doc = entity_document(delivery)
    doc["template"] = delivery.template.value
    doc["status"] = delivery.status.value
    doc["calendar"] = (
        None if delivery.calendar is None else delivery.calendar.model_dump(mode="json")
    )
    return doc


def delivery_from_document(doc: Document) -> Delivery:
    return Delivery(**entity_fields(doc, Delivery))


def delivery_filter(query: DeliveryQuery) -> Document:
    """The MongoDB filter of a page of the delivery log."""
    found: Document = {}
    if query.status is not None:
        found["status"] = query.status.value
    if query.address is not None:
        found["address"] = query.address
    if query.organisation_id is not None:
        found["organisation_id"] = query.organisation_id
    return found


#: The delivery log, newest first.
DELIVERY_SEARCH = Search(
    DELIVERIES,
    delivery_filter,
    [("created_ms", DESCENDING), ("_id", ASCENDING)],
    delivery_from_document,
)


@dataclass(frozen=True)
class StoredClaim(ClaimedDelivery):
    """A claim together with the document the claim wrote (its outbox included), which the
    outcome is written over."""

    document: Document = field(repr=False, compare=False)


class DeliveryStore:
    """Deliveries: planning, claiming for sending, outcomes, the log and its retention."""

    db: AsyncDatabase[Document]
    writer: OutboxWriter

    async def plan(self, delivery: Delivery) -> bool:
        """Insert a delivery; False when its key is taken (planned before: nothing to do)."""
        return await inserted(self.writer.insert(DELIVERIES, delivery_document(delivery)))

    async def plan_claimed(self, delivery: Delivery, owner: str) -> ClaimedDelivery | None:
        """Insert a delivery already claimed by the sender `owner` until its
        `lease_until_ms`, so that sender sends it without a lookup and a claim; None when its
        key is taken."""
        try:
            stored = await self.writer.insert(
                DELIVERIES, {**delivery_document(delivery), "lease_owner": owner}
            )
        except DuplicateKeyError:
            return None
        return StoredClaim(delivery, int(stored["version"]), stored)

    async def delivery(self, delivery_id: str) -> Delivery | None:
        doc = await self.db[DELIVERIES].find_one({"_id": delivery_id})
        return delivery_from_document(doc) if doc else None

    async def delivery_exists(self, delivery_id: str) -> bool:
        return await self.db[DELIVERIES].find_one({"_id": delivery_id}, {"_id": 1}) is not None

    async def list_deliveries(
        self, query: DeliveryQuery, paging: Paging
    ) -> tuple[list[Delivery], int]:
        return await DELIVERY_SEARCH.page(self.db, query, paging)

    # sending -----------------------------------------------------------------------------

    async def due_deliveries(self, at_ms: int, limit: int) -> list[str]:
        cursor = (
            self.db[DELIVERIES]
            .find(due_filter(at_ms), {"_id": 1})
            .sort("next_attempt_ms", ASCENDING)
            .limit(limit)
        )
        return [str(doc["_id"]) async for doc in cursor]

    async def claim_delivery(
        self, delivery_id: str, owner: str, at_ms: int, lease_ms: int
    ) -> ClaimedDelivery | None:
        """Take a due delivery for `lease_ms`; None when another sender holds it or it is done.
        Exactly one of several concurrent claimers wins (the filter and the write are one)."""
        doc = await self.db[DELIVERIES].find_one_and_update(
            {
                "_id": delivery_id,
                "status": DeliveryStatus.PENDING.value,
                "lease_until_ms": {"$lte": at_ms},
            },
            {
                "$set": {"lease_until_ms": at_ms + lease_ms, "lease_owner": owner},
                "$inc": {"version": 1},
            },
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            return None
        return StoredClaim(delivery_from_document(doc), int(doc["version"]), doc)

    async def record_delivery(
        self, claimed: ClaimedDelivery, delivery: Delivery, messages: Sequence[Payload]
    ) -> None:
        """Write the outcome over the claimed version, without reading it again: the claim
        returned the document as stored at that version, and the write is guarded by it
        (raises ConcurrentUpdateError if the lease was lost meanwhile)."""
        if not isinstance(claimed, StoredClaim):
            raise TypeError(f"delivery {claimed.delivery.id} was not claimed from this store")
        stored = claimed.document
        await self.writer.replace(
            DELIVERIES,
            {**stored, **delivery_document(delivery), "lease_owner": None},
            messages,
            correlation_id=delivery.correlation_id,
        )

    # retention ---------------------------------------------------------------------------

    async def redact_deliveries(self, before_ms: int, limit: int) -> int:
        """Redact up to `limit` finished deliveries created before `before_ms`, oldest first;
        returns how many. Each is rewritten whole, never deleted: its `_id` still stops a
        redelivered event from sending the email again. One written concurrently is left for
        the next pass."""
        cursor = (
            self.db[DELIVERIES]
            .find(
                {
                    # None too: documents written before `redacted_ms` existed lack the field
                    "redacted_ms": {"$in": [0, None]},
                    "created_ms": {"$lt": before_ms},
                    "status": {"$in": [status.value for status in FINISHED_STATUSES]},
                },
                {"_id": 1},
            )
            .sort("created_ms", ASCENDING)
            .limit(limit)
        )
        found = [str(doc["_id"]) async for doc in cursor]
        count = 0
        for delivery_id in found:
            if await self._redact(delivery_id, utc_now()):
                count += 1
        return count

    async def _redact(self, delivery_id: str, at: dt.datetime) -> bool:
        changed = False

        async def apply(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            nonlocal changed
            delivery = delivery_from_document(doc)
            changed = delivery.status in FINISHED_STATUSES and delivery.redacted_ms == 0
            if not changed:
                return None
            return {**doc, **delivery_document(redacted(delivery, at))}, []

        try:
            stored = await self.writer.update(DELIVERIES, delivery_id, apply)
        except ConcurrentUpdateError:
            return False  # busy: the next pass tries again
        return stored is not None and changed
