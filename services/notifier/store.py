"""The notifier's storage: projections of organisations and calendar entries, subscriptions,
deliveries (one document per email, its `_id` the unique key), digest items and opt-outs.
Finished deliveries lose their personal data after the retention period but stay, because
their `_id` is what keeps an email from going out twice. Subscriptions never confirmed are
deleted once their link has expired; ended ones lose their address after the retention period
but stay, because deliveries and digest items name their id.

Deliveries and subscriptions are written whole through the `OutboxWriter` (version-guarded);
`notifier.notification.*` events ride in the delivery's own write. Projections keep the
publisher's newest revision (`shared.projection.apply_revision`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notifier.domain import (
    DeliveryStatus,
    DigestEntry,
    Item,
    Subscription,
    SubscriptionFilters,
    SubscriptionStatus,
    Template,
    Topic,
    Visibility,
)
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.mongo import CollectionIndexes, Document
from shared.outbox import ConcurrentUpdateError, OutboxWriter
from shared.projection import apply_revision

ORGANISATIONS = "organisations"
CALENDAR_ENTRIES = "calendar_entries"
SUBSCRIPTIONS = "subscriptions"
DELIVERIES = "deliveries"
DIGEST_ITEMS = "digest_items"
OPT_OUTS = "opt_outs"
#: Which subscription was told about which item at once: only those hear of its changes.
TOLD = "told"

OUTBOX_COLLECTIONS = (DELIVERIES,)

#: Deliveries whose outcome is written: the retention pass may redact them.
FINISHED_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)
#: What `recipient` says once the address is gone.
REDACTED_RECIPIENT = "redacted"
#: Digest items that have not gone out in a digest (`sent` ones are kept).
OPEN_DIGEST_ITEM_STATES = ("pending", "claimed")

INDEXES = (
    CollectionIndexes(
        DELIVERIES,
        (
            IndexModel([("status", ASCENDING), ("next_attempt_ms", ASCENDING)]),
            IndexModel([("address", ASCENDING)]),
            IndexModel([("created_ms", DESCENDING)]),
            # the retention pass: not yet redacted, oldest first (it matches `redacted_ms`
            # with `$in`, so nx-27017's rule for plain equalities does not apply)
            IndexModel([("redacted_ms", ASCENDING), ("created_ms", ASCENDING)]),
        ),
    ),
    CollectionIndexes(
        SUBSCRIPTIONS,
        (
            IndexModel([("email", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("cadence", ASCENDING)]),
        ),
    ),
    CollectionIndexes(DIGEST_ITEMS, (IndexModel([("subscription_id", ASCENDING)]),)),
    CollectionIndexes(TOLD, (IndexModel([("subscription_id", ASCENDING)]),)),
)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class OrganisationContact(BaseModel):
    """What the notifier keeps of an organisation (from `directory.organisation.*`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str | None
    preferred_language: str
    status: str
    revision: int


class Delivery(BaseModel):
    """One email to one recipient, from its planning to its outcome."""

    model_config = ConfigDict(frozen=True)

    id: str
    template: Template
    #: `org:<organisation id>` (address looked up when sending) or `email:<address>`.
    recipient: str
    #: Why this recipient gets it: `default` (own listings and events), `subscription`,
    #: or `transactional` (asked for once: invitations, confirmations).
    reason: str
    organisation_id: str | None = None
    subscription_id: str | None = None
    #: The address it went (or goes) to, once known; shown in the delivery log.
    address: str | None = None
    recipient_name: str | None = None
    language: str = "de"
    params: dict[str, Any] = Field(default_factory=dict)
    cause_event_id: str
    cause_type: str
    #: The correlation id of what caused it (the HTTP request at the start of the chain).
    correlation_id: str | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_ms: int = 0
    lease_until_ms: int = 0
    last_error: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None = None
    #: The moment of creation in epoch ms (orders the log; integers compare everywhere).
    created_ms: int = 0
    #: When the retention pass removed address, name, content and error text (else None).
    redacted_at: dt.datetime | None = None
    #: The same moment in epoch ms, 0 until then (what the retention pass queries).
    redacted_ms: int = 0


def redacted(delivery: Delivery, at: dt.datetime) -> Delivery:
    """The delivery without personal data: no address, name, content or error text (it may
    quote the address). Its key, cause, outcome and times stay for the log."""
    return delivery.model_copy(
        update={
            "recipient": REDACTED_RECIPIENT,
            "address": None,
            "recipient_name": None,
            "params": {},
            "last_error": None,
            "redacted_at": at,
            "redacted_ms": int(at.timestamp() * 1000),
        }
    )


def delivery_document(delivery: Delivery) -> Document:
    data = delivery.model_dump(mode="python")
    doc: Document = {"_id": data.pop("id"), **data}
    doc["template"] = delivery.template.value
    doc["status"] = delivery.status.value
    return doc


def delivery_from_document(doc: Document) -> Delivery:
    fields = {k: v for k, v in doc.items() if k in Delivery.model_fields}
    return Delivery(id=doc["_id"], **fields)


def subscription_document(subscription: Subscription) -> Document:
    """The fields of the `Subscription` model. The stored document also holds the retention
    bookkeeping (`subscription_written`), which the model does not carry."""
    data = subscription.model_dump(mode="json")
    doc: Document = {"_id": data.pop("id"), **data}
    doc["created_at"] = subscription.created_at
    return doc


def subscription_written(before: Document | None, after: Subscription, at_ms: int) -> Document:
    """The whole document to store for `after`, given what is stored (`before`; None for a new
    one), at `at_ms` epoch ms. It carries, beside the model's fields:

    - `ended_ms`: when the subscription ended, 0 while it has not. Stamped here, on the write
      that makes the status `ended` – whichever use case ends it (unsubscribe link, an editor
      or office staff) – and kept on later writes;
    - `redacted_ms` (0 until then) and `redacted_at`: when the retention pass removed the
      address (`redacted_subscription_document`); kept on later writes.

    Every field is always present (docs/storage.md): documents written before these fields
    existed get them on their next write.
    """
    previous = before or {}
    ended_ms = 0
    if after.status is SubscriptionStatus.ENDED:
        already = previous.get("status") == SubscriptionStatus.ENDED.value
        ended_ms = int(previous.get("ended_ms") or 0) if already else 0
        ended_ms = ended_ms or at_ms
    return {
        **previous,
        **subscription_document(after),
        "ended_ms": ended_ms,
        "redacted_ms": int(previous.get("redacted_ms") or 0),
        "redacted_at": previous.get("redacted_at"),
    }


def redacted_subscription_document(doc: Document, at: dt.datetime) -> Document:
    """An ended subscription without personal data: no address. Its id (deliveries and digest
    items name it), organisation, topics, filters, cadence, status and times stay; `recipient`
    is undefined for it from now on (it is never used for an ended subscription)."""
    subscription = subscription_from_document(doc)
    stripped = subscription.model_copy(update={"email": None})
    at_ms = int(at.timestamp() * 1000)
    return {**subscription_written(doc, stripped, at_ms), "redacted_at": at, "redacted_ms": at_ms}


def subscription_from_document(doc: Document) -> Subscription:
    fields = {k: v for k, v in doc.items() if k in Subscription.model_fields}
    fields["filters"] = SubscriptionFilters.model_validate(fields.get("filters") or {})
    return Subscription(id=doc["_id"], **fields)


class NotifierStore:
    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer

    # projections -------------------------------------------------------------------------

    async def upsert_projection(
        self, collection: str, entity_id: str, values: Document, *, guard: str
    ) -> bool:
        """Store `values` unless a newer or equal `guard` (revision, sequence) is there."""
        return await apply_revision(
            self.db[collection], entity_id, int(values[guard]), values, guard=guard
        )

    async def organisation(self, organisation_id: str) -> OrganisationContact | None:
        doc = await self.db[ORGANISATIONS].find_one({"_id": organisation_id})
        if doc is None:
            return None
        return OrganisationContact(
            id=doc["_id"],
            name=doc["name"],
            email=doc.get("email"),
            preferred_language=doc.get("preferred_language") or "de",
            status=doc.get("status") or "active",
            revision=int(doc.get("revision") or 0),
        )

    async def calendar_title(self, event_id: str) -> str | None:
        doc = await self.db[CALENDAR_ENTRIES].find_one({"_id": event_id}, {"title": 1})
        return str(doc["title"]) if doc else None

    async def calendar_visibility(self, event_id: str) -> Visibility | None:
        """The entry's visibility as last heard; None if unknown here (or stored before the
        projection kept it)."""
        doc = await self.db[CALENDAR_ENTRIES].find_one({"_id": event_id}, {"visibility": 1})
        value = doc.get("visibility") if doc else None
        return Visibility(value) if value in set(Visibility) else None

    async def as_now(self, item: Item) -> Item:
        """The item with the visibility its calendar entry has now (it may have changed since
        the item was stored)."""
        if item.topic is not Topic.EVENTS:
            return item
        visibility = await self.calendar_visibility(item.entity_id)
        if visibility is None or visibility is item.visibility:
            return item
        return item.model_copy(update={"visibility": visibility})

    # what a subscription was told about --------------------------------------------------

    @staticmethod
    def told_id(subscription_id: str, entity_id: str) -> str:
        return f"{subscription_id}:{entity_id}"

    async def remember_told(self, subscription_id: str, entity_id: str) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await self.db[TOLD].insert_one(
                {
                    "_id": self.told_id(subscription_id, entity_id),
                    "subscription_id": subscription_id,
                }
            )

    async def was_told(self, subscription_id: str, entity_id: str) -> bool:
        found = await self.db[TOLD].find_one({"_id": self.told_id(subscription_id, entity_id)})
        return found is not None

    async def forget_told(self, subscription_id: str) -> int:
        """Forget what a subscription that is gone or over was told about; returns how much.
        Found by the indexed field, deleted by `_id` (docs/storage.md)."""
        cursor = self.db[TOLD].find({"subscription_id": subscription_id}, {"_id": 1})
        told = [doc["_id"] async for doc in cursor]
        if not told:
            return 0
        result = await self.db[TOLD].delete_many({"_id": {"$in": told}})
        return result.deleted_count

    # opt-outs of default notices ---------------------------------------------------------

    async def add_opt_out(self, opt_out_id: str, at: dt.datetime) -> None:
        # unsubscribed already: one click twice is still one opt-out
        with contextlib.suppress(DuplicateKeyError):
            await self.db[OPT_OUTS].insert_one({"_id": opt_out_id, "created_at": at})

    async def opted_out(self, opt_out_id: str) -> bool:
        return await self.db[OPT_OUTS].find_one({"_id": opt_out_id}, {"_id": 1}) is not None

    async def opted_out_at(self, opt_out_id: str) -> dt.datetime | None:
        """When the notice was switched off, or None while it is on."""
        doc = await self.db[OPT_OUTS].find_one({"_id": opt_out_id})
        return doc.get("created_at") if doc else None

    async def remove_opt_out(self, opt_out_id: str) -> None:
        await self.db[OPT_OUTS].delete_one({"_id": opt_out_id})

    # subscriptions -----------------------------------------------------------------------

    async def add_subscription(self, subscription: Subscription) -> None:
        await self.writer.insert(SUBSCRIPTIONS, subscription_written(None, subscription, now_ms()))

    async def subscription(self, subscription_id: str) -> Subscription | None:
        doc = await self.db[SUBSCRIPTIONS].find_one({"_id": subscription_id})
        return subscription_from_document(doc) if doc else None

    async def change_subscription(
        self, subscription_id: str, change: Callable[[Subscription], Subscription | None]
    ) -> Subscription | None:
        """Load, change and write back a subscription (retried on concurrent writes)."""

        async def apply(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            changed = change(subscription_from_document(doc))
            if changed is None:
                return None
            return subscription_written(doc, changed, now_ms()), []

        stored = await self.writer.update(SUBSCRIPTIONS, subscription_id, apply)
        return subscription_from_document(stored) if stored else None

    async def subscriptions_following(self, topic: str) -> list[Subscription]:
        # `$in`, not equality: nx-27017 finds nothing by equality on an indexed list field
        cursor = self.db[SUBSCRIPTIONS].find({"topics": {"$in": [topic]}, "status": "active"})
        return [subscription_from_document(doc) async for doc in cursor]

    async def digest_subscriptions(self, cadence: str) -> list[Subscription]:
        cursor = self.db[SUBSCRIPTIONS].find({"cadence": cadence, "status": "active"})
        return [subscription_from_document(doc) async for doc in cursor]

    async def pending_subscriptions_of(self, email: str) -> int:
        return await self.db[SUBSCRIPTIONS].count_documents(
            {"email": email, "status": SubscriptionStatus.PENDING.value}
        )

    async def list_subscriptions(
        self, filters: Document, *, limit: int, offset: int
    ) -> tuple[list[Subscription], int]:
        collection = self.db[SUBSCRIPTIONS]
        cursor = collection.find(filters).sort("_id", ASCENDING).skip(offset).limit(limit)
        items = [subscription_from_document(doc) async for doc in cursor]
        return items, await collection.count_documents(filters)

    # retention of subscriptions ----------------------------------------------------------

    async def unconfirmed_subscriptions(
        self, created_before: dt.datetime, limit: int
    ) -> list[Subscription]:
        """Pending (never confirmed) subscriptions created before `created_before`, oldest
        first: candidates for deletion once their confirmation link has expired."""
        cursor = (
            self.db[SUBSCRIPTIONS]
            .find(
                {
                    "status": SubscriptionStatus.PENDING.value,
                    # whole seconds: sub-second datetime comparisons are not portable
                    "created_at": {"$lt": created_before.replace(microsecond=0)},
                }
            )
            .sort("created_at", ASCENDING)
            .limit(limit)
        )
        return [subscription_from_document(doc) async for doc in cursor]

    async def delete_unconfirmed_subscription(self, subscription_id: str) -> bool:
        """Delete a subscription if it is still pending; False if it is gone or was confirmed
        or ended meanwhile (the delete is guarded by the version read, like a write)."""
        doc = await self.db[SUBSCRIPTIONS].find_one({"_id": subscription_id})
        if doc is None or doc.get("status") != SubscriptionStatus.PENDING.value:
            return False
        result = await self.db[SUBSCRIPTIONS].delete_one(
            {"_id": subscription_id, "version": doc["version"]}
        )
        return result.deleted_count == 1

    async def date_legacy_endings(self, at_ms: int, limit: int) -> int:
        """Give ended subscriptions written before `ended_ms` existed the moment `at_ms` as
        their end (when they really ended is not known; counting from now keeps the address
        for the whole retention period). Returns how many."""
        cursor = (
            self.db[SUBSCRIPTIONS]
            .find(
                # `$in` with None: the null-or-missing query that nx-27017 answers right
                {"status": SubscriptionStatus.ENDED.value, "ended_ms": {"$in": [None]}},
                {"_id": 1},
            )
            .limit(limit)
        )
        found = [str(doc["_id"]) async for doc in cursor]
        count = 0
        for subscription_id in found:
            if await self._date_ending(subscription_id, at_ms):
                count += 1
        return count

    async def _date_ending(self, subscription_id: str, at_ms: int) -> bool:
        stamped = False

        async def stamp(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            nonlocal stamped
            ended = doc.get("status") == SubscriptionStatus.ENDED.value
            stamped = ended and not doc.get("ended_ms")
            if not stamped:
                return None
            return subscription_written(doc, subscription_from_document(doc), at_ms), []

        try:
            stored = await self.writer.update(SUBSCRIPTIONS, subscription_id, stamp)
        except ConcurrentUpdateError:
            return False  # busy: the next pass
        return stored is not None and stamped

    async def ended_subscriptions(self, ended_before_ms: int, limit: int) -> list[str]:
        """Ids of subscriptions that ended before `ended_before_ms` and still hold their
        address (not redacted yet), the longest ended first."""
        cursor = (
            self.db[SUBSCRIPTIONS]
            .find(
                {
                    "status": SubscriptionStatus.ENDED.value,
                    "ended_ms": {"$gt": 0, "$lt": ended_before_ms},
                    # None too: documents written before `redacted_ms` existed lack the field
                    "redacted_ms": {"$in": [0, None]},
                },
                {"_id": 1},
            )
            .sort("ended_ms", ASCENDING)
            .limit(limit)
        )
        return [str(doc["_id"]) async for doc in cursor]

    async def redact_subscription(self, subscription_id: str, at: dt.datetime) -> bool:
        """Remove the address of an ended subscription, version-guarded; False if it is not
        ended, already redacted, gone, or was written concurrently (the next pass tries again).
        A subscription of an organisation holds no address; it is marked all the same."""
        changed = False

        async def apply(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            nonlocal changed
            changed = doc.get("status") == SubscriptionStatus.ENDED.value and not doc.get(
                "redacted_ms"
            )
            if not changed:
                return None
            return redacted_subscription_document(doc, at), []

        try:
            stored = await self.writer.update(SUBSCRIPTIONS, subscription_id, apply)
        except ConcurrentUpdateError:
            return False
        return stored is not None and changed

    # deliveries --------------------------------------------------------------------------

    async def plan(self, delivery: Delivery) -> bool:
        """Insert a delivery; False when its key is taken (planned before: nothing to do)."""
        try:
            await self.writer.insert(DELIVERIES, delivery_document(delivery))
        except DuplicateKeyError:
            return False
        return True

    async def due_deliveries(self, at_ms: int, limit: int) -> list[str]:
        cursor = (
            self.db[DELIVERIES]
            .find(
                {"status": DeliveryStatus.PENDING.value, "next_attempt_ms": {"$lte": at_ms}},
                {"_id": 1},
            )
            .sort("next_attempt_ms", ASCENDING)
            .limit(limit)
        )
        return [str(doc["_id"]) async for doc in cursor]

    async def claim_delivery(
        self, delivery_id: str, owner: str, at_ms: int, lease_ms: int
    ) -> Document | None:
        """Take a due delivery for `lease_ms`; None when another sender holds it or it is done.
        Exactly one of several concurrent claimers wins (the filter and the write are one)."""
        return await self.db[DELIVERIES].find_one_and_update(
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

    async def record_delivery(
        self, claimed: Document, delivery: Delivery, messages: Sequence[Payload]
    ) -> None:
        """Write the outcome over the claimed version (raises ConcurrentUpdateError if the
        lease was lost meanwhile)."""
        await self.writer.replace(
            DELIVERIES,
            {**claimed, **delivery_document(delivery), "lease_owner": None},
            messages,
            correlation_id=delivery.correlation_id,
        )

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

    async def delivery(self, delivery_id: str) -> Delivery | None:
        doc = await self.db[DELIVERIES].find_one({"_id": delivery_id})
        return delivery_from_document(doc) if doc else None

    async def list_deliveries(
        self, filters: Document, *, limit: int, offset: int
    ) -> tuple[list[Delivery], int]:
        collection = self.db[DELIVERIES]
        cursor = (
            collection.find(filters)
            .sort([("created_ms", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        items = [delivery_from_document(doc) async for doc in cursor]
        return items, await collection.count_documents(filters)

    # digest items ------------------------------------------------------------------------

    @staticmethod
    def digest_item_id(subscription_id: str, entity_id: str) -> str:
        return f"{subscription_id}:{entity_id}"

    async def add_digest_item(self, subscription_id: str, item: Item, at_ms: int) -> bool:
        """Keep an item for the subscription's next digest; False if it is there already."""
        try:
            await self.db[DIGEST_ITEMS].insert_one(
                {
                    "_id": self.digest_item_id(subscription_id, item.entity_id),
                    "subscription_id": subscription_id,
                    "item": item.model_dump(mode="json"),
                    "added_ms": at_ms,
                    "state": "pending",
                    "digest_id": None,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def refresh_digest_item(self, subscription_id: str, item: Item) -> None:
        """Show the latest facts (a moved event) if the item still waits for a digest."""
        await self.db[DIGEST_ITEMS].update_one(
            {"_id": self.digest_item_id(subscription_id, item.entity_id), "state": "pending"},
            {"$set": {"item": item.model_dump(mode="json")}},
        )

    async def drop_digest_item(self, subscription_id: str, entity_id: str) -> None:
        """Forget an item that has not gone out yet (a cancelled event)."""
        await self.db[DIGEST_ITEMS].delete_one(
            {"_id": self.digest_item_id(subscription_id, entity_id), "state": "pending"}
        )

    async def drop_open_digest_items(self, subscription_id: str) -> int:
        """Forget the items of a subscription that have not gone out (pending, or claimed by a
        digest pass that never planned its email): it will have no digest any more. Returns
        how many. Deleted one by one by `_id`, guarded by their state."""
        count = 0
        for doc in await self.open_digest_items(subscription_id):
            state = doc.get("state")
            if state not in OPEN_DIGEST_ITEM_STATES:
                continue
            result = await self.db[DIGEST_ITEMS].delete_one({"_id": doc["_id"], "state": state})
            count += result.deleted_count
        return count

    async def open_digest_items(self, subscription_id: str) -> list[Document]:
        """Items not yet in a sent digest: pending ones, and ones claimed by a digest pass."""
        cursor = self.db[DIGEST_ITEMS].find({"subscription_id": subscription_id})
        return [doc async for doc in cursor if doc.get("state") != "sent"]

    async def claim_digest_item(self, item_id: str, digest: str, *, state: str) -> None:
        """Give an item (still in `state`) to a digest; one of two racing passes wins."""
        await self.db[DIGEST_ITEMS].update_one(
            {"_id": item_id, "state": state},
            {"$set": {"state": "claimed", "digest_id": digest}},
        )

    async def claimed_digest_entries(self, digest: str, subscription_id: str) -> list[DigestEntry]:
        cursor = self.db[DIGEST_ITEMS].find(
            {"subscription_id": subscription_id, "digest_id": digest}
        )
        return [
            DigestEntry(
                subscription_id=doc["subscription_id"],
                item=Item.model_validate(doc["item"]),
                added_ms=int(doc["added_ms"]),
            )
            async for doc in cursor
            if doc.get("state") in ("claimed", "sent")
        ]

    async def mark_digest_items_sent(self, digest: str, item_ids: Sequence[str]) -> None:
        for item_id in item_ids:
            await self.db[DIGEST_ITEMS].update_one(
                {"_id": item_id, "digest_id": digest}, {"$set": {"state": "sent"}}
            )

    async def delivery_exists(self, delivery_id: str) -> bool:
        return await self.db[DELIVERIES].find_one({"_id": delivery_id}, {"_id": 1}) is not None
