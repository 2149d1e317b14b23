"""What the calendar tells the stream about an event: the public facts every calendar.event.*
payload carries, and whether a change is announced as a reschedule or an update. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.calendar.domain import TIME_FIELDS, Event
from services.calendar.recurrence import parse_occurrence_key
from shared.contracts.base import Payload
from shared.contracts.calendar import (
    EventFacts,
    EventRescheduled,
    EventUpdated,
    MovedOccurrence,
    Recurrence,
)

#: Facts that change with every change, so they are never named among the changed fields.
_BOOKKEEPING = ("sequence", "updated_at")
#: The public facts an event holds under their own names (all but `event_id` and `recurrence`).
_HELD_FACTS = tuple(name for name in EventFacts.model_fields if name in Event.model_fields)


def recurrence_of(event: Event) -> Recurrence | None:
    """How a series repeats, its called-off and moved occurrences included; None for a
    single date."""
    if event.rrule is None:
        return None
    cancelled = [
        parse_occurrence_key(key)
        for key, override in event.overrides.items()
        if override.state == "cancelled"
    ]
    moved = [
        MovedOccurrence(
            occurrence_start=parse_occurrence_key(key),
            starts_at=override.starts_at,
            ends_at=override.ends_at,
        )
        for key, override in sorted(event.overrides.items())
        if override.state == "moved" and override.starts_at and override.ends_at
    ]
    return Recurrence(rrule=event.rrule, exdates=sorted([*event.exdates, *cancelled]), moved=moved)


def facts(event: Event) -> dict[str, Any]:
    """The public facts of an event, as every calendar.event.* payload carries them: the
    fields of `EventFacts`, read from the event's attributes of the same names."""
    return {
        **{name: getattr(event, name) for name in _HELD_FACTS},
        "event_id": event.id,
        "recurrence": recurrence_of(event),
    }


def change_messages(before: Event, after: Event) -> list[Payload]:
    """A new time is announced as a reschedule, any other change as an update."""
    if any(getattr(before, name) != getattr(after, name) for name in TIME_FIELDS):
        return [
            EventRescheduled(
                **facts(after),
                previous_starts_at=before.starts_at,
                previous_ends_at=before.ends_at,
            )
        ]
    new = facts(after)
    old: Mapping[str, object] = facts(before)
    changed = sorted(
        name for name, value in new.items() if name not in _BOOKKEEPING and old[name] != value
    )
    return [EventUpdated(**new, changed_fields=changed)]
