"""Whether the hot queries cost more as the data grows: each timed at 1,000 and at 50,000 stored
listings and deliveries.

    .venv/bin/python -m bench.hot_queries [--sizes 1000,50000] [--runs 20]

The queries are the services' own (`HotQuery` next to each store: the exchange's candidate and
lookup queries, the relay's pending lookups, the sender's due lookup), on collections with the
indexes the services declare, filled with what a city stores after months (mostly closed
listings, sent emails). An index that serves a query keeps its time flat (ratio ≈ 1); a scan
grows with the data (ratio ≈ 50). tests/storage/test_hot_query_plans.py checks the plans; this
shows the milliseconds. Runs against MONGODB_URL if set, else an nx-27017 of its own. Writes
var/bench/hot_queries.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from bench.pipeline_load import stored_delivery, stored_listing
from bench.support import database_url
from shared.clock import utc_now
from shared.ids import new_id
from shared.mongo import ensure_indexes
from tests.support.storage.hot_queries import hot_queries, indexes_of

#: The collections that grow with the city's use, and how a stored document of each looks.
GROWING = {"listings": stored_listing, "deliveries": stored_delivery}
BATCH = 1000


async def fill(db: AsyncDatabase[dict[str, Any]], collection: str, count: int) -> None:
    pick = random.Random(count)
    organisations = [new_id() for _ in range(50)]
    now = utc_now()
    have = await db[collection].count_documents({})
    make = GROWING[collection]
    for start in range(have, count, BATCH):
        batch = [make(pick, organisations, now) for _ in range(min(BATCH, count - start))]
        await db[collection].insert_many(batch, ordered=False)


async def timed(db: AsyncDatabase[dict[str, Any]], collection: str, query: Any, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await db[collection].find(query).limit(100).to_list(100)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


async def run(url: str, sizes: list[int], runs: int) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    db = client[f"bench_hot_{new_id()[-8:]}"]
    queries = [(s, q) for s, q in hot_queries() if q.collection in GROWING]
    try:
        for service in sorted({s for s, _ in queries}):
            await ensure_indexes(db, indexes_of(service))
        times: dict[str, dict[str, float]] = {f"{s}: {q.name}": {} for s, q in queries}
        for size in sizes:
            for collection in GROWING:
                await fill(db, collection, size)
            for service, query in queries:
                ms = await timed(db, query.collection, query.filter, runs)
                times[f"{service}: {query.name}"][str(size)] = round(ms, 2)
    finally:
        await client.drop_database(db.name)
        await client.close()
    result: list[dict[str, Any]] = []
    for name, row in times.items():
        first, last = row[str(sizes[0])], row[str(sizes[-1])]
        result.append({"query": name, **row, "ratio": round(last / max(first, 0.001), 1)})
    return result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hot_queries", description=__doc__)
    parser.add_argument("--sizes", default="1000,50000")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with database_url("bench-hot-") as url:
        rows = asyncio.run(run(url, sizes, args.runs))
    header = " | ".join(f"{size:,} stored (ms)" for size in sizes)
    print(f"| hot query | {header} | ratio |")
    print("|---|" + "---:|" * (len(sizes) + 1))
    for row in rows:
        times = " | ".join(f"{row[str(size)]:.2f}" for size in sizes)
        print(f"| {row['query']} | {times} | {row['ratio']:.1f} |")
    path = Path("var/bench/hot_queries.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2, default=str) + "\n")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
