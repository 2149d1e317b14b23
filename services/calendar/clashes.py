"""Clash detection: which dates of an event compete with dates of other events. No I/O here.

A room clash is the same venue and room (compared folded) at overlapping times; an audience
clash is the same district (folded), overlapping times and at least one shared audience.
An event never clashes with itself or its own occurrences; cancelled events and cancelled
occurrences clash with nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from services.calendar.domain import Event, Occurrence, occurrences
from services.calendar.recurrence import occurrence_key
from shared.contracts.calendar import ConflictKind, Venue
from shared.contracts.vocabulary import Audience
from shared.text import fold

#: Namespace of conflict ids: the same clash always gets the same id.
CONFLICT_NAMESPACE = uuid.UUID("5d6b2c7e-0c1a-4d43-9a55-3f7e1c2b9a10")


@dataclass(frozen=True)
class Clash:
    """One date of `event_id` competing with one date of `other_event_id`."""

    kind: ConflictKind
    event_id: str
    other_event_id: str
    occurrence_start: dt.datetime
    other_occurrence_start: dt.datetime
    overlap_starts_at: dt.datetime
    overlap_ends_at: dt.datetime
    shared_audience: tuple[Audience, ...] = ()
    venue: Venue | None = None
    district: str | None = None

    @property
    def conflict_id(self) -> str:
        """The same for both sides of the clash, whichever was saved last."""
        mine = f"{self.event_id}@{occurrence_key(self.occurrence_start)}"
        theirs = f"{self.other_event_id}@{occurrence_key(self.other_occurrence_start)}"
        first, second = sorted((mine, theirs))
        return str(uuid.uuid5(CONFLICT_NAMESPACE, f"{self.kind.value}|{first}|{second}"))

    def mirrored(self) -> Clash:
        """The same clash seen from the other event."""
        return replace(
            self,
            event_id=self.other_event_id,
            other_event_id=self.event_id,
            occurrence_start=self.other_occurrence_start,
            other_occurrence_start=self.occurrence_start,
        )


def venue_key(event: Event) -> str | None:
    """What makes two bookings the same room: the venue's name and room, folded. A venue
    without a name is no bookable room."""
    venue = event.venue
    if venue is None or not venue.name or not fold(venue.name).strip():
        return None
    return f"{' '.join(fold(venue.name).split())}\x1f{' '.join(fold(venue.room or '').split())}"


def district_key(district: str | None) -> str | None:
    folded = " ".join(fold(district or "").split())
    return folded or None


def _overlapping_pairs(
    mine: list[Occurrence], theirs: list[Occurrence]
) -> Iterable[tuple[Occurrence, Occurrence]]:
    """Pairs of overlapping dates; both lists sorted by start."""
    if not mine or not theirs:
        return
    starts = [o.starts_at for o in theirs]
    longest = max(o.ends_at - o.starts_at for o in theirs)
    for occurrence in mine:
        low = bisect.bisect_right(starts, occurrence.starts_at - longest)
        high = bisect.bisect_left(starts, occurrence.ends_at)
        for other in theirs[low:high]:
            if other.ends_at > occurrence.starts_at:
                yield occurrence, other


def find_clashes(event: Event, others: Iterable[Event]) -> list[Clash]:
    """Every clash of the event's dates with the dates of `others`, by time."""
    if event.cancelled:
        return []
    mine = [o for o in occurrences(event) if not o.cancelled]
    if not mine:
        return []
    first = min(o.starts_at for o in mine)
    last = max(o.ends_at for o in mine)
    room = venue_key(event)
    district = district_key(event.district)
    clashes: list[Clash] = []
    for other in others:
        if other.id == event.id or other.cancelled:
            continue
        same_room = room is not None and room == venue_key(other)
        shared = tuple(sorted(set(event.audience) & set(other.audience)))
        same_audience = bool(
            district is not None and district == district_key(other.district) and shared
        )
        if not (same_room or same_audience):
            continue
        theirs = [o for o in occurrences(other, first, last) if not o.cancelled]
        for a, b in _overlapping_pairs(mine, theirs):
            overlap = (max(a.starts_at, b.starts_at), min(a.ends_at, b.ends_at))
            if same_room:
                clashes.append(
                    Clash(
                        ConflictKind.ROOM,
                        event.id,
                        other.id,
                        a.original_start,
                        b.original_start,
                        *overlap,
                        venue=event.venue,
                        district=event.district,
                    )
                )
            if same_audience:
                clashes.append(
                    Clash(
                        ConflictKind.AUDIENCE,
                        event.id,
                        other.id,
                        a.original_start,
                        b.original_start,
                        *overlap,
                        shared_audience=shared,
                        district=event.district,
                    )
                )
    clashes.sort(key=lambda c: (c.overlap_starts_at, c.kind.value, c.other_event_id))
    return clashes
