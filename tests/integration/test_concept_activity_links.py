"""The concept's activities on the database: a measure's links follow the newest revision of
each event or listing, whatever order revisions arrive in and however many are handled at once,
and the counts the report reads agree with the links."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from typing import Any

import pytest
from prometheus_client import REGISTRY
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


async def assert_nothing_linked(store: ActivityStore) -> None:
    """Neither measure "a" nor "b" lists an activity, and no measure counts one."""
    assert await titles(store, "a") == []
    assert await titles(store, "b") == []
    assert await store.counts(["public", "network"]) == {}


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
    await assert_nothing_linked(activities)


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


WITHOUT_MEASURES = [
    revision_of(1, ["a"]),
    revision_of(2, []),
    revision_of(3, []),
    revision_of(4, ["b"]),
    revision_of(5, []),
]


@pytest.mark.parametrize("seed", range(12))
async def test_revisions_naming_no_measure_close_links_in_any_order(
    activities: ActivityStore, seed: int
) -> None:
    order = list(itertools.permutations(range(len(WITHOUT_MEASURES))))[seed * 10]
    for index in order:
        await activities.project(WITHOUT_MEASURES[index])
    await assert_nothing_linked(activities)


async def test_revisions_naming_no_measure_at_once_leave_the_newest(
    activities: ActivityStore,
) -> None:
    revisions = [revision_of(n, ["a"] if n % 3 == 0 else []) for n in range(1, 14)]
    await asyncio.gather(*(activities.project(r) for r in reversed(revisions)))
    assert await titles(activities, "a") == []  # revision 13 names none
    await activities.project(revision_of(14, ["a"]))
    assert await titles(activities, "a") == ["Sprachcafé, Fassung 14"]


def commands_on_activities() -> dict[str, float]:
    """The commands this process has sent to the activity collections, by name."""
    counted: dict[str, float] = {}
    for metric in REGISTRY.collect():
        for sample in metric.samples:
            if sample.name == "integrationsnetz_database_commands_total" and sample.labels.get(
                "collection"
            ) in {"activities", "activity_links", "activity_counts"}:
                name = sample.labels["command"]
                counted[name] = counted.get(name, 0) + sample.value
    return counted


def commands_since(before: dict[str, float]) -> dict[str, float]:
    after = commands_on_activities()
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


async def test_an_activity_naming_no_measure_reads_no_link(activities: ActivityStore) -> None:
    """Most events and listings name no measure: their first revision is one insert, a newer
    one an insert refused and a replace, and no link is read or written."""
    before = commands_on_activities()
    await activities.project(revision_of(1, []))
    assert commands_since(before) == {"insert": 1}
    before = commands_on_activities()
    await activities.project(revision_of(2, []))
    assert commands_since(before) == {"insert": 1, "update": 1}
