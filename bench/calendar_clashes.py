"""How clash detection scales with the size of the calendar.

    .venv/bin/python -m bench.calendar_clashes [--sizes 1000,10000,100000] [--runs 20]

Stores 1k, 10k and 100k events (two years of a city's partner network: mostly single events,
some multi-day ones, some weekly series) and measures, for a new event, what the calendar does
to find its clashes: the database queries issued (counted with a PyMongo CommandListener), the
documents they return (the candidates), and the latency (p50/p95 over `--runs` new events).
For comparison it times the plain window query `starts_at < end and series_ends_at > start`
on datetimes. Uses MONGODB_URL if set, else starts nx-27017 on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import time
from typing import Any

from pymongo import AsyncMongoClient

from bench.support import CommandCounter, database_url, percentile
from services.calendar.clashes import venue_key
from services.calendar.domain import Event, series_span
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from services.calendar.store import (
    EVENTS,
    INDEXES,
    CalendarStore,
    event_document,
)
from services.calendar.window_keys import window_queries
from shared.contracts.calendar import Venue
from shared.contracts.vocabulary import Audience
from shared.ids import new_id
from shared.mongo import Document, ensure_indexes
from shared.outbox import OutboxWriter, with_outbox

START = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
DAYS = 730
VENUES = [f"Begegnungsstätte {n}" for n in range(400)]
ROOMS = ["Saal 1", "Saal 2", "Küche"]
DISTRICTS = [f"Stadtteil {n}" for n in range(30)]
ORGANISATIONS = [new_id() for _ in range(300)]
AUDIENCES = list(Audience)


HEADER = (
    "| events  | new event            | queries | candidates (max) "
    "| clashes | p50 ms   | p95 ms   |"
)
RULE = (
    "|--------:|----------------------|--------:|-----------------:"
    "|--------:|---------:|---------:|"
)


def a_random_event(rng: random.Random, *, series: bool | None = None) -> Event:
    start = START + dt.timedelta(minutes=15 * rng.randrange(DAYS * 24 * 4))
    roll = rng.random()
    rule = None
    if series or (series is None and roll < 0.03):
        length = dt.timedelta(hours=2)
        rule = f"FREQ=WEEKLY;COUNT={rng.randrange(8, 53)}"
    elif roll < 0.06:
        length = dt.timedelta(days=rng.randrange(1, 4))
    else:
        length = dt.timedelta(hours=rng.choice([1, 2, 2, 3, 4]))
    return Event(
        id=new_id(),
        title="Veranstaltung",
        organisation_id=rng.choice(ORGANISATIONS),
        starts_at=start,
        ends_at=start + length,
        venue=Venue(name=rng.choice(VENUES), room=rng.choice(ROOMS)),
        district=rng.choice(DISTRICTS),
        audience=rng.sample(AUDIENCES, rng.randrange(1, 3)),
        rrule=rule,
        created_at=START,
        updated_at=START,
    )


def stored(event: Event) -> Document:
    """The document as the outbox writer stores it once the relay has published."""
    return with_outbox(event_document(event))


async def fill(store: CalendarStore, rng: random.Random, count: int) -> float:
    started = time.perf_counter()
    for first in range(0, count, 1000):
        batch = [stored(a_random_event(rng)) for _ in range(min(1000, count - first))]
        await store.db[EVENTS].insert_many(batch, ordered=False)
    return count / (time.perf_counter() - started)


async def measure(
    calendar: Calendar, counter: CommandCounter, rng: random.Random, runs: int, series: bool
) -> dict[str, Any]:
    latencies: list[float] = []
    queries: list[int] = []
    candidates: list[int] = []
    clashes: list[int] = []
    for _ in range(runs):
        event = a_random_event(rng, series=series)
        first, last = series_span(event)
        counter.reset()
        started = time.perf_counter()
        found, _ = await calendar.clashes_of(event)
        latencies.append((time.perf_counter() - started) * 1000)
        queries.append(counter.queries)
        clashes.append(len(found))
        candidates.append(len(await calendar.store.clash_candidates(event, first, last)))
    return {
        "queries": max(queries),
        "candidates": statistics.median(candidates),
        "candidates_max": max(candidates),
        "clashes": statistics.median(clashes),
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
    }


async def plain_window_query(store: CalendarStore, rng: random.Random, runs: int) -> dict[str, Any]:
    """The unindexed alternative: a datetime range pair over the whole collection."""
    latencies: list[float] = []
    returned: list[int] = []
    for _ in range(runs):
        event = a_random_event(rng, series=False)
        started = time.perf_counter()
        docs = (
            await store.db[EVENTS]
            .find(
                {"starts_at": {"$lt": event.ends_at}, "series_ends_at": {"$gt": event.starts_at}},
                {"_id": 1},
            )
            .to_list(None)
        )
        latencies.append((time.perf_counter() - started) * 1000)
        returned.append(len(docs))
    return {
        "returned": statistics.median(returned),
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
    }


async def explain(store: CalendarStore, rng: random.Random) -> str:
    """On a real MongoDB: keys and documents examined by one candidate query."""
    event = a_random_event(rng, series=False)
    first, last = series_span(event)
    query = window_queries(first, last, field="room_key", value=venue_key(event))[0]
    try:
        plan = await store.db.command(
            "explain", {"find": EVENTS, "filter": query}, verbosity="executionStats"
        )
    except Exception as exc:
        return f"explain not available ({type(exc).__name__})"
    stats = plan.get("executionStats") or {}
    if "totalKeysExamined" not in stats:
        return "explain gave no executionStats"
    return (
        f"explain (one class range): keys examined {stats['totalKeysExamined']}, "
        f"documents examined {stats['totalDocsExamined']}, returned {stats['nReturned']}"
    )


async def run(url: str, sizes: list[int], runs: int) -> None:
    counter = CommandCounter()
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        url, tz_aware=True, event_listeners=[counter], retryWrites=False
    )
    database = f"bench_calendar_{new_id()[-8:]}"
    db = client[database]
    settings = CalendarSettings(_env_file=None, mongodb_url=url)
    store = CalendarStore(db, OutboxWriter(db))
    calendar = Calendar(store, settings)
    await ensure_indexes(db, INDEXES)
    rng = random.Random(20270101)
    rows: list[str] = []
    stored_count = 0
    try:
        for size in sizes:
            rate = await fill(store, rng, size - stored_count)
            stored_count = size
            print(f"stored {size:>7,} events ({rate:,.0f} docs/s)", flush=True)
            for label, series in (("single 2 h event", False), ("weekly series ≤ 1 y", True)):
                result = await measure(calendar, counter, rng, runs, series)
                rows.append(
                    f"| {size:>7,} | {label:<20} | {result['queries']:>7} | "
                    f"{result['candidates']:>9.0f} ({result['candidates_max']:>4}) | "
                    f"{result['clashes']:>7.0f} | {result['p50']:>8.1f} | {result['p95']:>8.1f} |"
                )
            plain = await plain_window_query(store, rng, min(runs, 10))
            rows.append(
                f"| {size:>7,} | plain datetime query | {1:>7} | {plain['returned']:>9.0f}"
                f"        | {'–':>7} | {plain['p50']:>8.1f} | {plain['p95']:>8.1f} |"
            )
        explained = (
            await explain(store, rng)
            if os.environ.get("MONGODB_URL")
            else "(no query plan: nx-27017 answers `explain` with zeros; set MONGODB_URL for one)"
        )
    finally:
        await client.drop_database(database)
        await client.close()
    print()
    print(HEADER)
    print(RULE)
    for row in rows:
        print(row)
    print()
    print(explained)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with database_url("bench-calendar-") as url:
        asyncio.run(run(url, sizes, args.runs))


if __name__ == "__main__":
    main()
