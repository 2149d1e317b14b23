"""Storage of what the notifier knows from elsewhere and remembers about recipients: the
projections of organisations and calendar entries (the publisher's newest revision wins,
`shared.projection.apply_revision`), the opt-outs of default notices, and which
subscription was told about which entry at once (`told`)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notifier.domain import Item, Topic, Visibility
from services.notifier.records import CalendarEntry, OrganisationContact
from shared.mongo import CollectionIndexes, Document, ascending_indexes
from shared.projection import apply_revision

ORGANISATIONS = "organisations"
CALENDAR_ENTRIES = "calendar_entries"
OPT_OUTS = "opt_outs"
#: Which subscription was told about which item at once: only those hear of its changes.
TOLD = "told"

PROJECTION_INDEXES = (CollectionIndexes(TOLD, ascending_indexes("subscription_id")),)


def told_id(subscription_id: str, entity_id: str) -> str:
    return f"{subscription_id}:{entity_id}"


class ProjectionStore:
    """Organisations, calendar entries, opt-outs and `told`, on MongoDB."""

    db: AsyncDatabase[Document]

    # projections -------------------------------------------------------------------------

    async def remember_organisation(self, organisation: OrganisationContact) -> bool:
        """Store the organisation unless a newer or equal revision is there."""
        values = organisation.model_dump(exclude={"id"})
        return await apply_revision(
            self.db[ORGANISATIONS], organisation.id, organisation.revision, values
        )

    async def remember_calendar_entry(self, entry: CalendarEntry) -> bool:
        """Store the entry unless a newer or equal sequence is there."""
        values = entry.model_dump(mode="json", exclude={"id"})
        return await apply_revision(
            self.db[CALENDAR_ENTRIES], entry.id, entry.sequence, values, guard="sequence"
        )

    async def organisation(self, organisation_id: str) -> OrganisationContact | None:
        doc = await self.db[ORGANISATIONS].find_one({"_id": organisation_id})
        return _contact(doc) if doc is not None else None

    async def organisations_of(
        self, organisation_ids: Sequence[str]
    ) -> dict[str, OrganisationContact]:
        """The organisations known of `organisation_ids`, in one read."""
        cursor = self.db[ORGANISATIONS].find({"_id": {"$in": list(organisation_ids)}})
        return {doc["_id"]: _contact(doc) async for doc in cursor}

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

    async def remember_told(self, subscription_id: str, entity_id: str) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await self.db[TOLD].insert_one(
                {"_id": told_id(subscription_id, entity_id), "subscription_id": subscription_id}
            )

    async def was_told(self, subscription_id: str, entity_id: str) -> bool:
        found = await self.db[TOLD].find_one({"_id": told_id(subscription_id, entity_id)})
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

    async def opted_out_of(self, opt_out_ids: Sequence[str]) -> set[str]:
        """Which of the notices are switched off, in one read."""
        cursor = self.db[OPT_OUTS].find({"_id": {"$in": list(opt_out_ids)}}, {"_id": 1})
        return {doc["_id"] async for doc in cursor}

    async def opted_out_at(self, opt_out_id: str) -> dt.datetime | None:
        """When the notice was switched off, or None while it is on."""
        doc = await self.db[OPT_OUTS].find_one({"_id": opt_out_id})
        return doc.get("created_at") if doc else None

    async def remove_opt_out(self, opt_out_id: str) -> None:
        await self.db[OPT_OUTS].delete_one({"_id": opt_out_id})


def _contact(doc: Document) -> OrganisationContact:
    return OrganisationContact(
        id=doc["_id"],
        name=doc["name"],
        email=doc.get("email"),
        preferred_language=doc.get("preferred_language") or "de",
        status=doc.get("status") or "active",
        revision=int(doc.get("revision") or 0),
    )
