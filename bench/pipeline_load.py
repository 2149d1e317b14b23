"""What `bench/pipeline.py` posts and stores: organisations, matching request/offer pairs that
fit only each other, filler listings that fit nothing, the data a city has after months (closed
listings, sent emails), and a client that posts through the public API and times each call."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.exchange.domain import DEFAULT_LIFETIME, ListingCreate, post_listing
from services.exchange.store import LISTINGS, listing_document
from services.notifier.delivery_store import DELIVERIES, delivery_document
from services.notifier.domain import Template
from services.notifier.records import redacted
from shared.clock import utc_now
from shared.contracts.exchange import ListingCategory, ListingKind, ListingStatus
from shared.ids import new_id
from shared.outbox import with_outbox
from tests.support.deliveries import sent_delivery

ORGANISATIONS = 24
SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "re",
    "su",
    "ta",
    "ne",
    "bo",
    "di",
    "fa",
    "gu",
    "hi",
    "jo",
    "ke",
    "lu",
    "ma",
    "no",
    "pi",
    "ro",
    "sa",
)
#: Words of the stored (prefilled) listings: other syllables, so never one of the run's words.
STORED_SYLLABLES = (
    "be",
    "ci",
    "da",
    "ef",
    "go",
    "hu",
    "ik",
    "ja",
    "ku",
    "le",
    "mo",
    "nu",
    "op",
    "qu",
    "ri",
    "si",
    "tu",
    "ve",
    "wo",
    "zy",
)
CODE_SYLLABLES = 4  # every code the same length: none can be the tail of another
#: Categories whose model matches a thing by its name, so a made-up word fits only its twin
#: (rooms are matched by kind, places and time, volunteers by topic: no made-up word fits).
CATEGORIES = (ListingCategory.FURNITURE, ListingCategory.EQUIPMENT)
BATCH = 1000


def code_word(number: int, syllables: Sequence[str] = SYLLABLES) -> str:
    """A made-up word of fixed length, one per number ("kalomire"): shared by nothing else."""
    parts = []
    for _ in range(CODE_SYLLABLES):
        number, digit = divmod(number, len(syllables))
        parts.append(syllables[digit])
    return "".join(parts).capitalize()


@dataclass
class Pair:
    """An offer and a request that fit each other and nothing else."""

    number: int
    offer_organisation: str
    request_organisation: str
    offer_id: str = ""
    request_id: str = ""
    #: When the second posting (the request) was sent: a match can exist from then on.
    completed_at: float = 0.0
    #: When the exchange accepted the second posting (its 201).
    accepted_at: float = 0.0

    @property
    def word(self) -> str:
        return code_word(self.number)

    def body(self, kind: ListingKind) -> dict[str, Any]:
        category = CATEGORIES[self.number % len(CATEGORIES)]
        mine = self.offer_organisation if kind is ListingKind.OFFER else self.request_organisation
        verb = "Biete" if kind is ListingKind.OFFER else "Suche"
        return {
            "organisation_id": mine,
            "category": category.value,
            "title": f"{verb} {self.word}",
            "tags": [self.word],
        }


def filler_body(
    number: int, organisation_id: str, syllables: Sequence[str] = SYLLABLES
) -> dict[str, Any]:
    """A listing that fits nothing else: its own word (the verb is a stopword of the matcher),
    no languages, tags or district."""
    return {
        "organisation_id": organisation_id,
        "category": CATEGORIES[number % len(CATEGORIES)].value,
        "title": f"Biete {code_word(number, syllables)}",
    }


class Numbers:
    """Hands out code numbers so that no two listings of a run share a word by accident."""

    def __init__(self, seed: int) -> None:
        self._next = random.Random(seed).randrange(10_000)

    def take(self) -> int:
        self._next += 1
        return self._next


def make_pairs(count: int, organisations: Sequence[str], numbers: Numbers) -> list[Pair]:
    pick = random.Random(count)
    pairs = []
    for _ in range(count):
        offer, request = pick.sample(list(organisations), 2)
        pairs.append(Pair(numbers.take(), offer, request))
    return pairs


@dataclass
class Poster:
    """Posts listings through the exchange's API as the office's admin, timing each call."""

    client: httpx.AsyncClient
    #: Shared by the posters of one run (their tally).
    latencies: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)

    async def post(self, kind: ListingKind, body: dict[str, Any]) -> str | None:
        path = "/offers" if kind is ListingKind.OFFER else "/requests"
        started = time.monotonic()
        response = await self.client.post(path, json=body)
        self.latencies.append(time.monotonic() - started)
        if response.status_code != 201:
            self.errors[response.status_code] = self.errors.get(response.status_code, 0) + 1
            return None
        return str(response.json()["id"])

    async def post_when_known(self, kind: ListingKind, body: dict[str, Any]) -> str:
        """Post once the exchange has learned of the organisation from the directory."""
        deadline = time.monotonic() + 60
        path = "/offers" if kind is ListingKind.OFFER else "/requests"
        while True:
            response = await self.client.post(path, json=body)
            if response.status_code == 201:
                return str(response.json()["id"])
            if response.status_code != 422 or time.monotonic() > deadline:
                raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
            await asyncio.sleep(0.2)


async def admin_token(directory_url: str, email: str, password: str) -> str:
    async with httpx.AsyncClient(base_url=directory_url, timeout=10) as client:
        response = await client.post("/auth/token", data={"username": email, "password": password})
        response.raise_for_status()
        return str(response.json()["access_token"])


async def register_organisations(directory_url: str, token: str) -> dict[str, str]:
    """organisation id → contact email of the bench's organisations."""
    found: dict[str, str] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=directory_url, timeout=10, headers=headers) as client:
        for number in range(1, ORGANISATIONS + 1):
            address = f"verein{number}@bench.example"
            response = await client.post(
                "/organisations",
                json={
                    "name": f"Nachbarschaftsverein {code_word(number)}",
                    "kind": "association",
                    "description": "Ein Verein der Lastprobe.",
                    "email": address,
                },
            )
            response.raise_for_status()
            found[str(response.json()["id"])] = address
    return found


def stored_listing(pick: random.Random, organisations: Sequence[str], now: dt.datetime) -> Any:
    kind = pick.choice(list(ListingKind))
    number = pick.randrange(10**9)
    body = filler_body(number, pick.choice(list(organisations)), STORED_SYLLABLES)
    data = ListingCreate.model_validate(body)
    posted = now - dt.timedelta(days=pick.uniform(1, 300))
    listing, _ = post_listing(new_id(), kind, data, posted)
    status = pick.choice([ListingStatus.FULFILLED, ListingStatus.WITHDRAWN, ListingStatus.OPEN])
    expires = now + DEFAULT_LIFETIME if status is ListingStatus.OPEN else posted + DEFAULT_LIFETIME
    return with_outbox(
        listing_document(listing.model_copy(update={"status": status, "expires_at": expires}))
    )


def stored_delivery(pick: random.Random, organisations: Sequence[str], now: dt.datetime) -> Any:
    created = now - dt.timedelta(days=pick.uniform(1, 60))
    organisation = pick.choice(list(organisations))
    delivery = sent_delivery(
        created,
        id=new_id(),
        template=Template.MATCH_FOUND,
        recipient=f"org:{organisation}",
        reason="default",
        organisation_id=organisation,
        address="verein@bench.example",
        cause_event_id=new_id(),
        cause_type="integrationsnetz.exchange.match.found.v1",
    )
    if pick.random() < 0.5:
        delivery = redacted(delivery, created + dt.timedelta(days=30))
    return with_outbox(delivery_document(delivery))


async def prefill(
    mongo_url: str, organisations: Sequence[str], listings: int, deliveries: int
) -> None:
    """What a city has stored after months: closed and open listings, sent emails."""
    pick = random.Random(11)
    now = utc_now()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        exchange = client["integrationsnetz_exchange"][LISTINGS]
        notifier = client["integrationsnetz_notifier"][DELIVERIES]
        for start in range(0, listings, BATCH):
            batch = [
                stored_listing(pick, organisations, now)
                for _ in range(min(BATCH, listings - start))
            ]
            await exchange.insert_many(batch, ordered=False)
        for start in range(0, deliveries, BATCH):
            batch = [
                stored_delivery(pick, organisations, now)
                for _ in range(min(BATCH, deliveries - start))
            ]
            await notifier.insert_many(batch, ordered=False)
    finally:
        await client.close()
