"""Every hot query (per posting, per email, per poll) is served by an index on the server in use.

The plan is read with the `explain` command against collections carrying exactly the indexes the
services declare: nx-27017 answers with SQLite's query plan (a `SCAN <collection>` step reads the
whole collection), MongoDB with its winning plan (`COLLSCAN`). A query that turns into a scan
costs more with every stored listing and email (bench/hot_queries.py shows it in milliseconds).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import HotQuery, ensure_indexes
from tests.support.storage.hot_queries import hot_queries, indexes_of

CASES = [
    pytest.param(service, query, id=f"{service}: {query.name}") for service, query in hot_queries()
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
    await ensure_indexes(mongo_db, indexes_of(service))
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
