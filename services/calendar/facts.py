"""What the calendar tells the stream about an event: the public facts every calendar.event.*
payload carries, and whether a change is announced as a reschedule or an update. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TypedDict

from services.calendar.domain import TIME_FIELDS, Event
from services.calendar.recurrence import parse_occurrence_key
from shared.contracts.base import Payload
from shared.contracts.calendar import (
    EventRescheduled,
    EventStatus,
    EventUpdated,
    MovedOccurrence,
    Recurrence,
    Venue,
    Visibility,
)
from shared.contracts.vocabulary import Audience, FieldOfAction

#: Facts that change with every change, so they are never named among the changed fields.
_BOOKKEEPING = ("sequence", "updated_at")


class EventFactFields(TypedDict):
    """The fields of `shared.contracts.calendar.EventFacts`, as an event gives them."""

    event_id: str
    title: str
    description: str
    organisation_id: str
    co_organiser_ids: list[str]
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool
    timezone: str
    venue: Venue | None
    district: str | None
    audience: list[Audience]
    languages: list[str]
    fields: list[FieldOfAction]
    visibility: Visibility
    measure_ids: list[str]
    recurrence: Recurrence | None
    status: EventStatus
    sequence: int
    updated_at: dt.datetime


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


def facts(event: Event) -> EventFactFields:
    """The public facts of an event, as every calendar.event.* payload carries them."""
    return {
        "event_id": event.id,
        "title": event.title,
        "description": event.description,
        "organisation_id": event.organisation_id,
        "co_organiser_ids": event.co_organiser_ids,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "all_day": event.all_day,
        "timezone": event.timezone,
        "venue": event.venue,
        "district": event.district,
        "audience": event.audience,
        "languages": event.languages,
        "fields": event.fields,
        "visibility": event.visibility,
        "measure_ids": event.measure_ids,
        "recurrence": recurrence_of(event),
        "status": event.status,
        "sequence": event.sequence,
        "updated_at": event.updated_at,
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
