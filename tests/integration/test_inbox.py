"""The inbox: how long a handled event's id is remembered, and what a copy of it meets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.base import envelope
from shared.contracts.directory import OrganisationRegistered
from shared.messaging import Inbox
from shared.settings import ServiceSettings
from tests.integration.test_consumer_reliability import NOW

HOUR_MS = 3_600_000


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now


def registered(organisation_id: str) -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=organisation_id,
        name="Mriya e.V.",
        kind="migrant_organisation",
        status="active",
        revision=1,
        updated_at=NOW,
    )


async def test_a_handled_event_id_is_forgotten_after_the_retention_and_copies_within_it_are_dropped(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    clock = FakeClock()
    inbox = Inbox(mongo_db, clock=clock)
    retention_ms = int(ServiceSettings(_env_file=None).inbox_retention_hours * HOUR_MS)
    handled, pending = envelope(registered("org-a")), envelope(registered("org-b"))
    assert await inbox.begin("c", handled, redelivered=False) == 1
    await inbox.complete("c", handled.id)
    assert await inbox.begin("c", pending, redelivered=False) == 1  # never completes

    clock.now += retention_ms  # the last moment of the window
    assert await inbox.sweep(retention_ms) == 0
    assert await inbox.begin("c", handled, redelivered=True) is None, "a copy is dropped"

    clock.now += 1
    assert await inbox.sweep(retention_ms) == 1
    assert await inbox.begin("c", handled, redelivered=False) == 1, "handled again after it"
    left = await mongo_db["inbox"].find({}, {"_id": 1}).to_list(10)
    assert sorted(doc["_id"] for doc in left) == sorted([f"c:{handled.id}", f"c:{pending.id}"])


async def test_a_parked_or_replayed_message_starts_over_with_a_full_set_of_attempts(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    inbox = Inbox(mongo_db)
    event = envelope(registered("org-c"))
    assert await inbox.begin("c", event, redelivered=False) == 1
    assert await inbox.begin("c", event, redelivered=False) is None, "a double publish"
    assert await inbox.begin("c", event, redelivered=True) == 2
    # the broker parked it at its limit; the replay tool sends it again with x-replayed: 1
    assert await inbox.begin("c", event, redelivered=False, replay=1) == 1
    assert await inbox.begin("c", event, redelivered=True, replay=1) == 2, "no reset on requeue"
    await inbox.parked("c", event.id)
    assert await inbox.begin("c", event, redelivered=False, replay=2) == 1
    await inbox.complete("c", event.id)
    assert await inbox.begin("c", event, redelivered=False, replay=3) is None, "already done"


async def test_entries_handled_before_the_sweep_existed_are_forgotten_by_their_arrival_time(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    clock = FakeClock()
    arrived = dt.datetime.fromtimestamp(clock.now / 1000, dt.UTC)
    await mongo_db["inbox"].insert_many(
        [  # as the inbox wrote them before it stamped `done_ms`
            {"_id": "c:old", "state": "done", "received_at": arrived},
            {"_id": "c:open", "state": "processing", "received_at": arrived},
        ]
    )
    clock.now += HOUR_MS + 1000
    assert await Inbox(mongo_db, clock=clock).sweep(HOUR_MS) == 1
    left = await mongo_db["inbox"].find({}, {"_id": 1}).to_list(10)
    assert [doc["_id"] for doc in left] == ["c:open"]
