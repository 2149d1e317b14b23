"""Conflicts: the stored view of clashes between events. Which clashes open a conflict (and are
announced), which known conflicts only change whom they concern, and how a refused room booking
is explained. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from services.calendar.clashes import Clash
from services.calendar.domain import Event
from services.calendar.recurrence import zone
from shared.clock import BERLIN_ZONE_NAME
from shared.contracts.calendar import ConflictDetected, ConflictKind, Venue
from shared.contracts.vocabulary import Audience
from shared.errors import ConflictError

#: A refused booking names at most this many of the clashes.
MAX_NAMED_CLASHES = 20


@dataclass(frozen=True)
class Conflict:
    """A clash between a date of one event and a date of another, as the organisations
    concerned see it until it is resolved."""

    id: str
    kind: ConflictKind
    event_id: str
    other_event_id: str
    occurrence_start: dt.datetime
    other_occurrence_start: dt.datetime
    organisation_ids: list[str]
    overlap_starts_at: dt.datetime
    overlap_ends_at: dt.datetime
    detected_at: dt.datetime
    district: str | None = None
    shared_audience: list[Audience] = field(default_factory=list)
    venue: Venue | None = None
    state: Literal["open", "closed"] = "open"
    closed_at: dt.datetime | None = None

    @classmethod
    def of_clash(cls, clash: Clash, organisation_ids: Sequence[str], now: dt.datetime) -> Conflict:
        """The clash, with every field it has, as a conflict of `organisation_ids` from now."""
        clashed = {**asdict(clash), "shared_audience": list(clash.shared_audience)}
        return cls(
            id=clash.conflict_id,
            organisation_ids=list(dict.fromkeys(organisation_ids)),
            detected_at=now,
            **clashed,
        )

    @property
    def event_ids(self) -> list[str]:
        return sorted({self.event_id, self.other_event_id})

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def detected(self) -> ConflictDetected:
        """What the stream is told when the conflict opens: the fields the event has of the
        conflict's, its id and kind among them."""
        return ConflictDetected.model_validate(
            {**asdict(self), "conflict_id": self.id, "conflict_kind": self.kind}
        )


@dataclass(frozen=True)
class ConflictWrite:
    """A conflict to store over the one known before (None: not stored yet)."""

    conflict: Conflict
    existing: Conflict | None


def plan_conflicts(
    event: Event,
    clashes: Sequence[Clash],
    others: Mapping[str, Event],
    known: Mapping[str, Conflict],
    now: dt.datetime,
) -> tuple[list[ConflictWrite], list[ConflictDetected]]:
    """The conflicts to write for the event's clashes, and those to announce: a clash opens a
    conflict (announced) unless it is open already; an open one whose organisations changed
    (co-organisers joined or left) concerns them now, unannounced."""
    writes: dict[str, ConflictWrite] = {}
    detected: list[ConflictDetected] = []
    for clash in clashes:
        if clash.conflict_id in writes:
            continue
        organisation_ids = [*event.organiser_ids, *others[clash.other_event_id].organiser_ids]
        conflict = Conflict.of_clash(clash, organisation_ids, now)
        existing = known.get(clash.conflict_id)
        if existing is not None and existing.is_open:
            if sorted(existing.organisation_ids) != sorted(conflict.organisation_ids):
                kept = replace(conflict, detected_at=existing.detected_at)
                writes[clash.conflict_id] = ConflictWrite(kept, existing)
            continue  # already known and announced
        writes[clash.conflict_id] = ConflictWrite(conflict, existing)
        detected.append(conflict.detected())
    return list(writes.values()), detected


def _iso_berlin(moment: dt.datetime) -> str:
    return moment.astimezone(zone(BERLIN_ZONE_NAME)).isoformat()


def _span(start: dt.datetime, end: dt.datetime) -> str:
    """ "20.06.2026 14:00–17:00" in Berlin time."""
    tz = zone(BERLIN_ZONE_NAME)
    low, high = start.astimezone(tz), end.astimezone(tz)
    end_format = "%H:%M" if low.date() == high.date() else "%d.%m.%Y %H:%M"
    return f"{low:%d.%m.%Y %H:%M}–{high.strftime(end_format)}"


def room_clash_error(clashes: Sequence[Clash], others: Mapping[str, Event]) -> ConflictError:
    """Why a booking is refused: the room is taken, by whom and when."""
    first = clashes[0]
    other = others[first.other_event_id]
    venue = first.venue
    place = f"“{venue.name}”" if venue else "The venue"
    if venue and venue.room:
        place = f"Room “{venue.room}” at {place}"
    return ConflictError(
        f"{place} is already booked by “{other.title}” "
        f"({_span(first.overlap_starts_at, first.overlap_ends_at)}, Europe/Berlin). "
        "Choose another time or room, or ask the office to override.",
        title="Room already booked",
        slug="room-clash",
        clashes=[
            {
                "event_id": clash.other_event_id,
                "title": others[clash.other_event_id].title,
                "organisation_id": others[clash.other_event_id].organisation_id,
                "occurrence_start": _iso_berlin(clash.other_occurrence_start),
                "overlap_starts_at": _iso_berlin(clash.overlap_starts_at),
                "overlap_ends_at": _iso_berlin(clash.overlap_ends_at),
            }
            for clash in clashes[:MAX_NAMED_CLASHES]
        ],
    )
