"""The directory's storage on MongoDB: organisations, people, one-time tokens, pending
invitations, attempt counters. Documents in and out of the database exist only here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Generic

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.directory.domain import Organisation
from services.directory.people import OneTimeToken, PendingInvitation, Person, TokenPurpose
from services.directory.repository import AddressTakenError, Change, Entity, OrganisationQuery
from shared.contracts.base import Payload
from shared.mongo import (
    CollectionIndexes,
    Document,
    Search,
    ascending_indexes,
    entity_document,
    entity_fields,
)
from shared.outbox import OutboxWriter
from shared.pages import Paging
from shared.text import fold, query_terms, search_terms

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
            *ascending_indexes(
                "search_terms", "kind", "languages", "communities", "fields", "district_key"
            ),
        ),
    ),
    CollectionIndexes(
        PEOPLE,
        (
            IndexModel([("email", ASCENDING)], unique=True),
            *ascending_indexes("organisation_ids", "is_admin"),
        ),
    ),
    CollectionIndexes(ONE_TIME_TOKENS, ascending_indexes("person_id", "expires_at")),
    CollectionIndexes(
        INVITATIONS,
        (
            IndexModel([("email", ASCENDING), ("organisation_id", ASCENDING)], unique=True),
            *ascending_indexes("expires_at"),
        ),
    ),
    # swept by an integer expiry: nx-27017 does not honour TTL indexes
    CollectionIndexes(LOGIN_THROTTLE, ascending_indexes("expires_at_ms")),
)


def organisation_document(organisation: Organisation) -> Document:
    doc = entity_document(organisation)
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
    return Organisation(**entity_fields(doc, Organisation))


def organisation_filter(query: OrganisationQuery) -> Document:
    """The query shape of a search (indexed fields; list fields matched with `$all`)."""
    found: Document = {"status": query.status.value}
    terms = query_terms(query.text) if query.text else []
    if terms:
        found["search_terms"] = {"$all": terms}
    if query.kind:
        found["kind"] = query.kind.value
    if query.language:
        found["languages"] = {"$all": [query.language]}
    if query.field:
        found["fields"] = {"$all": [query.field.value]}
    if query.district:
        found["district_key"] = fold(query.district.strip())
    if query.community:
        found["communities"] = {"$all": [query.community.strip()]}
    return found


ORGANISATION_SEARCH = Search(
    ORGANISATIONS,
    organisation_filter,
    [("name_key", ASCENDING), ("_id", ASCENDING)],
    organisation_from_document,
)


def _document(entity: Person | PendingInvitation) -> Document:
    """A person or an invitation as its document: `id` is `_id`, tuples are lists."""
    values = {f.name: getattr(entity, f.name) for f in fields(entity) if f.name != "id"}
    return {
        "_id": entity.id,
        **{k: list(v) if isinstance(v, tuple) else v for k, v in values.items()},
    }


def person_from_document(doc: Document) -> Person:
    return Person(
        id=doc["_id"],
        email=doc["email"],
        name=doc.get("name"),
        password_hash=doc.get("password_hash") or None,
        is_admin=bool(doc.get("is_admin")),
        organisation_ids=tuple(doc.get("organisation_ids") or ()),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        language=doc.get("language"),
    )


def invitation_from_document(doc: Document) -> PendingInvitation:
    values = {f.name: doc[f.name] for f in fields(PendingInvitation) if f.name != "id"}
    return PendingInvitation(id=doc["_id"], **values)


def token_from_document(doc: Document) -> OneTimeToken:
    return OneTimeToken(
        token_hash=doc["_id"],
        person_id=doc["person_id"],
        purpose=TokenPurpose(doc["purpose"]),
        expires_at=doc["expires_at"],
        invitation_id=doc.get("invitation_id"),
    )


@dataclass(frozen=True)
class _Stored(Generic[Entity]):
    """Where an entity with an outbox is kept, and how it becomes a document and back."""

    collection: str
    read: Callable[[Document], Entity]
    write: Callable[[Entity], Document]


_ORGANISATION = _Stored(ORGANISATIONS, organisation_from_document, organisation_document)
_PERSON = _Stored[Person](PEOPLE, person_from_document, _document)


class DirectoryStore:
    """`DirectoryRepository` on MongoDB: entities with an outbox (organisations, people) are
    written whole through the `OutboxWriter`, guarded by their version."""

    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer

    async def _insert(
        self,
        stored: _Stored[Entity],
        entity: Entity,
        messages: Sequence[Payload],
        correlation_id: str | None,
    ) -> None:
        await self.writer.insert(
            stored.collection, stored.write(entity), messages, correlation_id=correlation_id
        )

    async def _find(self, stored: _Stored[Entity], query: Document) -> Entity | None:
        doc = await self.db[stored.collection].find_one(query)
        return stored.read(doc) if doc else None

    async def _update(
        self,
        stored: _Stored[Entity],
        entity_id: str,
        change: Change[Entity],
        correlation_id: str | None,
    ) -> Entity | None:
        """Load an entity, change it and write it back with the messages the change caused
        (retried on a concurrent write). None when it does not exist."""

        async def apply(doc: Document) -> tuple[Document, list[Payload]] | None:
            changed = change(stored.read(doc))
            if changed is None:
                return None
            entity, messages = changed
            return {**doc, **stored.write(entity)}, list(messages)

        written = await self.writer.update(
            stored.collection, entity_id, apply, correlation_id=correlation_id
        )
        return stored.read(written) if written is not None else None

    # organisations -----------------------------------------------------------------------

    async def add_organisation(
        self, organisation: Organisation, events: Sequence[Payload], correlation_id: str | None
    ) -> None:
        await self._insert(_ORGANISATION, organisation, events, correlation_id)

    async def get_organisation(self, organisation_id: str) -> Organisation | None:
        return await self._find(_ORGANISATION, {"_id": organisation_id})

    async def update_organisation(
        self, organisation_id: str, change: Change[Organisation], correlation_id: str | None
    ) -> Organisation | None:
        return await self._update(_ORGANISATION, organisation_id, change, correlation_id)

    async def find_organisations(
        self, query: OrganisationQuery, paging: Paging
    ) -> tuple[list[Organisation], int]:
        return await ORGANISATION_SEARCH.page(self.db, query, paging)

    async def every_organisation(self, query: OrganisationQuery) -> list[Organisation]:
        cursor = (
            self.db[ORGANISATIONS].find(organisation_filter(query)).sort(ORGANISATION_SEARCH.sort)
        )
        return [organisation_from_document(doc) async for doc in cursor]

    # people ------------------------------------------------------------------------------

    async def add_person(
        self, person: Person, messages: Sequence[Payload], correlation_id: str | None
    ) -> None:
        try:
            await self._insert(_PERSON, person, messages, correlation_id)
        except DuplicateKeyError as exc:
            raise AddressTakenError(person.email) from exc

    async def get_person(self, person_id: str) -> Person | None:
        return await self._find(_PERSON, {"_id": person_id})

    async def find_person_by_email(self, email: str) -> Person | None:
        return await self._find(_PERSON, {"email": email})

    async def update_person(
        self, person_id: str, change: Change[Person], correlation_id: str | None
    ) -> Person | None:
        return await self._update(_PERSON, person_id, change, correlation_id)

    async def any_admin(self) -> bool:
        return await self.db[PEOPLE].find_one({"is_admin": True}, {"_id": 1}) is not None

    async def members_of(self, organisation_id: str) -> list[Person]:
        cursor = (
            self.db[PEOPLE].find({"organisation_ids": {"$all": [organisation_id]}}).sort("email", 1)
        )
        return [person_from_document(doc) async for doc in cursor]

    # one-time tokens ---------------------------------------------------------------------

    async def add_one_time_token(self, token: OneTimeToken) -> None:
        doc: Document = {
            "_id": token.token_hash,
            "person_id": token.person_id,
            "purpose": token.purpose.value,
            "expires_at": token.expires_at,
            # a string, not a bool: `$set` of booleans comes back as 0/1 on the embedded server
            "state": "unused",
        }
        if token.invitation_id is not None:
            doc["invitation_id"] = token.invitation_id
        await self.db[ONE_TIME_TOKENS].insert_one(doc)

    async def use_one_time_token(self, token_hash: str) -> OneTimeToken | None:
        """Mark a token used; returns it, or None if unknown or already used."""
        doc = await self.db[ONE_TIME_TOKENS].find_one_and_update(
            {"_id": token_hash, "state": "unused"}, {"$set": {"state": "used"}}
        )
        return token_from_document(doc) if doc else None

    async def reopen_one_time_token(self, token_hash: str) -> None:
        await self.db[ONE_TIME_TOKENS].update_one(
            {"_id": token_hash}, {"$set": {"state": "unused"}}
        )

    async def forget_one_time_token(self, token_hash: str) -> None:
        await self.db[ONE_TIME_TOKENS].delete_one({"_id": token_hash})

    async def forget_tokens_of(self, person_id: str) -> None:
        """Void every one-time token of a person (their password changed)."""
        await self.db[ONE_TIME_TOKENS].delete_many({"person_id": person_id})

    # invitations of existing accounts ---------------------------------------------------

    async def replace_invitation(self, invitation: PendingInvitation) -> None:
        """Store a pending invitation, replacing an earlier one of the same address."""
        await self.db[INVITATIONS].delete_one(
            {"email": invitation.email, "organisation_id": invitation.organisation_id}
        )
        try:
            await self.db[INVITATIONS].insert_one(_document(invitation))
        except DuplicateKeyError as exc:  # invited at the same moment by someone else
            raise AddressTakenError(invitation.email) from exc

    async def get_invitation(self, invitation_id: str) -> PendingInvitation | None:
        doc = await self.db[INVITATIONS].find_one({"_id": invitation_id})
        return invitation_from_document(doc) if doc else None

    async def invitations_to(self, organisation_id: str) -> list[PendingInvitation]:
        cursor = self.db[INVITATIONS].find({"organisation_id": organisation_id}).sort("email", 1)
        return [invitation_from_document(doc) async for doc in cursor]

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
        """Delete expired attempt counters, one-time tokens and invitations; how many."""
        counters = await self.db[LOGIN_THROTTLE].delete_many({"expires_at_ms": {"$lt": now_ms}})
        tokens = await self.db[ONE_TIME_TOKENS].delete_many({"expires_at": {"$lt": now}})
        invitations = await self.db[INVITATIONS].delete_many({"expires_at": {"$lt": now}})
        return counters.deleted_count + tokens.deleted_count + invitations.deleted_count
