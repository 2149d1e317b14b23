"""Collections `rosters` (one document per event, `_id` = the event's id, written whole with
its `version` and outbox) and `registration_tokens` (`_id` = a link token's SHA-256): documents
in, domain objects out. The last seat cannot be given twice because every registration is a
version-guarded replace of the whole roster: of two concurrent writes one fails, reads the
roster again and decides again."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.calendar.roster import Roster
from services.calendar.roster_repository import RosterChange, TokenBook, TokenEntry
from services.calendar.store import NO_OUTBOX
from services.calendar.window_keys import epoch
from shared.contracts.base import Payload
from shared.mongo import (
    CollectionIndexes,
    Document,
    HotQuery,
    ascending_indexes,
    entity_document,
    entity_fields,
)
from shared.outbox import OutboxWriter, spread_pause
from shared.pages import Paging

ROSTERS = "rosters"
REGISTRATION_TOKENS = "registration_tokens"
#: A due time that never comes (nothing to do).
NEVER = 2**62
#: Enough rounds for every one of hundreds of simultaneous registrations to get its turn.
MAX_WRITE_ATTEMPTS = 200

INDEXES = (
    CollectionIndexes(
        ROSTERS, ascending_indexes("starts_s", "ends_s", "deadline_s", "pending_s", "set_up")
    ),
    CollectionIndexes(REGISTRATION_TOKENS, ascending_indexes("event_id")),
)


def hot_queries() -> list[HotQuery]:
    """What the periodic pass of registrations asks every few minutes, and the token lookup
    of retention: each served by an index."""
    return [
        HotQuery("registrations: starting soon", ROSTERS, {"starts_s": {"$gte": 0, "$lt": 1}}),
        HotQuery("registrations: deadline passed", ROSTERS, {"deadline_s": {"$lte": 0}}),
        HotQuery("registrations: opt-in expired", ROSTERS, {"pending_s": {"$lte": 0}}),
        HotQuery("registrations: event over", ROSTERS, {"ends_s": {"$lte": 0}}),
        HotQuery("registrations: tokens of an event", REGISTRATION_TOKENS, {"event_id": "e"}),
    ]


def roster_document(roster: Roster) -> Document:
    doc = entity_document(roster, key="event_id")
    settings = roster.settings
    open_with_deadline = (
        settings is not None and not roster.closed and not roster.deadline_announced
    )
    pending = [r.created_at for r in roster.registrations if r.state == "pending"]
    doc.update(
        starts_s=epoch(roster.event_starts_at),
        ends_s=epoch(roster.event_ends_at),
        deadline_s=(
            epoch(min(settings.deadline or roster.event_starts_at, roster.event_starts_at))
            if settings is not None and open_with_deadline
            else NEVER
        ),
        pending_s=epoch(min(pending)) if pending else NEVER,
        person_ids=sorted({r.person_id for r in roster.registrations if r.person_id}),
        set_up="yes" if settings is not None else "no",
        personal="deleted" if roster.final_counts is not None else "held",
    )
    return doc


def roster_from_document(doc: Document) -> Roster:
    return Roster.model_validate(entity_fields(doc, Roster, key="event_id"))


def token_document(entry: TokenEntry) -> Document:
    return {
        "_id": entry.hash,
        "event_id": entry.event_id,
        "registration_id": entry.registration_id,
        "purpose": entry.purpose,
        "expires_at": entry.expires_at,
    }


class RosterStore:
    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer

    async def get_roster(self, event_id: str) -> Roster | None:
        doc = await self.db[ROSTERS].find_one({"_id": event_id}, NO_OUTBOX)
        return roster_from_document(doc) if doc else None

    async def write_roster(
        self,
        event_id: str,
        change: RosterChange,
        tokens: TokenBook | None = None,
        *,
        correlation_id: str | None = None,
    ) -> Roster | None:
        async def apply(doc: Document | None) -> tuple[Document, Sequence[Payload]] | None:
            changed = change(roster_from_document(doc) if doc else None)
            if changed is None:
                return None
            roster, messages = changed
            if tokens is not None:
                await self._save_tokens(tokens)
            return {**(doc or {}), **roster_document(roster)}, messages

        stored = await self.writer.write(
            ROSTERS,
            event_id,
            apply,
            correlation_id=correlation_id,
            attempts=MAX_WRITE_ATTEMPTS,
            pause=spread_pause,
        )
        return roster_from_document(stored) if stored else None

    async def _save_tokens(self, tokens: TokenBook) -> None:
        for entry in tokens.unsaved():
            # stored already by an earlier attempt that did not answer
            with contextlib.suppress(DuplicateKeyError):
                await self.db[REGISTRATION_TOKENS].insert_one(token_document(entry))
            tokens.saved.add(entry.hash)

    # tokens ------------------------------------------------------------------------------

    async def find_token(self, hash_: str) -> TokenEntry | None:
        doc = await self.db[REGISTRATION_TOKENS].find_one({"_id": hash_})
        if doc is None:
            return None
        return TokenEntry(
            hash=doc["_id"],
            event_id=doc["event_id"],
            registration_id=doc["registration_id"],
            purpose="opt_in" if doc["purpose"] == "opt_in" else "cancel",
            expires_at=doc["expires_at"],
        )

    async def delete_tokens(self, event_id: str, registration_ids: Sequence[str] | None) -> int:
        wanted = set(registration_ids) if registration_ids is not None else None
        cursor = self.db[REGISTRATION_TOKENS].find(
            {"event_id": event_id}, {"_id": 1, "registration_id": 1}
        )
        ids = [
            doc["_id"] async for doc in cursor if wanted is None or doc["registration_id"] in wanted
        ]
        if not ids:
            return 0
        result = await self.db[REGISTRATION_TOKENS].delete_many({"_id": {"$in": ids}})
        return int(result.deleted_count)

    # reading -----------------------------------------------------------------------------

    async def _rosters(self, query: Document) -> list[Roster]:
        cursor = self.db[ROSTERS].find(query, NO_OUTBOX)
        return [roster_from_document(doc) async for doc in cursor]

    async def _ids(self, query: Document) -> list[str]:
        return [doc["_id"] async for doc in self.db[ROSTERS].find(query, {"_id": 1})]

    async def rosters_of_person(self, person_id: str) -> list[Roster]:
        found = await self._rosters({"person_ids": {"$in": [person_id]}})
        return sorted(found, key=lambda r: (r.event_starts_at, r.event_id))

    async def rosters_page(self, paging: Paging) -> tuple[list[Roster], int]:
        query = {"set_up": "yes"}
        total = await self.db[ROSTERS].count_documents(query)
        cursor = (
            self.db[ROSTERS]
            .find(query, NO_OUTBOX)
            .sort([("starts_s", DESCENDING), ("_id", ASCENDING)])
            .skip(paging.offset)
            .limit(paging.limit)
        )
        return [roster_from_document(doc) async for doc in cursor], total

    async def all_rosters(self) -> list[Roster]:
        return await self._rosters({"set_up": "yes"})

    async def starting_between(self, start: dt.datetime, end: dt.datetime) -> list[str]:
        return await self._ids({"starts_s": {"$gte": epoch(start), "$lt": epoch(end)}})

    async def open_with_deadline_before(self, moment: dt.datetime) -> list[str]:
        return await self._ids({"deadline_s": {"$lte": epoch(moment)}})

    async def ended_before(self, moment: dt.datetime) -> list[str]:
        cursor = self.db[ROSTERS].find({"ends_s": {"$lte": epoch(moment)}}, {"personal": 1})
        return [doc["_id"] async for doc in cursor if doc["personal"] == "held"]

    async def with_pending_before(self, moment: dt.datetime) -> list[str]:
        return await self._ids({"pending_s": {"$lte": epoch(moment)}})
