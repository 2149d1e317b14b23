"""The concept's activities on the database: a measure's links follow the newest revision of
each event or listing, whatever order revisions arrive in and however many are handled at once,
and the counts the report reads agree with the links."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from services.concept.activity_store import ActivityStore
from services.concept.repository import Activity, ActivityCount
from services.concept.store import INDEXES
from shared.mongo import ensure_indexes
from shared.pages import Paging

Db = AsyncDatabase[dict[str, Any]]
NOW = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
PAGE = Paging(limit=20, offset=0)


def revision_of(
    revision: int, measure_ids: list[str], *, active: bool = True, visibility: str = "public"
) -> Activity:
    return Activity(
        kind="event",
        source_id="sprachcafe",
        title=f"Sprachcafé, Fassung {revision}",
        organisation_id="o",
        measure_ids=measure_ids,
        visibility=visibility,
        active=active,
        occurred_at=NOW,
        revision=revision,
    )


@pytest.fixture
async def activities(mongo_db: Db) -> ActivityStore:
    await ensure_indexes(mongo_db, INDEXES)
    return ActivityStore(mongo_db)


async def titles(store: ActivityStore, measure_id: str, *visibilities: str) -> list[str]:
    found, total = await store.of_measure(measure_id, visibilities or ("public",), PAGE)
    assert total == len(found)
    return [activity.title for activity in found]


REVISIONS = [
    revision_of(1, ["a", "b"]),
    revision_of(2, ["b", "c"]),
    revision_of(3, ["c"], visibility="network"),
]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
async def test_links_end_at_the_newest_revision_in_any_order(
    activities: ActivityStore, order: tuple[int, ...]
) -> None:
    for index in order:
        await activities.project(REVISIONS[index])
    assert await titles(activities, "a", "public", "network") == []
    assert await titles(activities, "b", "public", "network") == []
    assert await titles(activities, "c") == []  # a network event: not for the public
    assert await titles(activities, "c", "public", "network") == ["Sprachcafé, Fassung 3"]
    assert await activities.counts(["public"]) == {}
    assert await activities.counts(["public", "network"]) == {"c": ActivityCount(events=1)}


async def test_revisions_handled_at_once_leave_the_newest(activities: ActivityStore) -> None:
    revisions = [revision_of(n, ["a", "b"] if n % 2 else ["b"]) for n in range(1, 13)]
    revisions.append(revision_of(13, ["a"], active=False))
    await asyncio.gather(*(activities.project(r) for r in reversed(revisions)))
    assert await titles(activities, "a") == []
    assert await titles(activities, "b") == []
    assert await activities.counts(["public", "network"]) == {}


async def test_a_cancelled_event_stops_counting_and_a_repeated_one_changes_nothing(
    activities: ActivityStore,
) -> None:
    await activities.project(revision_of(1, ["a"]))
    listing = Activity(
        kind="offer",
        source_id="raum",
        title="Gruppenraum",
        organisation_id="o",
        measure_ids=["a"],
        visibility="public",
        active=True,
        occurred_at=NOW + dt.timedelta(hours=1),
        revision=1,
    )
    await activities.project(listing)
    assert await titles(activities, "a") == ["Gruppenraum", "Sprachcafé, Fassung 1"]
    assert await activities.counts(["public"]) == {"a": ActivityCount(events=1, listings=1)}

    await activities.project(revision_of(2, ["a"], active=False))
    await activities.project(revision_of(2, ["a"], active=False))
    await activities.project(revision_of(1, ["a"]))
    assert await titles(activities, "a") == ["Gruppenraum"]
    assert await activities.counts(["public"]) == {"a": ActivityCount(listings=1)}
