"""The calendar's domain: events, their occurrences, and the rules for planning, changing and
cancelling them. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.calendar.inputs import DEFAULT_TIMEZONE, When
from services.calendar.recurrence import (
    RecurrenceError,
    check_bounded,
    from_wall_time,
    occurrence_key,
    original_starts,
    parse_occurrence_key,
    to_utc,
    wall_time,
    zone,
)
from shared.contracts.calendar import EventStatus, Venue, Visibility
from shared.contracts.vocabulary import Audience, FieldOfAction

#: A single event (or one occurrence) lasts at most this long.
MAX_DURATION = dt.timedelta(days=14)
#: From the first start to the last end of a series, moved occurrences included.
MAX_SPAN = dt.timedelta(days=3 * 366)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


class InvalidEventError(ValueError):
    """Input that is well-formed but not a plannable event (answered with 422); `fields`
    names the fields concerned, when it is about some."""

    def __init__(self, detail: str, *, fields: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.fields = list(fields)


class EventStateError(ValueError):
    """A change the event's current state does not allow (answered with 409)."""


#: The input fields a refused start or end concerns.
TIME_INPUTS = ("starts_at", "ends_at")
#: Fields whose change moves the event in time (a reschedule).
TIME_FIELDS = frozenset({"starts_at", "ends_at", "all_day", "timezone", "rrule", "exdates"})


# --- the event ----------------------------------------------------------------------------


class OccurrenceOverride(BaseModel):
    """One occurrence of a series that was called off or moved on its own."""

    model_config = ConfigDict(frozen=True)

    state: Literal["cancelled", "moved"]
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


class Event(BaseModel):
    """A calendar entry as the calendar holds it; times in UTC."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    description: str = ""
    organisation_id: str
    #: Co-organisers that accepted (documents from before invitations: all of them).
    co_organiser_ids: list[str] = Field(default_factory=list)
    #: Organisations named as co-organisers that have not accepted (yet).
    invited_organiser_ids: list[str] = Field(default_factory=list)
    starts_at: dt.datetime
    ends_at: dt.datetime
    all_day: bool = False
    timezone: str = DEFAULT_TIMEZONE
    venue: Venue | None = None
    district: str | None = None
    audience: list[Audience] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    fields: list[FieldOfAction] = Field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    #: Measures of the integration concept it carries out.
    measure_ids: list[str] = Field(default_factory=list)
    #: The working group whose meeting it is, and the meeting's topic.
    group_id: str | None = None
    topic: str = ""
    rrule: str | None = None
    exdates: list[dt.datetime] = Field(default_factory=list)
    #: Keyed by the occurrence's original start (`occurrence_key`).
    overrides: dict[str, OccurrenceOverride] = Field(default_factory=dict)
    status: EventStatus = EventStatus.SCHEDULED
    cancel_reason: str | None = None
    sequence: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime
    #: Set for events that came from an organisation's ICS feed.
    import_id: str | None = None
    import_uid: str | None = None

    @property
    def organiser_ids(self) -> list[str]:
        return [self.organisation_id, *self.co_organiser_ids]

    @property
    def is_series(self) -> bool:
        return self.rrule is not None

    @property
    def cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED

    def content(self) -> dict[str, Any]:
        """Everything an organiser decides and the public sees; equal content means nothing
        changed (pending invitations are not part of it)."""
        return self.model_dump(
            exclude={
                "id",
                "sequence",
                "created_at",
                "updated_at",
                "import_id",
                "import_uid",
                "invited_organiser_ids",
            }
        )


@dataclass(frozen=True)
class Occurrence:
    """One date of an event: the event itself, or one instance of a series."""

    event_id: str
    #: The start the rule gives it (the iCalendar RECURRENCE-ID); for a single event its start.
    original_start: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    cancelled: bool = False
    moved: bool = False

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.starts_at < end and start < self.ends_at


# --- times --------------------------------------------------------------------------------


def resolve_times(starts: When, ends: When, timezone: str) -> tuple[dt.datetime, dt.datetime, bool]:
    """(start UTC, end UTC, all-day) from API input: two moments, or two dates."""
    tz = zone(timezone)
    starts_is_date = not isinstance(starts, dt.datetime)
    ends_is_date = not isinstance(ends, dt.datetime)
    if starts_is_date != ends_is_date:
        raise InvalidEventError(
            "Give `starts_at` and `ends_at` both as dates (all-day) or both as date-times.",
            fields=TIME_INPUTS,
        )
    if starts_is_date:
        start = from_wall_time(dt.datetime.combine(starts, dt.time()), tz)
        end = from_wall_time(dt.datetime.combine(ends, dt.time()), tz)
        return start, end, True
    assert isinstance(starts, dt.datetime)
    assert isinstance(ends, dt.datetime)
    return to_utc(starts), to_utc(ends), False


def moment_of(value: When, all_day: bool, timezone: str, what: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if all_day:
            raise InvalidEventError(f"{what} of an all-day event are dates (YYYY-MM-DD).")
        return to_utc(value)
    if not all_day:
        raise InvalidEventError(f"{what} of a timed event are date-times with an offset.")
    return from_wall_time(dt.datetime.combine(value, dt.time()), zone(timezone))


def check_duration(start: dt.datetime, end: dt.datetime, what: str = "An event") -> None:
    if end <= start:
        raise InvalidEventError(f"{what} must end after it starts.", fields=TIME_INPUTS)
    if end - start > MAX_DURATION:
        raise InvalidEventError(
            f"{what} may last at most {MAX_DURATION.days} days; plan a series instead.",
            fields=TIME_INPUTS,
        )
    if start < EARLIEST or end > LATEST:
        raise InvalidEventError(
            "Events are planned between the years 2000 and 2100.", fields=TIME_INPUTS
        )


def nominal_end(event: Event, start: dt.datetime) -> dt.datetime:
    """End of the occurrence starting at `start`: the first occurrence's wall-clock duration
    added in local time (RFC 5545), so it stays 18:00–20:00 across the DST switch."""
    tz = zone(event.timezone)
    duration = wall_time(event.ends_at, tz) - wall_time(event.starts_at, tz)
    return from_wall_time(wall_time(start, tz) + duration, tz)


def validate_event(event: Event) -> None:
    """Raise InvalidEventError unless the event can be planned as it stands."""
    check_duration(event.starts_at, event.ends_at)
    if event.rrule is None:
        return
    try:
        check_bounded(event.rrule, event.starts_at, event.exdates, zone(event.timezone))
    except RecurrenceError as exc:
        raise InvalidEventError(str(exc), fields=["recurrence"]) from exc
    for override in event.overrides.values():
        if override.state == "moved":
            assert override.starts_at is not None
            assert override.ends_at is not None
            check_duration(override.starts_at, override.ends_at, "An occurrence")
    first, last = series_span(event)
    if last - first > MAX_SPAN:
        raise InvalidEventError("A series with its moved dates may span at most three years.")


# --- occurrences --------------------------------------------------------------------------


def occurrences(
    event: Event, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[Occurrence]:
    """The event's dates overlapping [start, end) (all of them without a window), by start.
    Cancelled ones are included, marked."""
    low = start or EARLIEST
    high = end or LATEST
    if event.rrule is None:
        single = Occurrence(
            event.id, event.starts_at, event.starts_at, event.ends_at, cancelled=event.cancelled
        )
        return [single] if single.overlaps(low, high) else []
    tz = zone(event.timezone)
    duration = event.ends_at - event.starts_at
    # A DST switch changes an occurrence's length by an hour: look that much further back.
    after = None if start is None else start - duration - dt.timedelta(hours=2)
    found: list[Occurrence] = []
    for original in original_starts(
        event.rrule, event.starts_at, event.exdates, tz, after=after, before=end
    ):
        override = event.overrides.get(occurrence_key(original))
        if override is not None and override.state == "moved":
            continue  # listed below at its new time
        occurrence = Occurrence(
            event.id,
            original,
            original,
            nominal_end(event, original),
            cancelled=event.cancelled or override is not None,
        )
        if occurrence.overlaps(low, high):
            found.append(occurrence)
    for key, override in event.overrides.items():
        if override.state != "moved":
            continue
        assert override.starts_at is not None
        assert override.ends_at is not None
        moved = Occurrence(
            event.id,
            parse_occurrence_key(key),
            override.starts_at,
            override.ends_at,
            cancelled=event.cancelled,
            moved=True,
        )
        if moved.overlaps(low, high):
            found.append(moved)
    found.sort(key=lambda o: (o.starts_at, o.original_start))
    return found


def series_span(event: Event) -> tuple[dt.datetime, dt.datetime]:
    """From the earliest start to the latest end of all its dates, cancelled ones included."""
    dates = occurrences(event)
    if not dates:
        return event.starts_at, event.ends_at
    return min(o.starts_at for o in dates), max(o.ends_at for o in dates)


def find_occurrence(event: Event, original_start: dt.datetime) -> Occurrence:
    if event.rrule is None:
        raise InvalidEventError("This event is not a series; change or cancel it as a whole.")
    original = to_utc(original_start)
    for occurrence in occurrences(event, original, original + dt.timedelta(seconds=1)):
        if occurrence.original_start == original:
            return occurrence
    override = event.overrides.get(occurrence_key(original))
    if override is not None and override.state == "moved":
        return next(o for o in occurrences(event) if o.original_start == original)
    raise LookupError(f"The series has no occurrence starting at {occurrence_key(original)}.")
