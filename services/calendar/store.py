"""The calendar's storage: events, conflicts, imports, and its projection of organisations.

Finding the events of a time window must not read the whole calendar, on MongoDB and on the
embedded server alike. Measured on nx-27017: ranges on datetimes are not served by an index
(full scan), ranges on a single indexed integer or string field are, equality next to a range
keeps a compound index from being used, and `$or` of ranges is slower than separate queries.
So every event document carries string keys whose order is (span class, first start):

    window_key   = "<class>:<start, epoch seconds, 11 digits>"
    room_key     = "<hash of venue+room>:<class>:<start>"        ("" when it books no room)
    audience_key = "<hash of district>:<class>:<start>"          ("" without district/audience)

The span class groups series by the length of their span (first start to last end, in powers
of four hours). An event of class c overlaps [start, end) only if its first start lies in
[start - longest span of c, end): one bounded range on one indexed field per class, so a window
costs len(SPAN_CLASSES) index range scans whatever the size of the calendar, and each returns at
most about four times what really overlaps. Keys decide only what is *read*; the pure clash
detection decides what clashes, so a hash collision costs a few extra reads, never a wrong answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.calendar.clashes import Clash, district_key, venue_key
from services.calendar.domain import Event, OccurrenceOverride, series_span
from shared.contracts.base import Payload
from shared.contracts.directory import OrganisationFacts, OrganisationStatus
from shared.mongo import CollectionIndexes, Document
from shared.outbox import ConcurrentUpdateError, OutboxWriter
from shared.projection import apply_revision

EVENTS = "events"
CONFLICTS = "conflicts"
ORGANISATIONS = "organisations"
IMPORTS = "imports"
#: `next_fetch_s` of a stopped import: never due.
NEVER = 2**62

OUTBOX_COLLECTIONS = (EVENTS,)

#: Longest span of each span class: 4 h, 16 h, 64 h, … ~7.5 years (powers of four).
SPAN_CLASSES = tuple(dt.timedelta(hours=4 * 4**n) for n in range(8))

# No index on array fields: on nx-27017 an index on an array field makes equality queries on
# it find nothing. Lists are matched with `$in`, which stays correct.
INDEXES = (
    CollectionIndexes(
        EVENTS,
        (
            IndexModel([("window_key", ASCENDING)]),
            IndexModel([("room_key", ASCENDING)]),
            IndexModel([("audience_key", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("import_id", ASCENDING)]),
        ),
    ),
    CollectionIndexes(
        CONFLICTS,
        (
            IndexModel([("state", ASCENDING)]),
            # Each save looks up the conflicts of its event by these two scalar fields.
            IndexModel([("event_id", ASCENDING)]),
            IndexModel([("other_event_id", ASCENDING)]),
        ),
    ),
    CollectionIndexes(
        IMPORTS,
        (
            IndexModel([("next_fetch_s", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
        ),
    ),
)


# --- keys ---------------------------------------------------------------------------------


def span_class(length: dt.timedelta) -> int:
    for number, longest in enumerate(SPAN_CLASSES):
        if length <= longest:
            return number
    return len(SPAN_CLASSES) - 1  # validation keeps spans far below the last class


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def _prefix(text: str | None) -> str:
    if not text:
        return ""
    return hashlib.sha256(text.encode()).hexdigest()[:16] + ":"


def _key(prefix: str, number: int, start_s: int) -> str:
    return f"{prefix}{number}:{max(start_s, 0):011d}"


def index_keys(event: Event) -> Document:
    """The derived fields that let windows and clash candidates be found by index."""
    first, last = series_span(event)
    number = span_class(last - first)
    start_s = _epoch(first)
    room = venue_key(event)
    district = district_key(event.district)
    clashable = not event.cancelled
    return {
        "organiser_ids": event.organiser_ids,
        "district_key": district or "",
        "series_ends_at": last,
        "span_start_s": start_s,
        "span_end_s": _epoch(last),
        "window_key": _key("", number, start_s),
        "room_key": _key(_prefix(room), number, start_s) if room and clashable else "",
        "audience_key": (
            _key(_prefix(district), number, start_s)
            if district and event.audience and clashable
            else ""
        ),
    }


def window_queries(
    start: dt.datetime, end: dt.datetime, *, field: str = "window_key", value: str | None = None
) -> list[Document]:
    """One bounded index range per span class: together they find every event with a date in
    [start, end) (and a few that have none there)."""
    prefix = _prefix(value)
    start_s, end_s = _epoch(start), _epoch(end)
    return [
        {
            field: {
                "$gte": _key(prefix, number, start_s - int(longest.total_seconds())),
                "$lt": _key(prefix, number, end_s),
            },
            "span_end_s": {"$gt": start_s},
        }
        for number, longest in enumerate(SPAN_CLASSES)
    ]


# --- documents ----------------------------------------------------------------------------


def event_document(event: Event) -> Document:
    data = event.model_dump(mode="python")
    doc: Document = {"_id": data.pop("id"), **data}
    doc["audience"] = [a.value for a in event.audience]
    doc["fields"] = [f.value for f in event.fields]
    doc["visibility"] = event.visibility.value
    doc["status"] = event.status.value
    doc["venue"] = event.venue.model_dump() if event.venue else None
    doc["overrides"] = {key: o.model_dump() for key, o in event.overrides.items()}
    doc.update(index_keys(event))
    return doc


def event_from_document(doc: Document) -> Event:
    values = {key: value for key, value in doc.items() if key in Event.model_fields}
    values["id"] = doc["_id"]
    values["overrides"] = {
        key: OccurrenceOverride.model_validate(raw)
        for key, raw in (doc.get("overrides") or {}).items()
    }
    return Event.model_validate(values)


def conflict_document(clash: Clash, organisation_ids: Sequence[str], now: dt.datetime) -> Document:
    return {
        "_id": clash.conflict_id,
        "kind": clash.kind.value,
        "event_id": clash.event_id,
        "other_event_id": clash.other_event_id,
        "event_ids": sorted({clash.event_id, clash.other_event_id}),
        "occurrence_start": clash.occurrence_start,
        "other_occurrence_start": clash.other_occurrence_start,
        "organisation_ids": list(dict.fromkeys(organisation_ids)),
        "overlap_starts_at": clash.overlap_starts_at,
        "overlap_ends_at": clash.overlap_ends_at,
        "overlap_start_s": _epoch(clash.overlap_starts_at),
        "district": clash.district,
        "shared_audience": [a.value for a in clash.shared_audience],
        "venue": clash.venue.model_dump() if clash.venue else None,
        "state": "open",
        "detected_at": now,
        "closed_at": None,
    }


@dataclass(frozen=True)
class KnownOrganisation:
    """What the calendar knows of an organisation from the directory's events."""

    id: str
    name: str
    status: OrganisationStatus
    revision: int

    @property
    def active(self) -> bool:
        return self.status is OrganisationStatus.ACTIVE


@dataclass(frozen=True)
class EventFilter:
    """Filters of `/events` and the feeds; `None` means any."""

    organisation: str | None = None
    district: str | None = None
    language: str | None = None
    audience: str | None = None
    field: str | None = None
    include_network: bool = False

    def query(self) -> Document:
        query: Document = {}
        if not self.include_network:
            query["visibility"] = "public"
        if self.organisation:
            query["organiser_ids"] = {"$in": [self.organisation]}
        if self.district:
            query["district_key"] = district_key(self.district) or ""
        if self.language:
            query["languages"] = {"$in": [self.language]}
        if self.audience:
            query["audience"] = {"$in": [self.audience]}
        if self.field:
            query["fields"] = {"$in": [self.field]}
        return query


_NO_OUTBOX = {"outbox": 0}


class CalendarStore:
    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer

    # events ------------------------------------------------------------------------------

    async def get_event_document(self, event_id: str) -> Document | None:
        return await self.db[EVENTS].find_one({"_id": event_id})

    async def get_event(self, event_id: str) -> Event | None:
        doc = await self.db[EVENTS].find_one({"_id": event_id}, _NO_OUTBOX)
        return event_from_document(doc) if doc else None

    async def add_event(
        self, event: Event, messages: Sequence[Payload], correlation_id: str | None
    ) -> None:
        await self.writer.insert(
            EVENTS, event_document(event), messages, correlation_id=correlation_id
        )

    async def replace_event(
        self,
        loaded: Document,
        event: Event,
        messages: Sequence[Payload],
        correlation_id: str | None,
    ) -> None:
        """Write a changed event over the document it was loaded from; raises
        ConcurrentUpdateError when someone else wrote it meanwhile."""
        await self.writer.replace(
            EVENTS, {**loaded, **event_document(event)}, messages, correlation_id=correlation_id
        )

    async def events_in_window(
        self,
        start: dt.datetime,
        end: dt.datetime,
        *,
        field: str = "window_key",
        value: str | None = None,
        filters: Document | None = None,
    ) -> list[Event]:
        """Events with a date in [start, end) (and a few without), by indexed key ranges."""
        found: dict[str, Event] = {}
        for query in window_queries(start, end, field=field, value=value):
            async for doc in self.db[EVENTS].find({**query, **(filters or {})}, _NO_OUTBOX):
                found.setdefault(doc["_id"], event_from_document(doc))
        return list(found.values())

    async def clash_candidates(
        self, event: Event, start: dt.datetime, end: dt.datetime
    ) -> list[Event]:
        """Events that may clash with `event` in [start, end): same room or same district."""
        found: dict[str, Event] = {}
        room = venue_key(event)
        if room is not None:
            for other in await self.events_in_window(start, end, field="room_key", value=room):
                found[other.id] = other
        district = district_key(event.district)
        if district is not None and event.audience:
            for other in await self.events_in_window(
                start, end, field="audience_key", value=district
            ):
                found[other.id] = other
        found.pop(event.id, None)
        return list(found.values())

    async def future_event_ids(self, organisation_id: str, now: dt.datetime) -> list[str]:
        cursor = self.db[EVENTS].find(
            {
                "organisation_id": organisation_id,
                "status": "scheduled",
                "span_end_s": {"$gt": _epoch(now)},
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
                "span_end_s": {"$gt": _epoch(now)},
            },
            _NO_OUTBOX,
        )
        found = [event_from_document(doc) async for doc in cursor]
        return sorted(found, key=lambda event: (event.starts_at, event.id))

    async def imported_events(self, import_id: str) -> list[Document]:
        cursor = self.db[EVENTS].find(
            {"import_id": import_id},
            {"_id": 1, "import_uid": 1, "status": 1, "span_end_s": 1},
        )
        return [doc async for doc in cursor]

    # conflicts ---------------------------------------------------------------------------

    async def conflicts_by_id(self, ids: Sequence[str]) -> dict[str, Document]:
        if not ids:
            return {}
        cursor = self.db[CONFLICTS].find({"_id": {"$in": list(ids)}})
        return {doc["_id"]: doc async for doc in cursor}

    async def open_conflicts_of_event(self, event_id: str) -> list[Document]:
        """By the indexed scalar fields (one equality each), not by the `event_ids` array."""
        found: dict[str, Document] = {}
        for field in ("event_id", "other_event_id"):
            async for doc in self.db[CONFLICTS].find({field: event_id}):
                if doc["state"] == "open":
                    found.setdefault(doc["_id"], doc)
        return list(found.values())

    async def open_conflict(self, conflict: Document, existing: Document | None) -> None:
        if existing is None:
            try:
                await self.writer.insert(CONFLICTS, conflict)
                return
            except DuplicateKeyError:
                existing = await self.db[CONFLICTS].find_one({"_id": conflict["_id"]})
                if existing is None:
                    return
        # A concurrent save of the other event may have reopened it first.
        with contextlib.suppress(ConcurrentUpdateError):
            await self.writer.replace(CONFLICTS, {**existing, **conflict})

    async def close_conflict(self, conflict_id: str, now: dt.datetime) -> None:
        async def close(doc: Document) -> tuple[Document, list[Payload]] | None:
            if doc["state"] != "open":
                return None
            return {**doc, "state": "closed", "closed_at": now}, []

        await self.writer.update(CONFLICTS, conflict_id, close)

    async def open_conflicts_of_organisation(
        self, organisation_id: str, *, limit: int, offset: int, now: dt.datetime | None = None
    ) -> tuple[list[Document], int]:
        """Open conflicts of the organisation by time; with `now`, only those not over yet
        (a clash whose overlap has passed is nothing to act on any more)."""
        query = {"state": "open", "organisation_ids": {"$in": [organisation_id]}}
        cursor = (
            self.db[CONFLICTS]
            .find(query)
            .sort([("overlap_start_s", ASCENDING), ("_id", ASCENDING)])
        )
        everything = [doc async for doc in cursor if now is None or doc["overlap_ends_at"] > now]
        return everything[offset : offset + limit], len(everything)

    # organisations -----------------------------------------------------------------------

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        doc = await self.db[ORGANISATIONS].find_one({"_id": organisation_id})
        if doc is None:
            return None
        return KnownOrganisation(
            id=doc["_id"],
            name=doc["name"],
            status=OrganisationStatus(doc["status"]),
            revision=int(doc["revision"]),
        )

    async def apply_organisation(self, facts: OrganisationFacts) -> bool:
        """Take the directory's facts unless we already hold a newer revision; True if taken."""
        return await apply_revision(
            self.db[ORGANISATIONS],
            facts.organisation_id,
            facts.revision,
            {"name": facts.name, "status": facts.status.value, "updated_at": facts.updated_at},
        )

    # imports -----------------------------------------------------------------------------

    async def add_import(self, doc: Document) -> Document:
        return await self.writer.insert(IMPORTS, doc)

    async def get_import(self, import_id: str) -> Document | None:
        return await self.db[IMPORTS].find_one({"_id": import_id}, _NO_OUTBOX)

    async def imports_of(self, organisation_id: str) -> list[Document]:
        cursor = self.db[IMPORTS].find({"organisation_id": organisation_id}, _NO_OUTBOX)
        return sorted([doc async for doc in cursor], key=lambda d: d["created_at"])

    async def due_import_ids(self, now_s: int) -> list[str]:
        cursor = self.db[IMPORTS].find({"next_fetch_s": {"$lte": now_s}}, {"_id": 1})
        return [doc["_id"] async for doc in cursor]

    async def claim_import(self, import_id: str, now_s: int, next_s: int) -> Document | None:
        """Take a due import for this round; several replicas never fetch one feed at once."""
        return await self.db[IMPORTS].find_one_and_update(
            {"_id": import_id, "next_fetch_s": {"$lte": now_s}},
            {"$set": {"next_fetch_s": next_s}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )

    async def save_import_result(self, import_id: str, result: Document) -> None:
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
            if found["state"] == "stopped":
                continue

            async def stop(doc: Document) -> tuple[Document, list[Payload]]:
                return {**doc, "state": "stopped", "next_fetch_s": NEVER, "last_error": note}, []

            await self.writer.update(IMPORTS, found["_id"], stop)
            stopped += 1
        return stopped
