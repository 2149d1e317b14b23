"""What organisers send the calendar: an event to plan, a change to one, and the value types
their fields are checked with. Validation of the form only; the rules of a plannable event are
in `domain.py`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from services.calendar.recurrence import RecurrenceError, zone
from shared.clock import BERLIN_ZONE_NAME, within_years
from shared.contracts.calendar import Venue, Visibility
from shared.contracts.vocabulary import Audience, FieldOfAction, LanguageTag
from shared.ids import EntityId

DEFAULT_TIMEZONE = BERLIN_ZONE_NAME
OrganisationId = EntityId
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Topic = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
#: Dates given to the calendar lie in these years: far enough around EARLIEST/LATEST for a
#: clear "between 2000 and 2100" answer, near enough that no time arithmetic overflows.
PLAUSIBLE_YEARS = range(1900, 2201)

#: A timed moment (RFC 3339 with offset), or a date for an all-day event.
When = Annotated[AwareDatetime | dt.date, AfterValidator(within_years(PLAUSIBLE_YEARS))]


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _known_zone(name: str) -> str:
    try:
        zone(name)
    except RecurrenceError as exc:
        raise ValueError(str(exc)) from exc
    return name


TimeZoneName = Annotated[str, AfterValidator(_known_zone)]
#: Measures of the integration concept an event carries out (the calendar only keeps them).
MeasureIds = Annotated[list[EntityId], AfterValidator(_unique), Field(max_length=20)]


class VenueInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        None, examples=["Stadtteilzentrum Nordstadt"]
    )
    address: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        None, examples=["Mallinckrodtstraße 12"]
    )
    room: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        None, examples=["Saal 2"]
    )

    def venue(self) -> Venue | None:
        if not (self.name or self.address or self.room):
            return None
        return Venue(name=self.name or None, address=self.address or None, room=self.room or None)


class RecurrenceInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rrule: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
    ] = Field(
        description="RFC 5545 RRULE value with COUNT or UNTIL, at most two years long; "
        "applied in the event's time zone.",
        examples=["FREQ=WEEKLY;BYDAY=TU;COUNT=20"],
    )
    exdates: list[When] = Field(
        default_factory=list,
        max_length=500,
        description="Starts of occurrences left out (RFC 3339, or dates for all-day series).",
    )


class EventFields(BaseModel):
    """What an organiser says about an event (shared by create and import)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        examples=["Kinderfest im Hoeschpark"]
    )
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    co_organiser_ids: Annotated[list[OrganisationId], AfterValidator(_unique)] = Field(
        default_factory=list,
        max_length=10,
        description="Organisations asked to organise it too: each becomes a co-organiser once "
        "an editor of it (or office staff) accepts the invitation.",
    )
    venue: VenueInput | None = None
    district: ShortText | None = Field(None, examples=["Nordstadt"])
    audience: Annotated[list[Audience], AfterValidator(_unique)] = Field(default_factory=list)
    languages: Annotated[list[LanguageTag], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=20
    )
    fields: Annotated[list[FieldOfAction], AfterValidator(_unique)] = Field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    measure_ids: MeasureIds = Field(
        default_factory=list,
        description="Measures of the integration concept the event carries out.",
    )
    timezone: TimeZoneName = Field(DEFAULT_TIMEZONE, description="IANA zone it is planned in.")
    recurrence: RecurrenceInput | None = None
    group_id: EntityId | None = Field(
        None,
        description="The working group whose meeting it is (its coordinator's members or office "
        "staff only; the organiser must be the group's coordinator).",
    )
    topic: Topic = Field("", description="The meeting's topic.", examples=["Fördermittel"])


class EventCreate(EventFields):
    organisation_id: OrganisationId = Field(description="The organiser.")
    starts_at: When = Field(
        description="RFC 3339 with offset; a date (YYYY-MM-DD) makes an all-day event.",
        examples=["2026-06-20T14:00:00+02:00"],
    )
    ends_at: When = Field(
        description="RFC 3339 with offset; for an all-day event the day after the last day "
        "(exclusive, as in iCalendar).",
        examples=["2026-06-20T17:00:00+02:00"],
    )


class EventPatch(BaseModel):
    """A partial change: only the fields given change; `null` clears an optional field.
    Giving only `starts_at` moves the event and keeps its duration."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    co_organiser_ids: Annotated[list[OrganisationId], AfterValidator(_unique)] | None = Field(
        None, max_length=10
    )
    venue: VenueInput | None = None
    district: ShortText | None = None
    audience: Annotated[list[Audience], AfterValidator(_unique)] | None = None
    languages: Annotated[list[LanguageTag], AfterValidator(_unique)] | None = Field(
        None, max_length=20
    )
    fields: Annotated[list[FieldOfAction], AfterValidator(_unique)] | None = None
    visibility: Visibility | None = None
    measure_ids: MeasureIds | None = None
    timezone: TimeZoneName | None = None
    recurrence: RecurrenceInput | None = None
    starts_at: When | None = None
    ends_at: When | None = None
    group_id: EntityId | None = None
    topic: Topic | None = None


#: Fields that may not be cleared with null.
REQUIRED_FIELDS = frozenset(
    {
        "title",
        "description",
        "co_organiser_ids",
        "audience",
        "languages",
        "fields",
        "visibility",
        "measure_ids",
        "timezone",
        "starts_at",
        "ends_at",
        "topic",
    }
)


class ImportDefaults(BaseModel):
    """Facts an ICS feed does not carry, given to every event imported from it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    district: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    audience: list[Audience] = Field(default_factory=list)
    languages: list[LanguageTag] = Field(default_factory=list, max_length=20)
    fields: list[FieldOfAction] = Field(default_factory=list)
    visibility: Visibility = Visibility.PUBLIC
    timezone: TimeZoneName = Field(
        BERLIN_ZONE_NAME, description="Zone of the feed's floating times."
    )
