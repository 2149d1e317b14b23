"""Projections of the directory's organisations keep the newest revision, on the real database:
revisions applied concurrently in any order leave the highest one stored, through the shared
primitive and through each consuming service's handler."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo.asynchronous.database import AsyncDatabase

from services.calendar.handlers import wire as wire_calendar
from services.calendar.imports import Importer
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from services.calendar.store import CalendarStore
from services.exchange.handlers import wire as wire_exchange
from services.exchange.service import Exchange
from services.exchange.settings import ExchangeSettings
from services.exchange.store import ExchangeStore
from services.notifier.handlers import wire as wire_notifier
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.store import NotifierStore
from services.notifier.tokens import Links, LinkSigner
from shared.contracts.base import CloudEvent, envelope
from shared.contracts.directory import (
    OrganisationArchived,
    OrganisationKind,
    OrganisationStatus,
    OrganisationUpdated,
)
from shared.ids import new_id
from shared.outbox import OutboxWriter
from shared.projection import apply_revision
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

Db = AsyncDatabase[dict[str, Any]]
Handle = Callable[[OrganisationUpdated, CloudEvent], Awaitable[None]]
REVISIONS = 8
SINCE = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)

orderings = st.permutations(range(1, REVISIONS + 1))


def in_any_order(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run `test`, which takes `order`, for orderings of the revisions that hypothesis draws."""
    return settings(
        max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )(given(order=orderings)(test))


def assert_the_newest_revision(known: Any) -> None:
    """A service's projection of the organisation holds its last revision, active."""
    assert known is not None
    assert (known.revision, known.name, known.status) == (
        REVISIONS,
        f"Kulturverein Rev. {REVISIONS}",
        OrganisationStatus.ACTIVE,
    )


def revision_of(organisation_id: str, revision: int) -> OrganisationUpdated:
    """The directory's facts at `revision`: the name and the archive flag change with it."""
    return OrganisationUpdated(
        organisation_id=organisation_id,
        name=f"Kulturverein Rev. {revision}",
        kind=OrganisationKind.ASSOCIATION,
        email=f"rev{revision}@kulturverein.example",
        status=OrganisationStatus.ARCHIVED if revision % 2 else OrganisationStatus.ACTIVE,
        revision=revision,
        updated_at=SINCE + dt.timedelta(minutes=revision),
    )


async def handle_all_at_once(handle: Handle, organisation_id: str, order: Sequence[int]) -> None:
    facts = [revision_of(organisation_id, revision) for revision in order]
    await asyncio.gather(*(handle(f, envelope(f)) for f in facts))


@contextlib.asynccontextmanager
async def runtime_of(settings: ServiceSettings) -> AsyncIterator[ServiceRuntime]:
    """A runtime that is never started: only the queues its service wires are used."""
    runtime = ServiceRuntime(settings)
    try:
        yield runtime
    finally:
        await runtime.mongo.close()


def handler_of(runtime: ServiceRuntime) -> Handle:
    registration = runtime.queue("directory-events").registration(OrganisationUpdated.event_type())
    assert registration is not None
    handler: Handle = registration.handler
    return handler


async def handled_at_once(
    settings: ServiceSettings, wire: Callable[[ServiceRuntime], object], order: Sequence[int]
) -> str:
    """The id of a new organisation whose revisions in `order` the handler that `wire` puts on a
    runtime of `settings` has handled, all at once."""
    organisation_id = new_id()
    async with runtime_of(settings) as runtime:
        wire(runtime)
        await handle_all_at_once(handler_of(runtime), organisation_id, order)
    return organisation_id


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=orderings, repeated=st.lists(st.integers(1, REVISIONS), max_size=4))
async def test_the_highest_of_many_revisions_applied_concurrently_in_any_order_is_stored(
    mongo_db: Db, order: list[int], repeated: list[int]
) -> None:
    collection = mongo_db["projected"]
    entity_id = new_id()

    async def apply(revision: int) -> bool:
        fields = {"name": f"rev {revision}", "at": SINCE, "archived": bool(revision % 2)}
        return await apply_revision(collection, entity_id, revision, fields)

    applied = [*order, *repeated]
    written = await asyncio.gather(*(apply(r) for r in applied))

    stored = await collection.find_one({"_id": entity_id})
    assert stored == {
        "_id": entity_id,
        "name": f"rev {REVISIONS}",
        "at": SINCE,
        "archived": False,
        "revision": REVISIONS,
    }
    # exactly one application of the highest revision reports that it wrote it
    assert [r for r, took in zip(applied, written, strict=True) if took].count(REVISIONS) == 1


async def test_an_older_revision_applied_after_a_newer_one_changes_nothing(mongo_db: Db) -> None:
    collection = mongo_db["projected"]
    entity_id = new_id()

    assert await apply_revision(collection, entity_id, 5, {"name": "five"}) is True
    assert await apply_revision(collection, entity_id, 3, {"name": "three"}) is False
    assert await apply_revision(collection, entity_id, 5, {"name": "five again"}) is False
    assert await apply_revision(collection, entity_id, 6, {"name": "six"}) is True

    assert await collection.find_one({"_id": entity_id}) == {
        "_id": entity_id,
        "name": "six",
        "revision": 6,
    }


@in_any_order
async def test_the_notifier_keeps_the_newest_organisation_revision_handled_concurrently(
    mongo_db: Db, order: list[int]
) -> None:
    notifier_settings = NotifierSettings(_env_file=None)
    store = NotifierStore(mongo_db, OutboxWriter(mongo_db))
    links = Links(
        LinkSigner(notifier_settings.signing_secret.get_secret_value()),
        notifier_settings.notifier_public_url,
        unsubscribe_days=notifier_settings.unsubscribe_token_days,
        confirmation_hours=notifier_settings.confirmation_token_hours,
    )
    notifier = Notifier(store, notifier_settings, links)

    organisation_id = await handled_at_once(
        notifier_settings, lambda runtime: wire_notifier(runtime, notifier), order
    )

    known = await store.organisation(organisation_id)
    assert known is not None
    assert (known.revision, known.name, known.email, known.status) == (
        REVISIONS,
        f"Kulturverein Rev. {REVISIONS}",
        f"rev{REVISIONS}@kulturverein.example",
        "active",
    )


@dataclass(frozen=True)
class Follower:
    """A service that projects the directory's organisations: its settings, how its handlers
    are wired onto a runtime, and how its store reads an organisation back."""

    settings: ServiceSettings
    wire: Callable[[ServiceRuntime], object]
    stored: Callable[[str], Awaitable[Any]]


def calendar_on(db: Db) -> Follower:
    store = CalendarStore(db, OutboxWriter(db))
    calendar_settings = CalendarSettings(_env_file=None)
    calendar = Calendar(store, calendar_settings)
    importer = Importer(calendar, calendar_settings)
    return Follower(
        calendar_settings,
        lambda runtime: wire_calendar(runtime, calendar, importer),
        store.get_organisation,
    )


def exchange_on(db: Db) -> Follower:
    store = ExchangeStore(db, OutboxWriter(db))
    exchange = Exchange(store, ExchangeSettings(_env_file=None))
    return Follower(
        exchange.settings, lambda runtime: wire_exchange(runtime, exchange), store.get_organisation
    )


@pytest.mark.parametrize("follower", [calendar_on, exchange_on], ids=["calendar", "exchange"])
@in_any_order
async def test_a_follower_keeps_the_newest_organisation_revision_handled_concurrently(
    mongo_db: Db, follower: Callable[[Db], Follower], order: list[int]
) -> None:
    service = follower(mongo_db)

    organisation_id = await handled_at_once(service.settings, service.wire, order)

    assert_the_newest_revision(await service.stored(organisation_id))


async def test_an_archiving_revision_older_than_the_stored_one_does_not_archive(
    mongo_db: Db,
) -> None:
    """The calendar acts on an archive only if it took that revision."""
    store = CalendarStore(mongo_db, OutboxWriter(mongo_db))
    calendar = Calendar(store, CalendarSettings(_env_file=None))
    organisation_id = new_id()
    newer = revision_of(organisation_id, 4)
    older = OrganisationArchived(
        **{**revision_of(organisation_id, 3).model_dump(), "status": OrganisationStatus.ARCHIVED}
    )

    await calendar.organisation_changed(newer, None)
    await calendar.organisation_changed(older, None)

    known = await store.get_organisation(organisation_id)
    assert known is not None
    assert (known.revision, known.status) == (4, OrganisationStatus.ACTIVE)
