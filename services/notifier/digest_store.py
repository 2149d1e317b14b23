"""Storage of digest items: what waits for a subscription's next digest. An item is given
to one digest (`claimed`, with the digest's id) before the digest's email is planned and
marked `sent` after, so a pass that stops half-way is finished by the next one."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase

from services.notifier.digest_rules import DigestEntry
from services.notifier.domain import Item
from services.notifier.records import (
    OPEN_DIGEST_ITEM_STATES,
    DigestItem,
    DigestItemState,
    digest_item_id,
)
from shared.mongo import CollectionIndexes, Document, ascending_indexes, inserted

DIGEST_ITEMS = "digest_items"

DIGEST_INDEXES = (CollectionIndexes(DIGEST_ITEMS, ascending_indexes("subscription_id")),)


def digest_item_from_document(doc: Document) -> DigestItem:
    return DigestItem(
        id=doc["_id"],
        subscription_id=doc["subscription_id"],
        item=Item.model_validate(doc["item"]),
        added_ms=int(doc["added_ms"]),
        state=DigestItemState(doc.get("state") or DigestItemState.PENDING.value),
        digest_id=doc.get("digest_id"),
    )


class DigestStore:
    """Digest items, on MongoDB."""

    db: AsyncDatabase[Document]

    async def add_digest_item(self, subscription_id: str, item: Item, at_ms: int) -> bool:
        """Keep an item for the subscription's next digest; False if it is there already."""
        return await inserted(
            self.db[DIGEST_ITEMS].insert_one(
                {
                    "_id": digest_item_id(subscription_id, item.entity_id),
                    "subscription_id": subscription_id,
                    "item": item.model_dump(mode="json"),
                    "added_ms": at_ms,
                    "state": DigestItemState.PENDING.value,
                    "digest_id": None,
                }
            )
        )

    async def refresh_digest_item(self, subscription_id: str, item: Item) -> None:
        """Show the latest facts (a moved event) if the item still waits for a digest."""
        await self.db[DIGEST_ITEMS].update_one(
            {"_id": digest_item_id(subscription_id, item.entity_id), "state": "pending"},
            {"$set": {"item": item.model_dump(mode="json")}},
        )

    async def drop_digest_item(self, subscription_id: str, entity_id: str) -> None:
        """Forget an item that has not gone out yet (a cancelled event)."""
        await self.db[DIGEST_ITEMS].delete_one(
            {"_id": digest_item_id(subscription_id, entity_id), "state": "pending"}
        )

    async def drop_open_digest_items(self, subscription_id: str) -> int:
        """Forget the items of a subscription that have not gone out (pending, or claimed by a
        digest pass that never planned its email): it will have no digest any more. Returns
        how many. Deleted one by one by `_id`, guarded by their state."""
        count = 0
        for item in await self.open_digest_items(subscription_id):
            if item.state not in OPEN_DIGEST_ITEM_STATES:
                continue
            result = await self.db[DIGEST_ITEMS].delete_one(
                {"_id": item.id, "state": item.state.value}
            )
            count += result.deleted_count
        return count

    async def open_digest_items(self, subscription_id: str) -> list[DigestItem]:
        """Items not yet in a sent digest: pending ones, and ones claimed by a digest pass."""
        cursor = self.db[DIGEST_ITEMS].find({"subscription_id": subscription_id})
        items = [digest_item_from_document(doc) async for doc in cursor]
        return [item for item in items if item.state is not DigestItemState.SENT]

    async def claim_digest_item(self, item_id: str, digest: str, *, state: DigestItemState) -> None:
        """Give an item (still in `state`) to a digest; one of two racing passes wins."""
        await self.db[DIGEST_ITEMS].update_one(
            {"_id": item_id, "state": state.value},
            {"$set": {"state": DigestItemState.CLAIMED.value, "digest_id": digest}},
        )

    async def claimed_digest_entries(self, digest: str, subscription_id: str) -> list[DigestEntry]:
        cursor = self.db[DIGEST_ITEMS].find(
            {"subscription_id": subscription_id, "digest_id": digest}
        )
        items = [digest_item_from_document(doc) async for doc in cursor]
        return [
            DigestEntry(subscription_id=i.subscription_id, item=i.item, added_ms=i.added_ms)
            for i in items
            if i.state in (DigestItemState.CLAIMED, DigestItemState.SENT)
        ]

    async def mark_digest_items_sent(self, digest: str, item_ids: Sequence[str]) -> None:
        for item_id in item_ids:
            await self.db[DIGEST_ITEMS].update_one(
                {"_id": item_id, "digest_id": digest}, {"$set": {"state": "sent"}}
            )
