"""The directory's storage: organisations, people, one-time tokens, attempt counters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from services.directory.domain import Organisation
from shared.contracts.base import Payload
from shared.mongo import CollectionIndexes, Document
from shared.outbox import OutboxWriter
from shared.text import fold, search_terms

ORGANISATIONS = "organisations"
PEOPLE = "people"
ONE_TIME_TOKENS = "one_time_tokens"
LOGIN_THROTTLE = "login_throttle"
INVITATIONS = "invitations"

OUTBOX_COLLECTIONS = (ORGANISATIONS, PEOPLE)

INDEXES = (
    CollectionIndexes(
        ORGANISATIONS,
        (
            IndexModel([("status", ASCENDING), ("name_key", ASCENDING)]),
            IndexModel([("search_terms", ASCENDING)]),
            IndexModel([("kind", ASCENDING)]),
            IndexModel([("languages", ASCENDING)]),
            IndexModel([("fields", ASCENDING)]),
            IndexModel([("district_key", ASCENDING)]),
        ),
    ),
    CollectionIndexes(
        PEOPLE,
        (
            IndexModel([("email", ASCENDING)], unique=True),
            IndexModel([("organisation_ids", ASCENDING)]),
            IndexModel([("is_admin", ASCENDING)]),
        ),
    ),
    CollectionIndexes(
        ONE_TIME_TOKENS,
        (IndexModel([("person_id", ASCENDING)]), IndexModel([("expires_at", ASCENDING)])),
    ),
    CollectionIndexes(
        INVITATIONS,
        (
            IndexModel([("email", ASCENDING), ("organisation_id", ASCENDING)], unique=True),
            IndexModel([("expires_at", ASCENDING)]),
        ),
    ),
    # swept by an integer expiry: nx-27017 does not honour TTL indexes
    CollectionIndexes(LOGIN_THROTTLE, (IndexModel([("expires_at_ms", ASCENDING)]),)),
)


def organisation_document(organisation: Organisation) -> Document:
    data = organisation.model_dump(mode="python")
    doc: Document = {"_id": data.pop("id"), **data}
    doc["kind"] = organisation.kind.value
    doc["status"] = organisation.status.value
    doc["fields"] = [f.value for f in organisation.fields]
    doc["name_key"] = fold(organisation.name)
    doc["district_key"] = fold(organisation.district) if organisation.district else None
    doc["search_terms"] = search_terms(
        organisation.name, organisation.description, " ".join(organisation.communities)
    )
    return doc


def organisation_from_document(doc: Document) -> Organisation:
    fields = {key: value for key, value in doc.items() if key in Organisation.model_fields}
    return Organisation(id=doc["_id"], **{k: v for k, v in fields.items() if k != "id"})


class DirectoryStore:
    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer

    # organisations -----------------------------------------------------------------------

    async def add_organisation(
        self, organisation: Organisation, events: Sequence[Payload], correlation_id: str | None
    ) -> None:
        await self.writer.insert(
            ORGANISATIONS,
            organisation_document(organisation),
            events,
            correlation_id=correlation_id,
        )

    async def get_organisation_document(self, organisation_id: str) -> Document | None:
        return await self.db[ORGANISATIONS].find_one({"_id": organisation_id})

    async def get_organisation(self, organisation_id: str) -> Organisation | None:
        doc = await self.get_organisation_document(organisation_id)
        return organisation_from_document(doc) if doc else None

    async def list_organisations(
        self, filters: dict[str, Any], *, limit: int, offset: int
    ) -> tuple[list[Organisation], int]:
        collection = self.db[ORGANISATIONS]
        cursor = (
            collection.find(filters)
            .sort([("name_key", ASCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        items = [organisation_from_document(doc) async for doc in cursor]
        total = await collection.count_documents(filters)
        return items, total

    # people ------------------------------------------------------------------------------

    async def find_person_by_email(self, email: str) -> Document | None:
        return await self.db[PEOPLE].find_one({"email": email})

    async def get_person(self, person_id: str) -> Document | None:
        return await self.db[PEOPLE].find_one({"_id": person_id})

    async def any_admin(self) -> bool:
        return await self.db[PEOPLE].find_one({"is_admin": True}, {"_id": 1}) is not None

    async def members_of(self, organisation_id: str) -> list[Document]:
        cursor = (
            self.db[PEOPLE].find({"organisation_ids": {"$all": [organisation_id]}}).sort("email", 1)
        )
        return [doc async for doc in cursor]

    # one-time tokens ---------------------------------------------------------------------

    async def add_one_time_token(
        self, token_hash: str, person_id: str, purpose: str, expires_at: dt.datetime
    ) -> None:
        await self.db[ONE_TIME_TOKENS].insert_one(
            {
                "_id": token_hash,
                "person_id": person_id,
                "purpose": purpose,
                "expires_at": expires_at,
                # a string, not a bool: `$set` of booleans comes back as 0/1 on the embedded server
                "state": "unused",
            }
        )

    async def use_one_time_token(self, token_hash: str) -> Document | None:
        """Mark a token used; returns it as it was, or None if unknown or already used."""
        return await self.db[ONE_TIME_TOKENS].find_one_and_update(
            {"_id": token_hash, "state": "unused"}, {"$set": {"state": "used"}}
        )

    async def reopen_one_time_token(self, token_hash: str) -> None:
        await self.db[ONE_TIME_TOKENS].update_one(
            {"_id": token_hash}, {"$set": {"state": "unused"}}
        )

    async def forget_one_time_token(self, token_hash: str) -> None:
        await self.db[ONE_TIME_TOKENS].delete_one({"_id": token_hash})

    async def add_one_time_token_for_invitation(
        self, token_hash: str, person_id: str, invitation_id: str, expires_at: dt.datetime
    ) -> None:
        await self.db[ONE_TIME_TOKENS].insert_one(
            {
                "_id": token_hash,
                "person_id": person_id,
                "purpose": "membership",
                "invitation_id": invitation_id,
                "expires_at": expires_at,
                "state": "unused",
            }
        )

    async def forget_tokens_of(self, person_id: str) -> None:
        """Void every one-time token of a person (their password changed)."""
        await self.db[ONE_TIME_TOKENS].delete_many({"person_id": person_id})

    # invitations of existing accounts ---------------------------------------------------

    async def replace_invitation(self, invitation: Document) -> None:
        """Store a pending invitation, replacing an earlier one of the same address."""
        await self.db[INVITATIONS].delete_one(
            {"email": invitation["email"], "organisation_id": invitation["organisation_id"]}
        )
        await self.db[INVITATIONS].insert_one(invitation)

    async def get_invitation(self, invitation_id: str) -> Document | None:
        return await self.db[INVITATIONS].find_one({"_id": invitation_id})

    async def invitations_to(self, organisation_id: str) -> list[Document]:
        cursor = self.db[INVITATIONS].find({"organisation_id": organisation_id}).sort("email", 1)
        return [doc async for doc in cursor]

    async def forget_invitation(self, invitation_id: str) -> None:
        await self.db[INVITATIONS].delete_one({"_id": invitation_id})

    # attempt counters --------------------------------------------------------------------

    async def count_attempt(self, key: str, expires_at_ms: int) -> int:
        """Count one attempt atomically; returns the count including it."""
        doc = await self.db[LOGIN_THROTTLE].find_one_and_update(
            {"_id": key},
            {"$inc": {"count": 1}, "$set": {"expires_at_ms": expires_at_ms}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(doc["count"]) if doc else 1

    async def uncount_attempt(self, key: str) -> None:
        await self.db[LOGIN_THROTTLE].update_one({"_id": key}, {"$inc": {"count": -1}})

    # expiry ------------------------------------------------------------------------------

    async def sweep(self, now: dt.datetime, now_ms: int) -> int:
        """Delete expired attempt counters and expired one-time tokens; returns how many."""
        counters = await self.db[LOGIN_THROTTLE].delete_many({"expires_at_ms": {"$lt": now_ms}})
        tokens = await self.db[ONE_TIME_TOKENS].delete_many({"expires_at": {"$lt": now}})
        invitations = await self.db[INVITATIONS].delete_many({"expires_at": {"$lt": now}})
        return counters.deleted_count + tokens.deleted_count + invitations.deleted_count
