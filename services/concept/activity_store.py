"""The activities that carry measures out, stored so that a measure's page and the report's
counts are read by index, whatever the number of events and listings.

Three collections, all derived from the calendar's and the exchange's events:

- `activities`: the newest revision of each event or listing (`apply_revision`), with every
  measure it names — the record the other two follow;
- `activity_links`: one document per measure and activity, with a scalar `measure_id` (an
  index on a list answers `$all` by scanning on the embedded server) and the activity's fields
  at the newest revision; a measure the activity no longer names keeps its link, closed, so a
  late older revision cannot bring it back;
- `activity_counts`: per measure, how many active events and listings of each visibility its
  links hold — what the report needs, without reading every activity.

Most events and listings name no measure. The first revision of such an activity is inserted
alone, and a newer one replaces a stored revision that named none either, without reading its
links: none can be active (a measure named earlier had its link closed when the revision that
dropped it was followed; a follow cut short is repeated when its event is redelivered).

Links follow the stored activity, not the incoming event: whatever order revisions arrive in,
they end up at the activity's newest revision. Counts are recounted from a measure's links after
every event naming it; a recount is written only if no other recount of that measure began since
(`changes`, an integer bumped before counting), so the last one to start is the one that stays.
A redelivered event recounts again, which heals a count left behind by a crash."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.concept.repository import Activity, ActivityCount
from shared.mongo import CollectionIndexes, Document, HotQuery
from shared.pages import Paging
from shared.projection import apply_revision

ACTIVITIES = "activities"
ACTIVITY_LINKS = "activity_links"
ACTIVITY_COUNTS = "activity_counts"

ACTIVE = "active"
CLOSED = "closed"
VISIBILITIES = ("public", "network")
KINDS = ("events", "listings")
#: how often links are brought up to a revision that changed while they were written
MAX_LINK_ROUNDS = 10

#: Each equality of the hot queries ends an index's name (docs/storage.md, query planning).
ACTIVITY_INDEXES = (
    CollectionIndexes(
        ACTIVITY_LINKS,
        (IndexModel([("measure_id", ASCENDING)]), IndexModel([("activity_id", ASCENDING)])),
    ),
)


_ACTIVITY = TypeAdapter(Activity)


def activity_fields(activity: Activity) -> Document:
    """An activity's fields as stored: `state` for whether it is active, and no revision
    (`apply_revision` writes it)."""
    fields = _ACTIVITY.dump_python(activity, exclude={"active", "revision"})
    return {**fields, "state": ACTIVE if activity.active else CLOSED}


def activity_document(activity: Activity) -> Document:
    """The stored activity: its fields and whether it names measures (a string: a boolean
    written with `$set` is not kept on the embedded server, docs/storage.md)."""
    return {
        **activity_fields(activity),
        "names_measures": "yes" if activity.measure_ids else "no",
        "revision": activity.revision,
        "_id": activity.id,
    }


def activity_from_document(doc: Document) -> Activity:
    """The activity of a stored activity or link (a link carries its activity's fields)."""
    return _ACTIVITY.validate_python({**doc, "active": doc["state"] == ACTIVE})


def link_id(activity_id: str, measure_id: str) -> str:
    return f"{activity_id}|{measure_id}"


def link_fields(activity: Activity, measure_id: str) -> Document:
    """The link of `activity` to a measure: active only while the activity counts and still
    names the measure."""
    fields = activity_fields(activity)
    if measure_id not in activity.measure_ids:
        fields["state"] = CLOSED
    return {**fields, "activity_id": activity.id, "measure_id": measure_id}


def link_documents(activity: Activity) -> list[Document]:
    """The links of an activity as first stored (the benchmark loads them in bulk)."""
    return [
        {"_id": link_id(activity.id, m), **link_fields(activity, m), "revision": activity.revision}
        for m in activity.measure_ids
    ]


def links_query(measure_id: str, visibilities: Sequence[str]) -> Document:
    return {
        "measure_id": measure_id,
        "state": ACTIVE,
        "visibility": {"$in": list(visibilities)},
    }


def counted_fields(links: Sequence[Document]) -> dict[str, int]:
    """`public_events`, `network_listings`, …: active links of a measure by visibility and
    kind (listings are public)."""
    counts = {f"{v}_{k}": 0 for v in VISIBILITIES for k in KINDS}
    for link in links:
        kind = "events" if link["kind"] == "event" else "listings"
        key = f"{link['visibility']}_{kind}"
        if key in counts:
            counts[key] += 1
    return counts


def activity_hot_queries(measure_id: str) -> list[HotQuery]:
    """What a measure's page and every consumed event ask of the activities."""
    return [
        HotQuery("measure page: activities", ACTIVITY_LINKS, links_query(measure_id, ["public"])),
        HotQuery("activity events: the activity", ACTIVITIES, {"_id": f"event:{measure_id}"}),
        HotQuery("activity events: its links", ACTIVITY_LINKS, {"activity_id": "event:x"}),
        HotQuery(
            "activity events: a measure's active links",
            ACTIVITY_LINKS,
            {"measure_id": measure_id, "state": ACTIVE},
        ),
        HotQuery(
            "activity events: a measure's counts",
            ACTIVITY_COUNTS,
            {"_id": measure_id, "changes": 1},
        ),
    ]


class ActivityStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db

    async def project(self, activity: Activity) -> None:
        """Keep the newest revision of the activity, bring its links up to it and recount the
        measures it names or named. Older or repeated revisions change nothing but recount."""
        if not activity.measure_ids and await self._store_without_links(activity):
            return
        await apply_revision(
            self.db[ACTIVITIES], activity.id, activity.revision, activity_document(activity)
        )
        for measure_id in sorted(await self._follow(activity.id)):
            await self.recount(measure_id)

    async def _store_without_links(self, activity: Activity) -> bool:
        """Store an activity that names no measure where no link of it can be active: as its
        first revision, or over an older stored revision that named none. False where the
        whole projection is needed."""
        document = activity_document(activity)
        try:
            await self.db[ACTIVITIES].insert_one(dict(document))
        except DuplicateKeyError:
            replaced = await self.db[ACTIVITIES].replace_one(
                {
                    "_id": activity.id,
                    "revision": {"$lt": activity.revision},
                    "names_measures": "no",
                },
                document,
            )
            return bool(replaced.matched_count)
        return True

    async def _follow(self, activity_id: str) -> set[str]:
        """Write the links of the stored (newest) revision; again if it changed meanwhile.
        Returns every measure the activity has a link to."""
        measures: set[str] = set()
        stored = await self.db[ACTIVITIES].find_one({"_id": activity_id})
        for _ in range(MAX_LINK_ROUNDS):
            if stored is None:
                break
            newest = activity_from_document(stored)
            linked = self.db[ACTIVITY_LINKS].find({"activity_id": activity_id}, {"measure_id": 1})
            measures = {doc["measure_id"] async for doc in linked} | set(newest.measure_ids)
            for measure_id in sorted(measures):
                await apply_revision(
                    self.db[ACTIVITY_LINKS],
                    link_id(activity_id, measure_id),
                    newest.revision,
                    link_fields(newest, measure_id),
                )
            again = await self.db[ACTIVITIES].find_one({"_id": activity_id})
            if again is None or int(again["revision"]) == newest.revision:
                break
            stored = again
        return measures

    async def recount(self, measure_id: str) -> None:
        """Count a measure's active links into its counts document. Written only if no other
        recount of the measure began meanwhile: that one counts what this one may have missed."""
        zero = {key: 0 for key in counted_fields([])}
        await self.db[ACTIVITY_COUNTS].update_one(
            {"_id": measure_id}, {"$inc": {"changes": 1, **zero}}, upsert=True
        )
        begun = await self.db[ACTIVITY_COUNTS].find_one({"_id": measure_id}, {"changes": 1})
        if begun is None:  # cannot be: it was just written
            return
        links = self.db[ACTIVITY_LINKS].find(
            {"measure_id": measure_id, "state": ACTIVE}, {"kind": 1, "visibility": 1}
        )
        counts = counted_fields([doc async for doc in links])
        await self.db[ACTIVITY_COUNTS].update_one(
            {"_id": measure_id, "changes": int(begun["changes"])}, {"$set": counts}
        )

    async def of_measure(
        self, measure_id: str, visibilities: Sequence[str], paging: Paging
    ) -> tuple[list[Activity], int]:
        """A page of the measure's activities, newest first, and how many there are. They are
        counted by reading their ids: `count_documents` scans on the embedded server."""
        query = links_query(measure_id, visibilities)
        links = self.db[ACTIVITY_LINKS]
        cursor = (
            links.find(query)
            .sort([("occurred_at", DESCENDING), ("_id", DESCENDING)])
            .skip(paging.offset)
            .limit(paging.limit)
        )
        items = [activity_from_document(doc) async for doc in cursor]
        total = len([doc async for doc in links.find(query, {"_id": 1})])
        return items, total

    async def counts(self, visibilities: Sequence[str]) -> dict[str, ActivityCount]:
        counted: dict[str, ActivityCount] = {}
        async for doc in self.db[ACTIVITY_COUNTS].find({}):
            events = sum(int(doc.get(f"{v}_events", 0)) for v in visibilities)
            listings = sum(int(doc.get(f"{v}_listings", 0)) for v in visibilities)
            if events or listings:
                counted[doc["_id"]] = ActivityCount(events=events, listings=listings)
        return counted
