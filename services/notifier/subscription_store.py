"""Storage of subscriptions. They are written whole through the `OutboxWriter`
(version-guarded). Subscriptions never confirmed are deleted once their link has expired;
ended ones lose their address after the retention period but stay, because deliveries and
digest items name their id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.domain import Subscription, SubscriptionFilters, SubscriptionStatus
from services.notifier.records import SubscriptionQuery, epoch_ms, now_ms
from shared.contracts.base import Payload
from shared.mongo import (
    CollectionIndexes,
    Document,
    Search,
    ascending_indexes,
    entity_document,
    entity_fields,
)
from shared.outbox import ConcurrentUpdateError, OutboxWriter
from shared.pages import Paging

SUBSCRIPTIONS = "subscriptions"

SUBSCRIPTION_INDEXES = (
    CollectionIndexes(SUBSCRIPTIONS, ascending_indexes("email", "organisation_id", "cadence")),
)

Change = Callable[[Document], tuple[Document, Sequence[Payload]] | None]


def subscription_document(subscription: Subscription) -> Document:
    """The fields of the `Subscription` model. The stored document also holds the retention
    bookkeeping (`subscription_written`), which the model does not carry."""
    doc = entity_document(subscription, mode="json")
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
    at_ms = epoch_ms(at)
    return {**subscription_written(doc, stripped, at_ms), "redacted_at": at, "redacted_ms": at_ms}


def subscription_from_document(doc: Document) -> Subscription:
    fields = entity_fields(doc, Subscription)
    fields["filters"] = SubscriptionFilters.model_validate(fields.get("filters") or {})
    return Subscription(**fields)


def subscription_filter(query: SubscriptionQuery) -> Document:
    """The MongoDB filter of a list of subscriptions."""
    found: Document = {}
    if query.organisation_id is not None:
        found["organisation_id"] = query.organisation_id
    elif query.within_organisations is not None:
        found["organisation_id"] = {"$in": sorted(query.within_organisations)}
    if query.email is not None:
        found["email"] = query.email
    if query.status is not None:
        found["status"] = query.status.value
    return found


SUBSCRIPTION_SEARCH = Search(
    SUBSCRIPTIONS, subscription_filter, [("_id", ASCENDING)], subscription_from_document
)


class SubscriptionStore:
    """Subscriptions and their retention, on MongoDB."""

    db: AsyncDatabase[Document]
    writer: OutboxWriter

    async def add_subscription(self, subscription: Subscription) -> None:
        await self.writer.insert(SUBSCRIPTIONS, subscription_written(None, subscription, now_ms()))

    async def subscription(self, subscription_id: str) -> Subscription | None:
        doc = await self.db[SUBSCRIPTIONS].find_one({"_id": subscription_id})
        return subscription_from_document(doc) if doc else None

    async def change_subscription(
        self, subscription_id: str, change: Callable[[Subscription], Subscription | None]
    ) -> Subscription | None:
        """Load, change and write back a subscription (retried on concurrent writes)."""

        def written(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            changed = change(subscription_from_document(doc))
            return None if changed is None else (subscription_written(doc, changed, now_ms()), [])

        stored = await self._write(subscription_id, written, retry_busy=True)
        return subscription_from_document(stored) if stored else None

    async def _write(
        self, subscription_id: str, change: Change, *, retry_busy: bool
    ) -> Document | None:
        """Write a subscription whole, guarded by its version. Without `retry_busy` one written
        concurrently is left alone (None): the next retention pass tries again."""

        async def apply(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            return change(doc)

        try:
            return await self.writer.update(SUBSCRIPTIONS, subscription_id, apply)
        except ConcurrentUpdateError:
            if retry_busy:
                raise
            return None

    async def subscriptions_following(self, topic: str) -> list[Subscription]:
        # `$in`, not equality: nx-27017 finds nothing by equality on an indexed list field
        return await self._find({"topics": {"$in": [topic]}, "status": "active"})

    async def digest_subscriptions(self, cadence: str) -> list[Subscription]:
        return await self._find({"cadence": cadence, "status": "active"})

    async def _find(self, query: Document) -> list[Subscription]:
        cursor = self.db[SUBSCRIPTIONS].find(query)
        return [subscription_from_document(doc) async for doc in cursor]

    async def pending_subscriptions_of(self, email: str) -> int:
        return await self.db[SUBSCRIPTIONS].count_documents(
            {"email": email, "status": SubscriptionStatus.PENDING.value}
        )

    async def list_subscriptions(
        self, query: SubscriptionQuery, paging: Paging
    ) -> tuple[list[Subscription], int]:
        return await SUBSCRIPTION_SEARCH.page(self.db, query, paging)

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

        def stamp(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            if doc.get("status") != SubscriptionStatus.ENDED.value or doc.get("ended_ms"):
                return None
            return subscription_written(doc, subscription_from_document(doc), at_ms), []

        return sum([await self._changed(subscription_id, stamp) for subscription_id in found])

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

        def strip(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            if doc.get("status") != SubscriptionStatus.ENDED.value or doc.get("redacted_ms"):
                return None
            return redacted_subscription_document(doc, at), []

        return await self._changed(subscription_id, strip)

    async def _changed(self, subscription_id: str, change: Change) -> bool:
        """Apply a retention change; True only if it was written by this call."""
        changed = False

        def tracked(doc: Document) -> tuple[Document, Sequence[Payload]] | None:
            nonlocal changed
            result = change(doc)
            changed = result is not None
            return result

        stored = await self._write(subscription_id, tracked, retry_busy=False)
        return stored is not None and changed
