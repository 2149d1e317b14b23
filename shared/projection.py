"""Projections of other services' entities: keep the newest revision, whatever order the
revisions arrive in and however many are handled at once.

Each projected entity is one document keyed by the publisher's id, carrying the publisher's
revision (or sequence) in a guard field. `apply_revision` writes the whole document, so it
keeps datetimes and booleans on every server (docs/storage.md), and it uses only what the
storage self-check verifies: `replace_one` guarded by `_id` and an integer `$lt`, `insert_one`
raising `DuplicateKeyError` on `_id`, and `find_one` by `_id`. No transactions, no upserts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from shared.contracts.directory import OrganisationFacts, OrganisationStatus
from shared.outbox import ConcurrentUpdateError

MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class KnownOrganisation:
    """What a service knows of a partner organisation from the directory's events."""

    id: str
    name: str
    status: OrganisationStatus
    revision: int
    #: Its public contact address (a functional mailbox), where a service writes to it.
    email: str | None = None
    #: The language it wants to be written to in.
    language: str = "de"

    @property
    def active(self) -> bool:
        return self.status is OrganisationStatus.ACTIVE

    @classmethod
    def of(cls, facts: OrganisationFacts) -> KnownOrganisation:
        """The organisation as the directory's event describes it."""
        return cls(
            id=facts.organisation_id,
            name=facts.name,
            status=facts.status,
            revision=facts.revision,
            email=facts.email,
            language=facts.preferred_language,
        )


async def apply_revision(
    collection: AsyncCollection[dict[str, Any]],
    entity_id: str,
    revision: int,
    fields: dict[str, Any],
    *,
    guard: str = "revision",
) -> bool:
    """Store `fields` as the entity `entity_id` at `revision` unless the stored one is as new
    or newer. True when this revision was written, False when a newer (or the same) one stays.

    A lower revision stored concurrently is replaced on the next round, so the highest revision
    handled always ends up stored, whichever write lands first.
    """
    document = {**fields, guard: revision, "_id": entity_id}
    for _ in range(MAX_ATTEMPTS):
        replaced = await collection.replace_one(
            {"_id": entity_id, guard: {"$lt": revision}}, dict(document)
        )
        if replaced.matched_count:
            return True
        stored = await collection.find_one({"_id": entity_id}, {guard: 1})
        if stored is not None:
            if int(stored.get(guard, -1)) >= revision:
                return False
            continue  # an older revision landed between the two reads: replace it
        try:
            await collection.insert_one(dict(document))
        except DuplicateKeyError:
            continue  # inserted concurrently: compare revisions again
        return True
    raise ConcurrentUpdateError(f"{collection.name}/{entity_id}: too many concurrent writes")


def organisation_from_document(doc: dict[str, Any]) -> KnownOrganisation:
    """An organisation as projected into a collection: its name, status and revision (and
    its contact address and language where the projection keeps them)."""
    return KnownOrganisation(
        id=doc["_id"],
        name=doc["name"],
        status=OrganisationStatus(doc["status"]),
        revision=int(doc["revision"]),
        email=doc.get("email"),
        language=doc.get("language") or "de",
    )


async def projected_organisation(
    collection: AsyncCollection[dict[str, Any]], organisation_id: str
) -> KnownOrganisation | None:
    """The directory's organisation as projected into `collection`; None if it is not known
    here."""
    doc = await collection.find_one({"_id": organisation_id})
    return organisation_from_document(doc) if doc is not None else None
