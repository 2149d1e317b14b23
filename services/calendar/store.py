"""The calendar's storage: events, conflicts, imports, and its projection of organisations;
documents in, domain objects out. How a window's events are found by index is explained in
`window_keys.py`."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Sequence

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.calendar.clashes import district_key, venue_key
from services.calendar.conflicts import Conflict
from services.calendar.domain import Event, OccurrenceOverride
from services.calendar.inputs import ImportDefaults
from services.calendar.repository import (
    EventFilter,
    EventWrite,
    FeedImport,
    ImportCounts,
    ImportOutcome,
    LoadedEvent,
)
from services.calendar.room_locks import RoomLocks
from services.calendar.window_keys import epoch, index_keys, window_queries
from shared.contracts.base import Payload
from shared.contracts.calendar import ConflictKind, EventStatus, Venue
from shared.contracts.directory import OrganisationFacts
from shared.contracts.vocabulary import Audience
from shared.mongo import (
    CollectionIndexes,
    Document,
    ascending_indexes,
    documents_by_id,
    entity_document,
    entity_fields,
)
from shared.outbox import ConcurrentUpdateError, OutboxWriter
from shared.pages import Paging
from shared.projection import KnownOrganisation, apply_revision, projected_organisation

EVENTS = "events"
CONFLICTS = "conflicts"
ORGANISATIONS = "organisations"
IMPORTS = "imports"
#: `next_fetch_s` of a stopped import: never due.
NEVER = 2**62

OUTBOX_COLLECTIONS = (EVENTS,)

# No index on array fields: on nx-27017 an index on an array field makes equality queries on
# it find nothing. Lists are matched with `$in`, which stays correct.
INDEXES = (
    CollectionIndexes(
        EVENTS,
        ascending_indexes(
            "window_key", "room_key", "audience_key", "organisation_id", "import_id", "group_id"
        ),
    ),
    # Each save looks up the conflicts of its event by the two scalar event id fields.
    CollectionIndexes(CONFLICTS, ascending_indexes("state", "event_id", "other_event_id")),
    CollectionIndexes(IMPORTS, ascending_indexes("next_fetch_s", "organisation_id")),
)


# --- documents ----------------------------------------------------------------------------


def event_document(event: Event) -> Document:
    doc = entity_document(event)
    doc["audience"] = [a.value for a in event.audience]
    doc["fields"] = [f.value for f in event.fields]
    doc["visibility"] = event.visibility.value
    doc["status"] = event.status.value
    doc["venue"] = event.venue.model_dump() if event.venue else None
    doc["overrides"] = {key: o.model_dump() for key, o in event.overrides.items()}
    doc.update(index_keys(event))
    return doc


def event_from_document(doc: Document) -> Event:
    values = entity_fields(doc, Event)
    values["overrides"] = {
        key: OccurrenceOverride.model_validate(raw)
        for key, raw in (doc.get("overrides") or {}).items()
    }
    return Event.model_validate(values)


def conflict_document(conflict: Conflict) -> Document:
    return {
        "_id": conflict.id,
        "kind": conflict.kind.value,
        "event_id": conflict.event_id,
        "other_event_id": conflict.other_event_id,
        "event_ids": conflict.event_ids,
        "occurrence_start": conflict.occurrence_start,
        "other_occurrence_start": conflict.other_occurrence_start,
        "organisation_ids": conflict.organisation_ids,
        "overlap_starts_at": conflict.overlap_starts_at,
        "overlap_ends_at": conflict.overlap_ends_at,
        "overlap_start_s": epoch(conflict.overlap_starts_at),
        "district": conflict.district,
        "shared_audience": [a.value for a in conflict.shared_audience],
        "venue": conflict.venue.model_dump() if conflict.venue else None,
        "state": conflict.state,
        "detected_at": conflict.detected_at,
        "closed_at": conflict.closed_at,
    }


def conflict_from_document(doc: Document) -> Conflict:
    return Conflict(
        id=doc["_id"],
        kind=ConflictKind(doc["kind"]),
        event_id=doc["event_id"],
        other_event_id=doc["other_event_id"],
        occurrence_start=doc["occurrence_start"],
        other_occurrence_start=doc["other_occurrence_start"],
        organisation_ids=list(doc["organisation_ids"]),
        overlap_starts_at=doc["overlap_starts_at"],
        overlap_ends_at=doc["overlap_ends_at"],
        detected_at=doc["detected_at"],
        district=doc["district"],
        shared_audience=[Audience(a) for a in doc["shared_audience"]],
        venue=Venue.model_validate(doc["venue"]) if doc["venue"] else None,
        state="open" if doc["state"] == "open" else "closed",
        closed_at=doc.get("closed_at"),
    )


def import_document(feed: FeedImport) -> Document:
    doc: Document = {"_id": feed.id, **dataclasses.asdict(feed)}
    del doc["id"]
    doc["defaults"] = feed.defaults.model_dump(mode="json")
    return doc


def import_from_document(doc: Document) -> FeedImport:
    result = doc.get("last_result")
    return FeedImport(
        id=doc["_id"],
        organisation_id=doc["organisation_id"],
        url=doc["url"],
        defaults=ImportDefaults.model_validate(doc["defaults"]),
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        state=doc["state"],
        last_fetched_at=doc.get("last_fetched_at"),
        last_error=doc.get("last_error"),
        last_result=ImportCounts(**result) if result else None,
        problems=list(doc.get("problems") or []),
    )


def event_filter_query(filters: EventFilter) -> Document:
    """The MongoDB filter of a calendar view's filters."""
    query: Document = {}
    if not filters.include_network:
        query["visibility"] = "public"
    if filters.organisation:
        query["organiser_ids"] = {"$in": [filters.organisation]}
    if filters.district:
        query["district_key"] = district_key(filters.district) or ""
    if filters.language:
        query["languages"] = {"$in": [filters.language]}
    if filters.audience:
        query["audience"] = {"$in": [filters.audience]}
    if filters.field:
        query["fields"] = {"$in": [filters.field]}
    if filters.group_id:
        query["group_id"] = filters.group_id
    return query


#: The projection that reads an entity without its pending messages.
NO_OUTBOX = {"outbox": 0}


async def write_over(
    db: AsyncDatabase[Document],
    writer: OutboxWriter,
    collection: str,
    doc: Document,
    version: int,
    messages: Sequence[Payload],
    correlation_id: str | None,
) -> None:
    """Write an entity's `doc` over the document it was loaded from at `version`, keeping what
    the document holds besides the entity (e.g. its pending outbox); raises
    ConcurrentUpdateError when someone else wrote it meanwhile."""
    current = await db[collection].find_one({"_id": doc["_id"]})
    if current is None or int(current["version"]) != version:
        raise ConcurrentUpdateError(f"{collection}/{doc['_id']} changed since {version}")
    await writer.replace(collection, {**current, **doc}, messages, correlation_id=correlation_id)


class CalendarStore:
    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer

    def room_guard(self, *, lease_seconds: float, wait_seconds: float) -> RoomLocks:
        return RoomLocks(self.db, lease_seconds=lease_seconds, wait_seconds=wait_seconds)

    # events ------------------------------------------------------------------------------

    async def get_event(self, event_id: str) -> Event | None:
        doc = await self.db[EVENTS].find_one({"_id": event_id}, NO_OUTBOX)
        return event_from_document(doc) if doc else None

    async def events_by_id(self, event_ids: Sequence[str]) -> dict[str, Event]:
        found = await documents_by_id(self.db[EVENTS], event_ids, NO_OUTBOX)
        return {event_id: event_from_document(doc) for event_id, doc in found.items()}

    async def load_event(self, event_id: str) -> LoadedEvent | None:
        doc = await self.db[EVENTS].find_one({"_id": event_id}, NO_OUTBOX)
        return LoadedEvent(event_from_document(doc), int(doc["version"])) if doc else None

    async def write_event(self, write: EventWrite, correlation_id: str | None) -> None:
        """Insert a new event, or write a changed one over the version it was loaded at
        (`write_over`)."""
        doc = event_document(write.event)
        if write.version is None:
            await self.writer.insert(EVENTS, doc, write.messages, correlation_id=correlation_id)
            return
        await write_over(
            self.db, self.writer, EVENTS, doc, write.version, write.messages, correlation_id
        )

    async def events_in_window(
        self, start: dt.datetime, end: dt.datetime, filters: EventFilter | None = None
    ) -> list[Event]:
        """Events with a date in [start, end) (and a few without) that pass the filters."""
        query = event_filter_query(filters) if filters else {}
        return await self._in_window(start, end, "window_key", None, query)

    async def _in_window(
        self,
        start: dt.datetime,
        end: dt.datetime,
        field: str,
        value: str | None,
        filters: Document,
    ) -> list[Event]:
        """By indexed key ranges, one per span class (`window_keys.window_queries`)."""
        found: dict[str, Event] = {}
        for query in window_queries(start, end, field=field, value=value):
            async for doc in self.db[EVENTS].find({**query, **filters}, NO_OUTBOX):
                found.setdefault(doc["_id"], event_from_document(doc))
        return list(found.values())

    async def clash_candidates(
        self, event: Event, start: dt.datetime, end: dt.datetime
    ) -> list[Event]:
        """Events that may clash with `event` in [start, end): same room or same district."""
        found: dict[str, Event] = {}
        room = venue_key(event)
        if room is not None:
            for other in await self._in_window(start, end, "room_key", room, {}):
                found[other.id] = other
        district = district_key(event.district)
        if district is not None and event.audience:
            for other in await self._in_window(start, end, "audience_key", district, {}):
                found[other.id] = other
        found.pop(event.id, None)
        return list(found.values())

    async def future_event_ids(self, organisation_id: str, now: dt.datetime) -> list[str]:
        cursor = self.db[EVENTS].find(
            {
                "organisation_id": organisation_id,
                "status": "scheduled",
                "span_end_s": {"$gt": epoch(now)},
            },
            {"_id": 1},
        )
        return [doc["_id"] async for doc in cursor]

    async def invitations_of(self, organisation_id: str, now: dt.datetime) -> list[Event]:
        """Scheduled events, not yet over, that invite the organisation to co-organise them."""
        cursor = self.db[EVENTS].find(
            {
                "invited_organiser_ids": {"$in": [organisation_id]},
                "status": "scheduled",
                "span_end_s": {"$gt": epoch(now)},
            },
            NO_OUTBOX,
        )
        found = [event_from_document(doc) async for doc in cursor]
        return sorted(found, key=lambda event: (event.starts_at, event.id))

    async def upcoming_imported_event_ids(self, import_id: str, now: dt.datetime) -> list[str]:
        """The scheduled events of an import that are not over yet."""
        cursor = self.db[EVENTS].find(
            {"import_id": import_id},
            {"_id": 1, "import_uid": 1, "status": 1, "span_end_s": 1},
        )
        return [
            doc["_id"]
            async for doc in cursor
            if doc["status"] == EventStatus.SCHEDULED.value and doc["span_end_s"] > epoch(now)
        ]

    # conflicts ---------------------------------------------------------------------------

    async def conflicts_by_id(self, ids: Sequence[str]) -> dict[str, Conflict]:
        found = await documents_by_id(self.db[CONFLICTS], ids)
        return {conflict_id: conflict_from_document(doc) for conflict_id, doc in found.items()}

    async def open_conflict_ids_of_event(self, event_id: str) -> list[str]:
        """By the indexed scalar fields (one equality each), not by the `event_ids` array."""
        found: dict[str, None] = {}
        for field in ("event_id", "other_event_id"):
            async for doc in self.db[CONFLICTS].find({field: event_id}):
                if doc["state"] == "open":
                    found.setdefault(doc["_id"], None)
        return list(found)

    async def open_conflict(self, conflict: Conflict, existing: Conflict | None) -> None:
        """Store a conflict over `existing`, the state it was decided on; when someone else
        changed it since (a concurrent save of the other event reopened it first), theirs
        stays."""
        if existing is None:
            try:
                await self.writer.insert(CONFLICTS, conflict_document(conflict))
                return
            except DuplicateKeyError:
                pass
        stored = await self.db[CONFLICTS].find_one({"_id": conflict.id})
        if stored is None or (existing and conflict_from_document(stored) != existing):
            return
        with contextlib.suppress(ConcurrentUpdateError):
            await self.writer.replace(CONFLICTS, {**stored, **conflict_document(conflict)})

    async def close_conflict(self, conflict_id: str, now: dt.datetime) -> None:
        async def close(doc: Document) -> tuple[Document, list[Payload]] | None:
            if doc["state"] != "open":
                return None
            return {**doc, "state": "closed", "closed_at": now}, []

        await self.writer.update(CONFLICTS, conflict_id, close)

    async def open_conflicts_of_organisation(
        self, organisation_id: str, paging: Paging, *, now: dt.datetime | None = None
    ) -> tuple[list[Conflict], int]:
        """Open conflicts of the organisation by time; with `now`, only those not over yet
        (a clash whose overlap has passed is nothing to act on any more)."""
        query = {"state": "open", "organisation_ids": {"$in": [organisation_id]}}
        cursor = (
            self.db[CONFLICTS]
            .find(query)
            .sort([("overlap_start_s", ASCENDING), ("_id", ASCENDING)])
        )
        everything = [
            conflict_from_document(doc)
            async for doc in cursor
            if now is None or doc["overlap_ends_at"] > now
        ]
        return paging.page_of(everything)

    # organisations -----------------------------------------------------------------------

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        return await projected_organisation(self.db[ORGANISATIONS], organisation_id)

    async def apply_organisation(self, facts: OrganisationFacts) -> bool:
        """Take the directory's facts unless we already hold a newer revision; True if taken."""
        return await apply_revision(
            self.db[ORGANISATIONS],
            facts.organisation_id,
            facts.revision,
            {
                "name": facts.name,
                "status": facts.status.value,
                "email": facts.email,
                "language": facts.preferred_language,
                "updated_at": facts.updated_at,
            },
        )

    # imports -----------------------------------------------------------------------------

    async def add_import(self, feed: FeedImport) -> FeedImport:
        doc = import_document(feed)
        doc["next_fetch_s"] = epoch(feed.created_at)
        return import_from_document(await self.writer.insert(IMPORTS, doc))

    async def get_import(self, import_id: str) -> FeedImport | None:
        doc = await self.db[IMPORTS].find_one({"_id": import_id}, NO_OUTBOX)
        return import_from_document(doc) if doc else None

    async def imports_of(self, organisation_id: str) -> list[FeedImport]:
        cursor = self.db[IMPORTS].find({"organisation_id": organisation_id}, NO_OUTBOX)
        found = sorted([doc async for doc in cursor], key=lambda d: d["created_at"])
        return [import_from_document(doc) for doc in found]

    async def due_import_ids(self, now_s: int) -> list[str]:
        cursor = self.db[IMPORTS].find({"next_fetch_s": {"$lte": now_s}}, {"_id": 1})
        return [doc["_id"] async for doc in cursor]

    async def claim_import(self, import_id: str, now_s: int, next_s: int) -> FeedImport | None:
        """Take a due import for this round; several replicas never fetch one feed at once."""
        doc = await self.db[IMPORTS].find_one_and_update(
            {"_id": import_id, "next_fetch_s": {"$lte": now_s}},
            {"$set": {"next_fetch_s": next_s}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        return import_from_document(doc) if doc else None

    async def save_import_result(self, import_id: str, outcome: ImportOutcome) -> None:
        result: Document = {
            "last_fetched_at": outcome.fetched_at,
            "state": outcome.state,
            "last_error": outcome.error,
            "last_result": dataclasses.asdict(outcome.counts),
            "problems": outcome.problems,
        }

        async def apply(doc: Document) -> tuple[Document, list[Payload]]:
            if doc["state"] == "stopped":
                # Stopped while it was fetched: the outcome is kept, the stop too.
                return {**doc, **result, "state": "stopped", "last_error": doc["last_error"]}, []
            return {**doc, **result}, []

        await self.writer.update(IMPORTS, import_id, apply)

    async def stop_imports_of(self, organisation_id: str, note: str) -> int:
        """Never fetch the organisation's feeds again; returns how many were still running."""
        stopped = 0
        for found in await self.imports_of(organisation_id):
            if found.state == "stopped":
                continue

            async def stop(doc: Document) -> tuple[Document, list[Payload]]:
                return {**doc, "state": "stopped", "next_fetch_s": NEVER, "last_error": note}, []

            await self.writer.update(IMPORTS, found.id, stop)
            stopped += 1
        return stopped
