"""The hot queries of every service — what runs per posting, per email or per poll — with the
indexes the service declares for their collections (the storage checks and bench/hot_queries.py
use them)."""

from __future__ import annotations

import datetime as dt

from services.calendar import roster_store
from services.calendar import store as calendar_store
from services.concept import store as concept_store
from services.directory import store as directory_store
from services.exchange import store as exchange_store
from services.exchange.domain import ListingCreate, post_listing
from services.notifier import delivery_store
from services.notifier import store as notifier_store
from shared.contracts.exchange import ListingCategory, ListingKind
from shared.mongo import OUTBOX_INDEXES, CollectionIndexes, HotQuery, outbox_hot_queries

SAMPLE_LISTING, _ = post_listing(
    "01a24cbe-1910-7e0e-85e2-82df1fd2f799",
    ListingKind.OFFER,
    ListingCreate(
        organisation_id="01a24cbe-1910-7e0e-85e2-82df1fd2f700",
        category=ListingCategory.ROOM,
        title="Gruppenraum mit Küche für 30 Personen",
        tags=["Raum", "Küche"],
        languages=["de", "uk"],
        district="Nordstadt",
    ),
    dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
)

#: service → (its declared indexes, its outbox collections, its hot queries)
SERVICES: dict[str, tuple[tuple[CollectionIndexes, ...], tuple[str, ...], list[HotQuery]]] = {
    "exchange": (
        exchange_store.INDEXES,
        exchange_store.OUTBOX_COLLECTIONS,
        exchange_store.hot_queries(SAMPLE_LISTING),
    ),
    "notifier": (
        notifier_store.INDEXES,
        notifier_store.OUTBOX_COLLECTIONS,
        delivery_store.hot_queries(),
    ),
    "directory": (directory_store.INDEXES, directory_store.OUTBOX_COLLECTIONS, []),
    "calendar": (
        (*calendar_store.INDEXES, *roster_store.INDEXES),
        (*calendar_store.OUTBOX_COLLECTIONS, roster_store.ROSTERS),
        roster_store.hot_queries(),
    ),
    "concept": (
        concept_store.INDEXES,
        concept_store.OUTBOX_COLLECTIONS,
        concept_store.hot_queries("01a24cbe-1910-7e0e-85e2-82df1fd2f799"),
    ),
}


def hot_queries() -> list[tuple[str, HotQuery]]:
    """(service, query) for every hot query, the outbox relay's lookups included."""
    return [
        (service, query)
        for service, (_, outbox, hot) in SERVICES.items()
        for query in [*hot, *outbox_hot_queries(outbox)]
    ]


def indexes_of(service: str) -> list[CollectionIndexes]:
    """Every index the service's runtime creates (its own and its outbox collections')."""
    indexes, outbox, _ = SERVICES[service]
    return [*indexes, *(CollectionIndexes(name, OUTBOX_INDEXES) for name in outbox)]
