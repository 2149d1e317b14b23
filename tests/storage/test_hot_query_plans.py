"""Every hot query (per posting, per email, per poll) is served by an index on the server in use.

The plan is read with the `explain` command against collections carrying exactly the indexes the
services declare: nx-27017 answers with SQLite's query plan (a `SCAN <collection>` step reads the
whole collection), MongoDB with its winning plan (`COLLSCAN`). A query that turns into a scan
costs more with every stored listing and email (bench/hot_queries.py shows it in milliseconds).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from services.calendar import store as calendar_store
from services.directory import store as directory_store
from services.exchange import store as exchange_store
from services.exchange.domain import ListingCreate, post_listing
from services.notifier import delivery_store
from services.notifier import store as notifier_store
from shared.contracts.exchange import ListingCategory, ListingKind
from shared.mongo import (
    OUTBOX_INDEXES,
    CollectionIndexes,
    HotQuery,
    ensure_indexes,
    outbox_hot_queries,
)

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
    "calendar": (calendar_store.INDEXES, calendar_store.OUTBOX_COLLECTIONS, []),
}

CASES = [
    pytest.param(service, query, id=f"{service}: {query.name}")
    for service, (_, outbox, hot) in SERVICES.items()
    for query in [*hot, *outbox_hot_queries(outbox)]
]


def scanned(plan: Any, collection: str) -> bool:
    """Whether a plan reads the whole collection (nx-27017's SQLite plan or MongoDB's)."""
    text = json.dumps(plan)
    if "COLLSCAN" in text:
        return True
    steps = plan if isinstance(plan, list) else []
    return any(
        str(step.get("detail", "")).strip() == f"SCAN {collection}"
        or str(step.get("detail", "")).startswith(f"SCAN {collection} ")
        for step in steps
        if isinstance(step, dict)
    )


@pytest.mark.parametrize(("service", "query"), CASES)
async def test_a_hot_query_is_served_by_an_index(
    mongo_db: AsyncDatabase[dict[str, Any]], service: str, query: HotQuery
) -> None:
    indexes, outbox, _ = SERVICES[service]
    await ensure_indexes(
        mongo_db, [*indexes, *(CollectionIndexes(name, OUTBOX_INDEXES) for name in outbox)]
    )
    await mongo_db[query.collection].insert_one({"_id": "seed"})
    answer = await mongo_db.command("explain", {"find": query.collection, "filter": query.filter})
    plan = answer["queryPlanner"]["winningPlan"]
    assert not scanned(plan, query.collection), f"{query.name} {query.filter} scans: {plan}"


def test_the_scan_detector_knows_a_scan_when_it_sees_one() -> None:
    assert scanned([{"detail": "SCAN listings"}], "listings")
    assert scanned({"stage": "FETCH", "inputStage": {"stage": "COLLSCAN"}}, "listings")
    assert not scanned(
        [{"detail": "SEARCH listings USING INDEX idx_listings_outbox_pending (<expr>=?)"}],
        "listings",
    )
    assert not scanned({"stage": "FETCH", "inputStage": {"stage": "IXSCAN"}}, "listings")
