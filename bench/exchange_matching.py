"""How matching one new offer scales with the number of open listings (issue 3).

    .venv/bin/python -m bench.exchange_matching [--sizes 1000,10000,100000] [--runs 20]

Fills the exchange's `listings` collection (in the store's own document format, with
`insert_many`) up to each size, then posts a new offer `--runs` times and measures matching it:
the database commands issued (counted with PyMongo command monitoring), the candidates read,
and the latency. Runs against `MONGODB_URL` if set, else an nx-27017 it starts on a free port.
Not a test: nothing is asserted, the table is for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from pymongo import AsyncMongoClient

from bench.support import CommandCounter, database_url, percentile
from services.exchange.domain import DEFAULT_LIFETIME, Listing, ListingCreate, post_listing
from services.exchange.service import Exchange
from services.exchange.settings import ExchangeSettings
from services.exchange.store import (
    INDEXES,
    LISTINGS,
    OUTBOX_COLLECTIONS,
    ExchangeStore,
    listing_document,
)
from shared.clock import utc_now
from shared.contracts.directory import OrganisationStatus
from shared.contracts.exchange import ListingCategory, ListingKind
from shared.ids import new_id
from shared.mongo import OUTBOX_INDEXES, CollectionIndexes, Document, ensure_indexes
from shared.outbox import OutboxWriter, with_outbox
from shared.projection import KnownOrganisation

BATCH = 1000
ORGANISATIONS = 300
DISTRICTS = [f"Stadtteil {n}" for n in range(1, 26)]
LANGUAGES = ["de"] * 6 + ["uk", "ar", "tr", "ru", "fa", "en", "ro", "pl"]
TAGS = [f"Schlagwort{n}" for n in range(150)] + ["Sprachcafé", "barrierefrei", "Küche"]
_WORD_TEXT = """
    Raum Saal Gruppenraum Veranstaltungsraum Turnhalle Küche Garten Keller Büro Werkstatt Tische
    Stühle Bänke Sofa Regale Schränke Betten Kinderbetten Kinderwagen Beamer Leinwand Lautsprecher
    Mikrofon Laptop Drucker Kamera Zelt Pavillon Grill Geschirr Bus Transporter Fahrrad Anhänger
    Sprachpartner Gesprächspartner Tandem Lesepaten Hausaufgabenhilfe Nachhilfe Übersetzung
    Dolmetschen Begleitung Behördengänge Bewerbung Formulare Beratung Mietrecht Aufenthaltsrecht
    Senioren Jugendliche Kinder Eltern Frauen Männer Familien Studierende Geflüchtete Nachbarn
    Fußball Turnier Basketball Schwimmen Tanz Theater Musik Chor Trommeln Malen Nähen Kochen
    Backen Gärtnern Radfahren Wandern Schach Computer Programmieren Fotografie Film Podcast
    Sommerfest Flohmarkt Frühstück Sprachcafé Elterncafé Spieleabend Lesung Ausstellung Workshop
    Umzug Renovierung Streichen Aufbau Abbau Helfer Ehrenamtliche Trainer Übungsleiter Fahrer
"""
WORDS = _WORD_TEXT.split()


@dataclass
class Level:
    listings: int
    queries: list[int] = field(default_factory=list)
    commands: list[int] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    matches: list[int] = field(default_factory=list)
    candidate_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)


def p50(values: Sequence[float]) -> float:
    return percentile(values, 0.5)


def p95(values: Sequence[float]) -> float:
    return percentile(values, 0.95)


class Generator:
    """Plausible listings: a few words, tags, languages and districts drawn at random."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.organisations = [new_id() for _ in range(ORGANISATIONS)]

    def data(self) -> ListingCreate:
        pick = self.random
        return ListingCreate(
            organisation_id=pick.choice(self.organisations),
            category=pick.choice(list(ListingCategory)),
            title=" ".join(pick.sample(WORDS, 3)),
            description=" ".join(pick.sample(WORDS, 6)),
            tags=pick.sample(TAGS, pick.randint(0, 3)),
            languages=pick.sample(LANGUAGES, pick.randint(0, 2)),
            district=pick.choice([None, *DISTRICTS]),
        )

    def listing(self, now: dt.datetime) -> Listing:
        kind = self.random.choice(list(ListingKind))
        posted = now - dt.timedelta(seconds=self.random.randint(0, 50 * 86_400))
        listing, _ = post_listing(new_id(), kind, self.data(), posted)
        return listing.model_copy(update={"expires_at": now + DEFAULT_LIFETIME})


def stored(listing: Listing) -> Document:
    """The document as the outbox writer stores it once the relay has published."""
    return with_outbox(listing_document(listing))


async def fill(store: ExchangeStore, generator: Generator, count: int) -> float:
    started = time.perf_counter()
    now = utc_now()
    for start in range(0, count, BATCH):
        batch = [stored(generator.listing(now)) for _ in range(min(BATCH, count - start))]
        await store.db[LISTINGS].insert_many(batch, ordered=False)
    return time.perf_counter() - started


async def measure(
    exchange: Exchange, generator: Generator, counter: CommandCounter, level: Level, runs: int
) -> None:
    store = exchange.store
    for _ in range(runs):
        offer, event = post_listing(new_id(), ListingKind.OFFER, generator.data(), utc_now())
        await store.add_listing(offer, [event], None)

        counter.reset()
        started = time.perf_counter()
        candidates = await store.match_candidates(offer)
        level.candidate_ms.append((time.perf_counter() - started) * 1000)
        level.candidates.append(len(candidates))

        counter.reset()
        started = time.perf_counter()
        matched = await exchange.match_listing(offer.id, None)
        level.total_ms.append((time.perf_counter() - started) * 1000)
        level.queries.append(counter.queries)
        level.commands.append(counter.total)
        level.matches.append(len(matched))


def print_table(levels: Sequence[Level], runs: int, url: str) -> None:
    print(f"\nMatching one new offer ({runs} runs per size) against {url}\n")
    header = (
        "| open listings | queries (find) | all commands | candidates read | new matches "
        "| candidate queries p50 / p95 ms | whole matching p50 / p95 ms |"
    )
    print(header)
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for level in levels:
        print(
            f"| {level.listings:,} "
            f"| {min(level.queries)}–{max(level.queries)} "
            f"| {min(level.commands)}–{max(level.commands)} "
            f"| {statistics.median(level.candidates):.0f} (max {max(level.candidates)}) "
            f"| {statistics.mean(level.matches):.1f} "
            f"| {p50(level.candidate_ms):.0f} / {p95(level.candidate_ms):.0f} "
            f"| {p50(level.total_ms):.0f} / {p95(level.total_ms):.0f} |"
        )
    print(
        "\nqueries = find commands of one matching run (listing, organisation, candidate queries, "
        "known pairs);\nall commands adds the writes of the matches found (counter + insert each)."
    )


async def run(url: str, sizes: Sequence[int], runs: int, seed: int) -> list[Level]:
    counter = CommandCounter()
    client: AsyncMongoClient[Document] = AsyncMongoClient(
        url, tz_aware=True, retryWrites=False, event_listeners=[counter]
    )
    name = f"bench_exchange_{new_id()[-8:]}"
    db = client[name]
    try:
        outbox_indexes = [CollectionIndexes(c, OUTBOX_INDEXES) for c in OUTBOX_COLLECTIONS]
        await ensure_indexes(db, [*INDEXES, *outbox_indexes])
        store = ExchangeStore(db, OutboxWriter(db))
        exchange = Exchange(store, ExchangeSettings(_env_file=None))
        generator = Generator(seed)
        for organisation_id in generator.organisations:
            await store.project_organisation(
                KnownOrganisation(organisation_id, "Verein", OrganisationStatus.ACTIVE, 1)
            )
        levels: list[Level] = []
        present = 0
        for size in sorted(sizes):
            seconds = await fill(store, generator, size - present)
            print(f"inserted {size - present:,} listings in {seconds:.1f} s (now {size:,})")
            present = size
            level = Level(size)
            await measure(exchange, generator, counter, level, runs)
            levels.append(level)
        return levels
    finally:
        await client.drop_database(name)
        await client.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.exchange_matching", description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    with database_url("bench-exchange-") as url:
        levels = asyncio.run(run(url, sizes, args.runs, args.seed))
    print_table(levels, args.runs, "MONGODB_URL" if os.environ.get("MONGODB_URL") else "nx-27017")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
