"""Fixtures for the exchange: the directory served over real HTTP (the exchange fetches its
JWKS there), the exchange in-process (`network`) or also served over HTTP for the portal
(`served_network`), both on the run's vhost so the exchange receives the directory's events,
each on its own database."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.exchange.app import create_app as create_exchange
from services.exchange.service import Exchange
from services.exchange.settings import ExchangeSettings
from shared.contracts.base import EVENTS_EXCHANGE
from shared.contracts.directory import OrganisationStatus
from shared.mongo import Document
from tests.conftest import behind_the_directory
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.services import (
    BehindTheDirectory,
    RunningService,
    running,
    serving,
    serving_with_admin,
)
from tests.support.waiting import eventually, until_ready

Headers = dict[str, str]
MATCHING_CONSUMER = "exchange.matching"
#: A request and an offer that fit each other (the same category and language, similar text).
GERMAN_PRACTICE: dict[str, Any] = {
    "category": "language_partner",
    "title": "Sprachpartner zum Deutschüben",
    "languages": ["de"],
}
SENIORS_TALKING: dict[str, Any] = {
    "category": "language_partner",
    "title": "Senioren als Sprachpartner",
    "languages": ["de"],
}


@dataclass
class Network(BehindTheDirectory):
    """The directory and the exchange, talking only through the broker (and the JWKS)."""

    exchange: RunningService
    admin: Headers
    rabbit_url: str

    @property
    def client(self) -> httpx.AsyncClient:
        return self.exchange.client

    @property
    def exchange_url(self) -> str:
        """Where the exchange answers over HTTP (with `served_network`)."""
        return str(self.client.base_url).rstrip("/")

    @property
    def service(self) -> Exchange:
        service: Exchange = self.exchange.app.state.exchange
        return service

    @property
    def db(self) -> AsyncDatabase[Document]:
        """The exchange's own database, for what only storage shows."""
        db: AsyncDatabase[Document] = self.exchange.runtime.db
        return db

    async def register(self, name: str, **facts: Any) -> str:
        """Register an organisation in the directory; returns once the exchange knows it."""
        body = {"name": name, "kind": "association", **facts}
        response = await self.directory.post("/organisations", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        organisation_id: str = response.json()["id"]
        await self.until_projected(organisation_id, OrganisationStatus.ACTIVE)
        return organisation_id

    async def archive(self, organisation_id: str) -> None:
        response = await self.directory.delete(
            f"/organisations/{organisation_id}", headers=self.admin
        )
        assert response.status_code == 200, response.text
        await self.until_projected(organisation_id, OrganisationStatus.ARCHIVED)

    async def until_projected(self, organisation_id: str, status: OrganisationStatus) -> None:
        async def known() -> bool:
            projected = await self.service.store.get_organisation(organisation_id)
            return projected is not None and projected.status is status

        await eventually(known)

    async def post(
        self, kind: str, organisation_id: str, *, headers: Headers | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Post an offer or a request as a member of the organisation; returns the listing."""
        response = await self.client.post(
            f"/{kind}",
            json={"organisation_id": organisation_id, **fields},
            headers=headers or self.editor_of(organisation_id),
        )
        assert response.status_code == 201, response.text
        listing: dict[str, Any] = response.json()
        return listing

    async def post_matched(
        self, tap: StreamTap, kind: str, organisation_id: str, **fields: Any
    ) -> dict[str, Any]:
        """Post an offer or a request (`kind`: "offers" or "requests") as a member of the
        organisation, and wait until the exchange has finished matching it."""
        listing = await self.post(kind, organisation_id, **fields)
        await self.matched(tap, f"exchange.{kind.removesuffix('s')}.posted", listing["id"])
        return listing

    async def matched(self, tap: StreamTap, routing_key: str, listing_id: str) -> None:
        """Wait until the exchange has finished matching after this event about the listing."""

        def events() -> list[dict[str, Any]]:
            return [e for e in tap.of_type(routing_key) if e["subject"] == listing_id]

        async def published() -> bool:
            return bool(events())

        await eventually(published)

        async def handled() -> bool:
            keys = [f"{MATCHING_CONSUMER}:{event['id']}" for event in events()]
            done = (
                await self.db["inbox"].find({"_id": {"$in": keys}, "state": "done"}).to_list(None)
            )
            return len(done) == len(keys)

        await eventually(handled)

        # and what handling it wrote to the outbox (a match.found) has left for the broker
        async def all_published() -> bool:
            return not await self.exchange.runtime.relay.pending()

        await eventually(all_published)


def exchange_settings(mongo_url: str, rabbit_url: str, directory_url: str) -> ExchangeSettings:
    """An exchange on a database of its own that publishes and sweeps expired listings fast."""
    return ExchangeSettings(
        _env_file=None,
        **behind_the_directory(mongo_url, rabbit_url, directory_url),
        match_feedback_secret=MATCH_FEEDBACK_SECRET,
        expiry_sweep_seconds=0.2,
    )


@contextlib.asynccontextmanager
async def _network(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    mongo_url: str,
    *,
    exchange_over_http: bool,
) -> AsyncIterator[Network]:
    directory_app = create_directory(directory_settings())
    async with serving_with_admin(directory_app) as (directory_url, directory, admin):
        exchange_app = create_exchange(exchange_settings(mongo_url, rabbit.url, directory_url))
        if not exchange_over_http:
            async with running(exchange_app) as exchange:
                yield Network(directory_app, directory, exchange, admin, rabbit.url)
            return
        async with (
            serving(exchange_app) as exchange_url,
            httpx.AsyncClient(base_url=exchange_url) as client,
        ):
            await until_ready(client)
            exchange = RunningService(exchange_app, client)
            yield Network(directory_app, directory, exchange, admin, rabbit.url)


def _network_fixture(name: str, *, exchange_over_http: bool, doc: str) -> Any:
    """The fixture `name`: the network, its exchange served over HTTP or not."""

    async def fixture(
        directory_settings: Callable[..., DirectorySettings], rabbit: RabbitVhost, mongo_url: str
    ) -> AsyncIterator[Network]:
        async with _network(
            directory_settings, rabbit, mongo_url, exchange_over_http=exchange_over_http
        ) as found:
            yield found

    fixture.__doc__ = doc
    return pytest.fixture(name=name)(fixture)


network = _network_fixture(
    "network", exchange_over_http=False, doc="The directory and the exchange in-process."
)
served_network = _network_fixture(
    "served_network",
    exchange_over_http=True,
    doc="""Like `network`, with the exchange served over real HTTP as well (for the portal,
    which calls it like any other client): `exchange_url` is where.""",
)


@pytest.fixture
async def exchange_events(network: Network) -> AsyncIterator[StreamTap]:
    """Every event the exchange of `network` publishes from now on."""
    async with StreamTap(network.rabbit_url, EVENTS_EXCHANGE, ("exchange.#",)) as tap:
        yield tap
