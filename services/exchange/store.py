"""The exchange's storage: listings, matches, and its projection of the directory's
organisations."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from services.exchange.domain import Listing
from services.exchange.matching import language_key, match_keys, tag_keys
from services.exchange.repository import (
    ListingChange,
    ListingFilters,
    MatchChange,
    Rating,
    RecordedMatch,
)
from shared.contracts.base import Payload
from shared.contracts.exchange import (
    ListingCategory,
    ListingKind,
    MatchSide,
    MatchVerdict,
    RatingChannel,
)
from shared.mongo import (
    CollectionIndexes,
    Document,
    HotQuery,
    Search,
    documents_by_id,
    entity_document,
    entity_fields,
    find_page,
    inserted,
)
from shared.outbox import OutboxWriter
from shared.pages import Paging
from shared.projection import KnownOrganisation, apply_revision, projected_organisation
from shared.text import fold, query_terms, search_terms

LISTINGS = "listings"
MATCHES = "matches"
ORGANISATIONS = "organisations"

OUTBOX_COLLECTIONS = (LISTINGS, MATCHES)

#: Candidates fetched per candidate query; a posting never reads more than a few of these.
CANDIDATES_PER_QUERY = 50

NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]

#: nx-27017 uses an index for an equality only if some index *ends* with that field (else it
#: adds an array-containment OR that scans); MongoDB does not care how equality fields are
#: ordered among themselves, so each compound below ends with one of the equality fields.
INDEXES = (
    CollectionIndexes(
        LISTINGS,
        (
            # listing pages, and the newest open listings of a kind in a category
            IndexModel([("kind", ASCENDING), ("status", ASCENDING), ("created_at", DESCENDING)]),
            IndexModel(
                [
                    ("category", ASCENDING),
                    ("kind", ASCENDING),
                    ("status", ASCENDING),
                    ("created_at", DESCENDING),
                ]
            ),
            # candidate queries and filters: one multikey field each, then the equalities
            IndexModel(
                [
                    ("tags_key", ASCENDING),
                    ("kind", ASCENDING),
                    ("status", ASCENDING),
                    ("category", ASCENDING),
                ]
            ),
            IndexModel(
                [
                    ("language_keys", ASCENDING),
                    ("category", ASCENDING),
                    ("status", ASCENDING),
                    ("kind", ASCENDING),
                ]
            ),
            IndexModel(
                [
                    ("search_terms", ASCENDING),
                    ("category", ASCENDING),
                    ("kind", ASCENDING),
                    ("status", ASCENDING),
                ]
            ),
            IndexModel(
                [
                    ("category", ASCENDING),
                    ("kind", ASCENDING),
                    ("status", ASCENDING),
                    ("district_key", ASCENDING),
                ]
            ),
            IndexModel(
                [
                    ("match_keys", ASCENDING),
                    ("category", ASCENDING),
                    ("kind", ASCENDING),
                    ("status", ASCENDING),
                ]
            ),
            IndexModel([("status", ASCENDING), ("organisation_id", ASCENDING)]),
            # the expiry sweep
            IndexModel([("status", ASCENDING), ("expires_at", ASCENDING)]),
            # the office's figures: listings fulfilled since a date
            IndexModel([("updated_at", ASCENDING), ("status", ASCENDING)]),
        ),
    ),
    CollectionIndexes(
        MATCHES,
        (
            IndexModel([("organisation_ids", ASCENDING), ("found_at", DESCENDING)]),
            # a rating names the match by its id; the office's figures read the rated ones
            IndexModel([("match_id", ASCENDING)], unique=True),
            IndexModel([("last_rated_at", ASCENDING)]),
        ),
    ),
)


# --- documents ----------------------------------------------------------------------------


def listing_document(listing: Listing) -> Document:
    """A listing as stored, with the folded keys its queries use."""
    doc = entity_document(listing)
    doc["kind"] = listing.kind.value
    doc["category"] = listing.category.value
    doc["status"] = listing.status.value
    doc["closed_reason"] = listing.closed_reason.value if listing.closed_reason else None
    doc["tags_key"] = list(tag_keys(listing.tags))
    doc["language_keys"] = sorted({language_key(tag) for tag in listing.languages})
    doc["district_key"] = fold(listing.district) if listing.district else None
    doc["search_terms"] = search_terms(listing.title, listing.description, " ".join(listing.tags))
    doc["match_keys"] = match_keys(listing) or [NO_KEYS]
    return doc


#: What a listing is read with: its own fields, not the keys stored for its queries (the search
#: words and their prefixes alone outweigh the rest) nor its outbox. Reading candidates is the
#: hot path of matching, and the server encodes and the client decodes every field it returns.
LISTING_FIELDS: Document = {name: 1 for name in Listing.model_fields if name != "id"}


def listing_from_document(doc: Document) -> Listing:
    return Listing(**entity_fields(doc, Listing))


def match_document(match: RecordedMatch) -> Document:
    """A recorded match as stored, keyed by its pair of listings."""
    data = {f.name: getattr(match, f.name) for f in dataclasses.fields(match)}
    doc: Document = {"_id": data.pop("pair_id"), **data}
    doc["category"] = match.category.value
    # one list, so "matches of an organisation" is one indexed `$all` (no `$or`)
    doc["organisation_ids"] = match.organisation_ids
    doc["ratings"] = {
        side.value: {
            "verdict": rating.verdict.value,
            "via": rating.via.value,
            "rated_at": rating.rated_at,
        }
        for side, rating in match.ratings.items()
    }
    # whom it is no longer shown to (`$nin`), and since when it has ratings (the figures)
    doc["dismissed_by"] = match.dismissed_by
    doc["last_rated_at"] = match.last_rated_at
    return doc


def match_from_document(doc: Document) -> RecordedMatch:
    return RecordedMatch(
        pair_id=doc["_id"],
        match_id=doc["match_id"],
        offer_id=doc["offer_id"],
        request_id=doc["request_id"],
        offer_organisation_id=doc["offer_organisation_id"],
        request_organisation_id=doc["request_organisation_id"],
        category=ListingCategory(doc["category"]),
        score=float(doc["score"]),
        reasons=list(doc["reasons"]),
        offer_title=doc["offer_title"],
        request_title=doc["request_title"],
        found_at=doc["found_at"],
        # matches recorded before ratings existed have none
        ratings={
            MatchSide(side): Rating(
                verdict=MatchVerdict(rating["verdict"]),
                via=RatingChannel(rating["via"]),
                rated_at=rating["rated_at"],
            )
            for side, rating in (doc.get("ratings") or {}).items()
        },
    )


def other_kind(kind: ListingKind) -> ListingKind:
    return ListingKind.REQUEST if kind is ListingKind.OFFER else ListingKind.OFFER


#: Categories whose listings fit by what they are for rather than by a word they share (a
#: "Saal" for a "Gedenkveranstaltung", a "Vereinsbus" for a "Fahrt zum Turnier", a tax adviser
#: for a "Vereinsgründung"): the newest open listings of the category are candidates too. In the
#: others (things, helpers, partners) every fit of the labelled sets shares a key; a listing
#: that names nothing the matching knows is stored under `NO_KEYS` and found by every keyed one.
BROAD_CATEGORIES = frozenset(
    {ListingCategory.ROOM, ListingCategory.TRANSPORT, ListingCategory.EXPERTISE}
)
NO_KEYS = "-"


def candidate_filters(listing: Listing) -> list[Document]:
    """Indexed queries for the open listings of the other kind that could fit `listing`:
    those sharing a match key (a thing, a topic, a language practised, a kind of help) or
    having none, a language or the district; the newest in its category where a fit need not
    share a key (rooms, or a listing without keys). Each is read with a limit, so matching
    never scans all listings."""
    base: Document = {
        "category": listing.category.value,
        "kind": other_kind(listing.kind).value,
        "status": "open",
    }
    filters = []
    keys = match_keys(listing)
    if keys:  # those sharing a key, and those that name nothing the matching knows
        filters.append({**base, "match_keys": {"$in": [*keys, NO_KEYS]}})
    if not keys or listing.category in BROAD_CATEGORIES:
        filters.append(base)
    languages = sorted({language_key(tag) for tag in listing.languages})
    if languages:
        filters.append({**base, "language_keys": {"$in": languages}})
    if listing.district:
        filters.append({**base, "district_key": fold(listing.district)})
    return filters


def hot_queries(sample: Listing) -> list[HotQuery]:
    """What matching a new listing like `sample` asks the database."""
    candidates = [
        HotQuery(f"matching: candidates {sorted(query)}", LISTINGS, query)
        for query in candidate_filters(sample)
    ]
    return [
        *candidates,
        HotQuery("matching: listings by id", LISTINGS, {"_id": {"$in": [sample.id]}}),
        HotQuery("matching: known pairs", MATCHES, {"_id": {"$in": ["a:b"]}}),
        HotQuery("posting: organisation", ORGANISATIONS, {"_id": sample.organisation_id}),
    ]


def listing_filter_query(filters: ListingFilters) -> Document:
    """The MongoDB filter of a search of the listings."""
    query: Document = {"kind": filters.kind.value, "status": filters.status.value}
    if filters.category is not None:
        query["category"] = filters.category.value
    if filters.tag:
        query["tags_key"] = {"$all": [fold(filters.tag.strip())]}
    if filters.district:
        query["district_key"] = fold(filters.district.strip())
    if filters.language:
        query["language_keys"] = {"$all": [language_key(filters.language)]}
    if filters.organisation_id:
        query["organisation_id"] = filters.organisation_id
    terms = query_terms(filters.text) if filters.text else []
    if terms:
        query["search_terms"] = {"$all": terms}
    return query


LISTING_SEARCH = Search(
    LISTINGS, listing_filter_query, NEWEST_FIRST, listing_from_document, LISTING_FIELDS
)


class ExchangeStore:
    def __init__(self, db: AsyncDatabase[Document], writer: OutboxWriter) -> None:
        self.db = db
        self.writer = writer

    # listings ----------------------------------------------------------------------------

    async def add_listing(
        self, listing: Listing, events: Sequence[Payload], correlation_id: str | None
    ) -> None:
        await self.writer.insert(
            LISTINGS, listing_document(listing), events, correlation_id=correlation_id
        )

    async def update_listing(
        self, listing_id: str, change: ListingChange, correlation_id: str | None
    ) -> Listing | None:
        """Load a listing, change it and write it back with the events the change caused
        (retried on a concurrent write); `change` returns None to write nothing. None when the
        listing does not exist."""
        return await self.writer.update_entity(
            LISTINGS,
            listing_id,
            change,
            read=listing_from_document,
            write=listing_document,
            correlation_id=correlation_id,
        )

    async def get_listing(self, listing_id: str) -> Listing | None:
        doc = await self.db[LISTINGS].find_one({"_id": listing_id}, LISTING_FIELDS)
        return listing_from_document(doc) if doc else None

    async def listings_by_id(self, listing_ids: Sequence[str]) -> dict[str, Listing]:
        found = await documents_by_id(self.db[LISTINGS], listing_ids, LISTING_FIELDS)
        return {listing_id: listing_from_document(doc) for listing_id, doc in found.items()}

    async def find_listings(
        self, filters: ListingFilters, paging: Paging
    ) -> tuple[list[Listing], int]:
        return await LISTING_SEARCH.page(self.db, filters, paging)

    async def match_candidates(self, listing: Listing) -> list[Listing]:
        """The union of the candidate queries' results (at most a few hundred listings)."""
        batches = await asyncio.gather(
            *(
                self.db[LISTINGS]
                .find(query, LISTING_FIELDS)
                .sort(NEWEST_FIRST)
                .limit(CANDIDATES_PER_QUERY)
                .to_list(CANDIDATES_PER_QUERY)
                for query in candidate_filters(listing)
            )
        )
        found: dict[str, Listing] = {}
        for doc in (doc for batch in batches for doc in batch):
            if doc["_id"] not in found:
                found[doc["_id"]] = listing_from_document(doc)
        return list(found.values())

    async def open_listing_ids_of(self, organisation_id: str, limit: int) -> list[str]:
        cursor = (
            self.db[LISTINGS]
            .find({"organisation_id": organisation_id, "status": "open"}, {"_id": 1})
            .limit(limit)
        )
        return [doc["_id"] async for doc in cursor]

    async def listing_ids_due(self, now: dt.datetime, limit: int) -> list[str]:
        cursor = (
            self.db[LISTINGS]
            .find({"status": "open", "expires_at": {"$lte": now}}, {"_id": 1})
            .sort("expires_at", ASCENDING)
            .limit(limit)
        )
        return [doc["_id"] async for doc in cursor]

    # matches -----------------------------------------------------------------------------

    async def known_pairs(self, pair_ids: Sequence[str]) -> set[str]:
        cursor = self.db[MATCHES].find({"_id": {"$in": list(pair_ids)}}, {"_id": 1})
        return {doc["_id"] async for doc in cursor}

    async def add_match(
        self, match: RecordedMatch, events: Sequence[Payload], correlation_id: str | None
    ) -> bool:
        """Store a match with its event; False when the pair was matched before."""
        return await inserted(
            self.writer.insert(
                MATCHES, match_document(match), events, correlation_id=correlation_id
            )
        )

    async def matches_of(
        self, organisation_id: str, paging: Paging
    ) -> tuple[list[RecordedMatch], int]:
        return await find_page(
            self.db[MATCHES],
            # a match the organisation's side rated "passt nicht" is no longer shown to it
            {
                "organisation_ids": {"$all": [organisation_id]},
                "dismissed_by": {"$nin": [organisation_id]},
            },
            [("found_at", DESCENDING), ("match_id", DESCENDING)],
            paging,
            read=match_from_document,
        )

    async def get_match(self, match_id: str) -> RecordedMatch | None:
        doc = await self.db[MATCHES].find_one({"match_id": match_id})
        return match_from_document(doc) if doc else None

    async def update_match(
        self, match_id: str, change: MatchChange, correlation_id: str | None
    ) -> RecordedMatch | None:
        """Load a match by its id, change it and write it back with the events the change
        caused (retried on a concurrent write); None when there is no such match."""
        found = await self.db[MATCHES].find_one({"match_id": match_id}, {"_id": 1})
        if found is None:
            return None

        return await self.writer.update_entity(
            MATCHES,
            found["_id"],
            change,
            read=match_from_document,
            write=match_document,
            correlation_id=correlation_id,
        )

    async def matches_rated_since(self, since: dt.datetime) -> list[RecordedMatch]:
        cursor = self.db[MATCHES].find({"last_rated_at": {"$gte": since}})
        return [match_from_document(doc) async for doc in cursor]

    async def listings_fulfilled_since(self, since: dt.datetime) -> list[Listing]:
        cursor = self.db[LISTINGS].find({"status": "fulfilled", "updated_at": {"$gte": since}})
        return [listing_from_document(doc) async for doc in cursor]

    # the projection of organisations -----------------------------------------------------

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        return await projected_organisation(self.db[ORGANISATIONS], organisation_id)

    async def project_organisation(self, organisation: KnownOrganisation) -> None:
        """Keep the newest revision of an organisation; older or repeated ones change nothing."""
        await apply_revision(
            self.db[ORGANISATIONS],
            organisation.id,
            organisation.revision,
            {"name": organisation.name, "status": organisation.status.value},
        )
