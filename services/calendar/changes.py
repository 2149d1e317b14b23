"""What happens to an event: planning, changing, cancelling, moving an occurrence,
co-organisers joining and leaving, bringing an imported event in line with its feed — each a
pure transition that returns the new event and the messages it causes. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from services.calendar.domain import (
    Event,
    EventStateError,
    InvalidEventError,
    Occurrence,
    OccurrenceOverride,
    check_duration,
    find_occurrence,
    moment_of,
    resolve_times,
    validate_event,
)
from services.calendar.facts import change_messages, facts
from services.calendar.inputs import (
    REQUIRED_FIELDS,
    EventCreate,
    EventPatch,
    RecurrenceInput,
    When,
)
from services.calendar.recurrence import (
    RecurrenceError,
    from_wall_time,
    normalise_rule,
    occurrence_key,
    original_starts,
    wall_time,
    zone,
)
from shared.contracts.base import Payload
from shared.contracts.calendar import (
    EventCancelled,
    EventRescheduled,
    EventScheduled,
    EventStatus,
)

#: What an event takes over just as the organiser gave it, on planning and on editing alike.
AS_GIVEN = (
    "title",
    "description",
    "district",
    "audience",
    "languages",
    "fields",
    "visibility",
    "measure_ids",
    "group_id",
    "topic",
)


def _recurrence(
    recurrence: RecurrenceInput | None, timezone: str, all_day: bool
) -> tuple[str | None, list[dt.datetime]]:
    if recurrence is None:
        return None, []
    try:
        rule = normalise_rule(recurrence.rrule, zone(timezone))
    except RecurrenceError as exc:
        raise InvalidEventError(str(exc)) from exc
    exdates = sorted({moment_of(e, all_day, timezone, "EXDATEs") for e in recurrence.exdates})
    return rule, exdates


#: Whether the one naming a co-organiser may consent for it (is its editor, or office staff).
Consents = Callable[[str], bool]


def _no_consent(organisation_id: str) -> bool:
    return False


def co_organisers(
    named: Sequence[str],
    organisation_id: str,
    accepted: Sequence[str] = (),
    consents: Consents = _no_consent,
) -> tuple[list[str], list[str]]:
    """(co-organisers, invited) when the organiser names `named`: who accepted before, or for
    whom the one naming them may consent, stays or becomes co-organiser; the rest are invited.
    Nobody becomes co-organiser of someone else's event without its own consent."""
    wanted = [o for o in dict.fromkeys(named) if o != organisation_id]
    agreed = [o for o in wanted if o in accepted or consents(o)]
    return agreed, [o for o in wanted if o not in agreed]


def plan_event(
    event_id: str,
    data: EventCreate,
    now: dt.datetime,
    *,
    consents: Consents = _no_consent,
    **origin: str | None,
) -> Event:
    """A new event from the organiser's input; raises InvalidEventError. `origin` names the
    import (`import_id`, `import_uid`) it came from, if any. Named co-organisers are invited
    unless `consents` says the one planning may accept for them."""
    starts_at, ends_at, all_day = resolve_times(data.starts_at, data.ends_at, data.timezone)
    rule, exdates = _recurrence(data.recurrence, data.timezone, all_day)
    accepted, invited = co_organisers(
        data.co_organiser_ids, data.organisation_id, consents=consents
    )
    event = Event(
        id=event_id,
        **{name: getattr(data, name) for name in AS_GIVEN},
        organisation_id=data.organisation_id,
        co_organiser_ids=accepted,
        invited_organiser_ids=invited,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        timezone=data.timezone,
        venue=data.venue.venue() if data.venue else None,
        rrule=rule,
        exdates=exdates,
        created_at=now,
        updated_at=now,
        **origin,
    )
    validate_event(event)
    return event


def schedule_event(
    event_id: str, data: EventCreate, now: dt.datetime, consents: Consents = _no_consent
) -> tuple[Event, EventScheduled]:
    event = plan_event(event_id, data, now, consents=consents)
    return event, EventScheduled(**facts(event))


def _require_scheduled(event: Event) -> None:
    if event.cancelled:
        raise EventStateError("A cancelled event cannot be changed.")


def _resequenced(event: Event, update: Mapping[str, Any], now: dt.datetime) -> Event:
    """The event's next version as calendars see it: `update` applied, its SEQUENCE counted up
    and `updated_at` now."""
    return event.model_copy(update={**update, "sequence": event.sequence + 1, "updated_at": now})


def _patched_times(
    event: Event, patch: EventPatch, given: set[str], timezone: str
) -> tuple[dt.datetime, dt.datetime, bool]:
    if not ({"starts_at", "ends_at"} & given):
        if timezone == event.timezone:
            return event.starts_at, event.ends_at, event.all_day
        # Same wall time, another zone.
        old, new = zone(event.timezone), zone(timezone)
        return (
            from_wall_time(wall_time(event.starts_at, old), new),
            from_wall_time(wall_time(event.ends_at, old), new),
            event.all_day,
        )
    if patch.starts_at is not None and patch.ends_at is not None:
        return resolve_times(patch.starts_at, patch.ends_at, timezone)
    if patch.starts_at is not None:  # moved, same length
        start = moment_of(patch.starts_at, event.all_day, timezone, "Times")
        return start, start + (event.ends_at - event.starts_at), event.all_day
    assert patch.ends_at is not None
    return (
        event.starts_at,
        moment_of(patch.ends_at, event.all_day, timezone, "Times"),
        event.all_day,
    )


def change_event(
    event: Event, patch: EventPatch, now: dt.datetime, consents: Consents = _no_consent
) -> tuple[Event, list[Payload]]:
    """Apply a patch; every change bumps `sequence`, a time change is a reschedule. Returns the
    very same event (and nothing to publish) when nothing changed, and the event without
    anything to publish when only invitations changed."""
    _require_scheduled(event)
    given = set(patch.model_fields_set)
    cleared = sorted(name for name in given if getattr(patch, name) is None)
    if cleared_required := [name for name in cleared if name in REQUIRED_FIELDS]:
        raise InvalidEventError(
            f"These fields cannot be cleared: {', '.join(cleared_required)}.",
            fields=cleared_required,
        )
    timezone = patch.timezone or event.timezone
    starts_at, ends_at, all_day = _patched_times(event, patch, given, timezone)
    rule, exdates = event.rrule, event.exdates
    if "recurrence" in given:
        rule, exdates = _recurrence(patch.recurrence, timezone, all_day)
    elif all_day != event.all_day and exdates:
        raise InvalidEventError(
            "Give the series' EXDATEs again when it becomes all-day or timed.",
            fields=["recurrence"],
        )
    update: dict[str, Any] = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": all_day,
        "timezone": timezone,
        "rrule": rule,
        "exdates": exdates,
    }
    for name in AS_GIVEN:
        if name in given:
            update[name] = getattr(patch, name)
    if "co_organiser_ids" in given and patch.co_organiser_ids is not None:
        update["co_organiser_ids"], update["invited_organiser_ids"] = co_organisers(
            patch.co_organiser_ids, event.organisation_id, event.co_organiser_ids, consents
        )
    if "venue" in given:
        update["venue"] = patch.venue.venue() if patch.venue else None
    changed = event.model_copy(update=update)
    changed = changed.model_copy(update={"overrides": _overrides_still_valid(changed)})
    if changed.content() == event.content():
        if changed.invited_organiser_ids == event.invited_organiser_ids:
            return event, []
        return changed, []  # only invitations: nothing the public sees changed
    changed = _resequenced(changed, {}, now)
    validate_event(changed)
    return changed, change_messages(event, changed)


def accept_co_organiser(
    event: Event, organisation_id: str, now: dt.datetime
) -> tuple[Event, list[Payload]]:
    """The invited organisation consents: it becomes co-organiser (announced as an update).
    Accepting twice changes nothing; raises LookupError without an invitation."""
    _require_scheduled(event)
    if organisation_id in event.co_organiser_ids:
        return event, []
    if organisation_id not in event.invited_organiser_ids:
        raise LookupError("This organisation is not invited to co-organise the event.")
    changed = _resequenced(
        event,
        {
            "co_organiser_ids": [*event.co_organiser_ids, organisation_id],
            "invited_organiser_ids": [
                o for o in event.invited_organiser_ids if o != organisation_id
            ],
        },
        now,
    )
    return changed, change_messages(event, changed)


def drop_co_organiser(
    event: Event, organisation_id: str, now: dt.datetime, *, invitation_only: bool = False
) -> tuple[Event, list[Payload]]:
    """The organisation declines its invitation, leaves as co-organiser, or the organiser takes
    it off. Leaving is announced as an update (of a scheduled event); raises LookupError when it
    is neither invited nor co-organiser."""
    if organisation_id in event.invited_organiser_ids:
        invited = [o for o in event.invited_organiser_ids if o != organisation_id]
        return event.model_copy(update={"invited_organiser_ids": invited}), []
    if invitation_only:
        raise LookupError("This organisation is not invited to co-organise the event.")
    if organisation_id not in event.co_organiser_ids:
        raise LookupError("This organisation is neither invited nor co-organiser of the event.")
    left = [o for o in event.co_organiser_ids if o != organisation_id]
    if event.cancelled:  # nothing to announce about an event that no longer takes place
        return event.model_copy(update={"co_organiser_ids": left}), []
    changed = _resequenced(event, {"co_organiser_ids": left}, now)
    return changed, change_messages(event, changed)


def _overrides_still_valid(event: Event) -> dict[str, OccurrenceOverride]:
    """Per-occurrence changes whose occurrence still exists after the series changed."""
    if event.rrule is None or not event.overrides:
        return {}
    try:
        keys = {
            occurrence_key(s)
            for s in original_starts(
                event.rrule, event.starts_at, event.exdates, zone(event.timezone)
            )
        }
    except RecurrenceError:
        return dict(event.overrides)  # validation will refuse the rule
    return {key: o for key, o in event.overrides.items() if key in keys}


def cancel_event(
    event: Event, occurrence: dt.datetime | None, reason: str | None, now: dt.datetime
) -> tuple[Event, list[Payload]]:
    """Cancel the whole event or one occurrence of a series. Cancelling twice changes nothing.
    Raises LookupError for an occurrence the series does not have."""
    if occurrence is None:
        if event.cancelled:
            return event, []
        cancelled = _resequenced(
            event, {"status": EventStatus.CANCELLED, "cancel_reason": reason}, now
        )
        return cancelled, [EventCancelled(**facts(cancelled), reason=reason)]
    _require_scheduled(event)
    found = find_occurrence(event, occurrence)
    if found.cancelled:
        return event, []
    key = occurrence_key(found.original_start)
    cancelled = _resequenced(
        event, {"overrides": {**event.overrides, key: OccurrenceOverride(state="cancelled")}}, now
    )
    payload = EventCancelled(
        **facts(cancelled), occurrence_start=found.original_start, reason=reason
    )
    return cancelled, [payload]


def move_occurrence(
    event: Event, original_start: dt.datetime, starts: When, ends: When, now: dt.datetime
) -> tuple[Event, Occurrence, list[Payload]]:
    """Move one occurrence of a series; returns the event, the occurrence at its new time and
    the reschedule (none when it already is there). Raises LookupError for an unknown one."""
    _require_scheduled(event)
    found = find_occurrence(event, original_start)
    if found.cancelled:
        raise EventStateError("This occurrence is cancelled; it cannot be moved.")
    starts_at = moment_of(starts, event.all_day, event.timezone, "Times")
    ends_at = moment_of(ends, event.all_day, event.timezone, "Times")
    check_duration(starts_at, ends_at, "An occurrence")
    moved = Occurrence(event.id, found.original_start, starts_at, ends_at, moved=True)
    if (found.starts_at, found.ends_at) == (starts_at, ends_at):
        return event, moved, []
    key = occurrence_key(found.original_start)
    override = OccurrenceOverride(state="moved", starts_at=starts_at, ends_at=ends_at)
    changed = _resequenced(event, {"overrides": {**event.overrides, key: override}}, now)
    validate_event(changed)
    payload = EventRescheduled(
        **facts(changed),
        previous_starts_at=found.starts_at,
        previous_ends_at=found.ends_at,
        occurrence_start=found.original_start,
    )
    return changed, moved, [payload]


def reconcile_import(
    existing: Event | None, incoming: Event, now: dt.datetime
) -> tuple[Event, list[Payload]]:
    """Bring an imported event in line with the feed: new ones are scheduled, changed ones get
    `sequence` + 1 (and are rescheduled or cancelled), unchanged ones stay the very same."""
    if existing is None:
        return incoming, [EventScheduled(**facts(incoming))]
    # A feed only names co-organisers; who of them accepted is the calendar's to keep.
    accepted, invited = co_organisers(
        [*incoming.co_organiser_ids, *incoming.invited_organiser_ids],
        incoming.organisation_id,
        existing.co_organiser_ids,
    )
    merged = incoming.model_copy(
        update={
            "id": existing.id,
            "created_at": existing.created_at,
            "sequence": existing.sequence,
            "updated_at": existing.updated_at,
            "co_organiser_ids": accepted,
            "invited_organiser_ids": invited,
        }
    )
    if merged.content() == existing.content():
        if merged.invited_organiser_ids != existing.invited_organiser_ids:
            return merged, []
        return existing, []
    merged = _resequenced(merged, {}, now)
    if merged.cancelled:
        return merged, [EventCancelled(**facts(merged), reason=merged.cancel_reason)]
    if existing.cancelled:
        return merged, [EventScheduled(**facts(merged))]
    return merged, change_messages(existing, merged)


def with_overrides(
    event: Event, overrides: Sequence[tuple[dt.datetime, OccurrenceOverride]]
) -> Event:
    """The series with per-occurrence changes (from a feed), keeping only those that match one
    of its occurrences and last at most MAX_DURATION."""
    if event.rrule is None or not overrides:
        return event
    valid = _overrides_still_valid(
        event.model_copy(update={"overrides": {occurrence_key(start): o for start, o in overrides}})
    )
    for key, override in list(valid.items()):
        if override.state == "moved":
            assert override.starts_at is not None
            assert override.ends_at is not None
            try:
                check_duration(override.starts_at, override.ends_at)
            except InvalidEventError:
                del valid[key]
    return event.model_copy(update={"overrides": valid})
