"""What the calendar's HTTP API answers and accepts beyond the domain's own inputs: the
public shapes of events, occurrences, conflicts, invitations and imports. Times are answered in
Europe/Berlin (RFC 3339 with offset)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from services.calendar.clashes import Clash
from services.calendar.conflicts import Conflict
from services.calendar.domain import Event, Occurrence
from services.calendar.ics import event_url
from services.calendar.inputs import ImportDefaults, OrganisationId, When
from services.calendar.recurrence import parse_occurrence_key, zone
from services.calendar.service import Saved
from shared.clock import BERLIN_ZONE_NAME
from shared.contracts.calendar import ConflictKind, EventStatus, Venue, Visibility
from shared.contracts.vocabulary import Audience, FieldOfAction
from shared.ids import EntityId
from shared.pages import Page
from shared.views import View

EventId = EntityId


def _in_berlin(moment: dt.datetime) -> str:
    return moment.astimezone(zone(BERLIN_ZONE_NAME)).isoformat()


#: A moment stored in UTC, shown in Europe/Berlin.
BerlinTime = Annotated[
    dt.datetime,
    PlainSerializer(_in_berlin, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


class MovedOccurrencePublic(BaseModel):
    occurrence_start: BerlinTime = Field(description="Original start (RECURRENCE-ID).")
    starts_at: BerlinTime
    ends_at: BerlinTime


class RecurrencePublic(BaseModel):
    rrule: str
    exdates: list[BerlinTime]
    cancelled_occurrences: list[BerlinTime] = Field(
        description="Original starts of occurrences called off on their own."
    )
    moved_occurrences: list[MovedOccurrencePublic]


class EventShownPublic(View):
    """What an event and each of its dates show alike."""

    title: str
    description: str
    organisation_id: str
    co_organiser_ids: list[str]
    starts_at: BerlinTime
    ends_at: BerlinTime
    all_day: bool
    venue: Venue | None
    district: str | None
    audience: list[Audience]
    languages: list[str]
    fields: list[FieldOfAction]
    visibility: Visibility
    status: EventStatus
    sequence: int
    group_id: str | None = Field(None, description="The working group whose meeting it is.")
    topic: str = Field("", description="The meeting's topic.")


class EventPublic(EventShownPublic):
    id: str
    starts_at: BerlinTime = Field(description="Start (of the first occurrence of a series).")
    timezone: str
    measure_ids: list[str] = Field(
        default_factory=list, description="Measures of the integration concept it carries out."
    )
    recurrence: RecurrencePublic | None
    cancel_reason: str | None
    imported: bool = Field(description="Comes from the organisation's own ICS feed.")
    url: str = Field(description="The event in the portal.")
    created_at: BerlinTime
    updated_at: BerlinTime

    @classmethod
    def of(cls, event: Event, portal_url: str) -> EventPublic:
        recurrence = None
        if event.rrule is not None:
            overrides = sorted(event.overrides.items())
            recurrence = RecurrencePublic(
                rrule=event.rrule,
                exdates=event.exdates,
                cancelled_occurrences=[
                    parse_occurrence_key(key) for key, o in overrides if o.state == "cancelled"
                ],
                moved_occurrences=[
                    MovedOccurrencePublic(
                        occurrence_start=parse_occurrence_key(key),
                        starts_at=o.starts_at,
                        ends_at=o.ends_at,
                    )
                    for key, o in overrides
                    if o.state == "moved" and o.starts_at and o.ends_at
                ],
            )
        return cls.read(
            event,
            recurrence=recurrence,
            imported=event.import_id is not None,
            url=event_url(portal_url, event.id),
        )


class ConflictPublic(View):
    id: str = Field(description="Stable: the same clash keeps its id.")
    kind: ConflictKind
    event_id: str
    event_title: str
    occurrence_start: BerlinTime = Field(description="Original start of the event's date.")
    other_event_id: str
    other_event_title: str
    other_occurrence_start: BerlinTime
    overlap_starts_at: BerlinTime
    overlap_ends_at: BerlinTime
    district: str | None
    shared_audience: list[Audience]
    venue: Venue | None

    @classmethod
    def of_clash(cls, clash: Clash, saved: Saved) -> ConflictPublic:
        return cls.read(
            clash,
            id=clash.conflict_id,
            event_title=saved.event.title,
            other_event_title=saved.others[clash.other_event_id].title,
        )

    @classmethod
    def of_conflict(cls, conflict: Conflict, titles: dict[str, str]) -> ConflictPublic:
        return cls.read(
            conflict,
            event_title=titles.get(conflict.event_id, ""),
            other_event_title=titles.get(conflict.other_event_id, ""),
        )


class EventSaved(BaseModel):
    event: EventPublic
    conflicts: list[ConflictPublic] = Field(
        description="Current clashes: audience clashes (and room clashes an admin overrode)."
    )
    invited_co_organiser_ids: list[str] = Field(
        default_factory=list,
        description="Organisations named as co-organisers that have not accepted yet; they "
        "appear in `event.co_organiser_ids` once an editor of theirs accepts.",
    )

    @classmethod
    def of(cls, saved: Saved, portal_url: str) -> EventSaved:
        return cls(
            event=EventPublic.of(saved.event, portal_url),
            conflicts=[ConflictPublic.of_clash(c, saved) for c in saved.clashes],
            invited_co_organiser_ids=saved.event.invited_organiser_ids,
        )


class InvitationPublic(View):
    """An event whose organiser asks an organisation to co-organise it."""

    event_id: str
    organisation_id: str = Field(description="The invited organisation.")
    title: str
    organiser_id: str = Field(description="The organisation that invites.")
    starts_at: BerlinTime = Field(description="Start (of the first occurrence of a series).")
    ends_at: BerlinTime
    series: bool
    visibility: Visibility
    url: str = Field(description="The event in the portal.")

    @classmethod
    def of(cls, event: Event, organisation_id: str, portal_url: str) -> InvitationPublic:
        return cls.read(
            event,
            event_id=event.id,
            organisation_id=organisation_id,
            organiser_id=event.organisation_id,
            series=event.is_series,
            url=event_url(portal_url, event.id),
        )


class OccurrencePublic(EventShownPublic):
    """One date in the calendar: a single event, or one occurrence of a series."""

    event_id: str
    original_start: BerlinTime = Field(description="Its start by the rule (RECURRENCE-ID).")
    series: bool
    moved: bool
    url: str

    @classmethod
    def of(cls, event: Event, occurrence: Occurrence, portal_url: str) -> OccurrencePublic:
        return cls.read(
            event,
            event_id=event.id,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            original_start=occurrence.original_start,
            status=EventStatus.CANCELLED if occurrence.cancelled else EventStatus.SCHEDULED,
            series=event.is_series,
            moved=occurrence.moved,
            url=event_url(portal_url, event.id),
        )


class OccurrencePage(Page[OccurrencePublic]):
    window_from: BerlinTime = Field(alias="from", serialization_alias="from")
    window_to: BerlinTime = Field(alias="to", serialization_alias="to")

    model_config = ConfigDict(populate_by_name=True)


ConflictPage = Page[ConflictPublic]


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    occurrence: When | None = Field(
        None,
        description="Original start of the one occurrence to cancel (RFC 3339, or a date for "
        "an all-day series); without it the whole event or series is cancelled.",
        examples=["2026-06-02T18:00:00+02:00"],
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        None, examples=["Unwetterwarnung"]
    )


class OccurrenceMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: When = Field(examples=["2026-06-03T18:00:00+02:00"])
    ends_at: When = Field(examples=["2026-06-03T20:00:00+02:00"])


class OccurrenceMoved(BaseModel):
    event: EventPublic
    occurrence: OccurrencePublic
    conflicts: list[ConflictPublic]


class ImportCreate(ImportDefaults):
    organisation_id: OrganisationId
    url: AnyHttpUrl = Field(
        description="The organisation's ICS feed (http or https).",
        examples=["https://verein.example/kalender.ics"],
    )


class ImportResult(BaseModel):
    created: int
    updated: int
    cancelled: int
    unchanged: int
    skipped: int


class ImportPublic(View):
    id: str
    organisation_id: str
    url: str
    defaults: ImportDefaults
    state: Literal["pending", "ok", "failed", "stopped"] = Field(
        description="stopped: the organisation left the network; the feed is not fetched."
    )
    last_fetched_at: BerlinTime | None
    last_error: str | None = Field(description="Why the last fetch failed, if it did.")
    last_result: ImportResult | None
    problems: list[str] = Field(description="Events of the feed that could not be taken.")
    created_at: BerlinTime
