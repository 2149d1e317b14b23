"""How the concept's pages hold up in a big city: a concept with 1,000 measures and 100,000
events and listings carrying them out.

    .venv/bin/python -m bench.concept [--measures 1000] [--activities 100000] [--runs 5]

Times, through the concept's own use cases and store on a real database: the overview (every
measure with its status, per field), a measure's page (the measure and its newest activities),
an event naming measures as the consumer stores it, publishing the report (snapshot with
activity counts) and rendering it as workbook and PDF.
Figures are printed and written to var/bench/concept.json; nothing is asserted. Runs against
MONGODB_URL if set, else an nx-27017 of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench.support import database_url
from services.concept import domain
from services.concept.activity_store import (
    ACTIVITIES,
    ACTIVITY_LINKS,
    activity_fields,
    link_documents,
)
from services.concept.domain import Concept, FieldOfAction, Goal, Measure
from services.concept.reporting import Reports
from services.concept.repository import Activity
from services.concept.schemas import overview_of
from services.concept.service import ConceptService, MeasureFilter
from services.concept.settings import ConceptSettings
from services.concept.store import INDEXES, ConceptStore
from shared.auth import Principal
from shared.contracts.concept import MeasureStatus, MeasureVisibility
from shared.ids import new_id
from shared.mongo import ensure_indexes
from shared.outbox import OutboxWriter
from shared.pages import Paging

NOW = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
OFFICE = Principal(person_id=new_id(), role="admin")
BATCH = 1000


def concept_of(size: int) -> Concept:
    fields = [
        FieldOfAction(
            number=str(f),
            title=f"Handlungsfeld {f}",
            goals=[Goal(number=f"{f}.{g}", title=f"Ziel {f}.{g}") for g in range(1, 9)],
        )
        for f in range(1, 7)
    ]
    return Concept(
        id=new_id(), edition=1, title=f"Konzept mit {size} Maßnahmen", fields=fields, created_at=NOW
    )


def measure_of(concept: Concept, index: int, pick: random.Random) -> Measure:
    number = f"{index % 6 + 1}.{index // 6 % 8 + 1}.{index // 48 + 1}"
    status = pick.choice(list(MeasureStatus))
    entry = domain.StatusEntry(
        on=NOW.date(), status=status, comment="Läuft.", by=OFFICE.person_id, recorded_at=NOW
    )
    return Measure(
        id=new_id(),
        concept_id=concept.id,
        number=number,
        goal_number=domain.goal_of_number(number),
        title=f"Maßnahme {number}",
        status=status,
        history=[entry],
        visibility=MeasureVisibility.PUBLIC if index % 10 else MeasureVisibility.NETWORK,
        created_at=NOW,
        updated_at=NOW,
    )


async def timed(runs: int, call: Callable[[], Awaitable[object]]) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 1)


async def run(url: str, measures: int, activities: int, runs: int) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    db = client[f"bench_concept_{new_id()[-8:]}"]
    pick = random.Random(measures)
    try:
        await ensure_indexes(db, INDEXES)
        store = ConceptStore(db, OutboxWriter(db))
        service = ConceptService(store, ConceptSettings(_env_file=None), clock=lambda: NOW)
        reports = Reports(service)
        concept = concept_of(measures)
        await store.add_concept(concept)
        made = [measure_of(concept, index, pick) for index in range(measures)]
        for measure in made:
            await store.add_measure(measure, [], None)
        ids = [m.id for m in made]
        for start in range(0, activities, BATCH):
            batch, links = [], []
            for n in range(start, min(start + BATCH, activities)):
                activity = Activity(
                    kind="event" if n % 3 else "offer",
                    source_id=new_id(),
                    title=f"Aktivität {n}",
                    organisation_id="o",
                    measure_ids=pick.sample(ids, 2),
                    visibility="public" if n % 4 else "network",
                    active=n % 20 != 0,
                    occurred_at=NOW - dt.timedelta(minutes=n),
                    revision=1,
                )
                batch.append({"_id": activity.id, **activity_fields(activity), "revision": 1})
                links.extend(link_documents(activity))
            await db[ACTIVITIES].insert_many(batch, ordered=False)
            await db[ACTIVITY_LINKS].insert_many(links, ordered=False)
        for measure_id in ids:  # as the consumer leaves them after the last event
            await store.activities.recount(measure_id)
        busiest = made[1].id  # a public one

        async def overview() -> object:
            current, shown = await service.measures(None, MeasureFilter())
            return overview_of(current, shown)

        async def measure_page() -> object:
            await service.measure(busiest, None)
            return await service.activities(busiest, None, Paging(limit=20, offset=0))

        revisions = iter(range(2, 10_000))

        async def activity_event() -> None:
            """An event naming the busiest measure changes: links followed, both recounted."""
            await service.activity_seen(
                Activity(
                    kind="event",
                    source_id=ids[0],
                    title="Sprachcafé",
                    organisation_id="o",
                    measure_ids=[busiest, made[2].id],
                    visibility="public",
                    active=True,
                    occurred_at=NOW,
                    revision=next(revisions),
                )
            )

        report = await reports.publish(NOW.date(), "Bericht", OFFICE)
        figures = {
            "measures": measures,
            "activities": activities,
            "overview_ms": await timed(runs, overview),
            "measure_page_ms": await timed(runs, measure_page),
            "activity_event_ms": await timed(runs, activity_event),
            "publish_report_ms": await timed(
                3, lambda: reports.publish(NOW.date(), "Bericht", OFFICE)
            ),
            "report_json_ms": await timed(runs, lambda: reports.view(report.id, None)),
            "report_xlsx_ms": await timed(1, lambda: reports.xlsx(report.id, OFFICE)),
            # the first PDF of a process loads WeasyPrint (and pango) as well
            "report_pdf_first_ms": await timed(1, lambda: reports.pdf(report.id, OFFICE)),
            "report_pdf_ms": await timed(3, lambda: reports.pdf(report.id, OFFICE)),
        }
    finally:
        await client.drop_database(db.name)
        await client.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.concept", description=__doc__)
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with database_url("bench-concept-") as url:
        figures = asyncio.run(run(url, args.measures, args.activities, args.runs))
    for name, value in figures.items():
        print(f"{name:>20}: {value:,}")
    path = Path("var/bench/concept.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
