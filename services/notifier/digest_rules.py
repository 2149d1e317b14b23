"""The rules of digests, without I/O: when a digest period starts, what it is called, and
what goes into one digest."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from services.notifier.domain import Cadence, Item, Topic


def digest_period_start(
    now: dt.datetime, cadence: Cadence, *, hour: int, timezone: zoneinfo.ZoneInfo
) -> dt.datetime:
    """Start (UTC) of the digest period `now` falls into: the latest `hour` o'clock local time
    (on a Monday for weekly digests) that is not after `now`."""
    if cadence is Cadence.IMMEDIATE:
        raise ValueError("immediate subscriptions have no digest period")
    local = now.astimezone(timezone)
    day = local.date()
    if cadence is Cadence.WEEKLY:
        day -= dt.timedelta(days=day.weekday())
    step = dt.timedelta(days=7 if cadence is Cadence.WEEKLY else 1)
    while True:
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone)
        if start <= local:
            return start.astimezone(dt.UTC)
        day -= step


def digest_period_name(start: dt.datetime, cadence: Cadence, timezone: zoneinfo.ZoneInfo) -> str:
    """E.g. `daily-2026-05-16` or `weekly-2026-05-11` (the local date the period starts)."""
    return f"{cadence.value}-{start.astimezone(timezone).date().isoformat()}"


class DigestEntry(BaseModel):
    """An item waiting for a subscription's next digest."""

    model_config = ConfigDict(frozen=True)

    subscription_id: str
    item: Item
    added_ms: int


class DigestSection(BaseModel):
    model_config = ConfigDict(frozen=True)

    topic: Topic
    items: list[Item]


TOPIC_ORDER = (Topic.OFFERS, Topic.REQUESTS, Topic.EVENTS)


def group_digest(subscription_id: str, entries: Sequence[DigestEntry]) -> list[DigestSection]:
    """The sections of one digest: the subscription's own entries only, grouped by topic in a
    fixed order, each item once (its latest state), oldest first."""
    latest: dict[tuple[Topic, str], DigestEntry] = {}
    for entry in sorted(entries, key=lambda e: e.added_ms):
        if entry.subscription_id != subscription_id:
            continue
        key = (entry.item.topic, entry.item.entity_id)
        first = latest.get(key)
        # keep the first position, take the newest facts
        latest[key] = (
            entry if first is None else entry.model_copy(update={"added_ms": first.added_ms})
        )
    sections = []
    for topic in TOPIC_ORDER:
        chosen = sorted(
            (e for (t, _), e in latest.items() if t is topic),
            key=lambda e: (e.added_ms, e.item.entity_id),
        )
        if chosen:
            sections.append(DigestSection(topic=topic, items=[e.item for e in chosen]))
    return sections
