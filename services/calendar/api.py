"""HTTP routes of the calendar: each turns a request into one call of `Calendar` or `Importer`.
Times are answered in Europe/Berlin (RFC 3339 with offset)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
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
from services.calendar.domain import (
    PLAUSIBLE_YEARS,
    Event,
    EventCreate,
    EventPatch,
    Occurrence,
    OrganisationId,
    TimeZoneName,
    When,
)
from services.calendar.ics import build_feed, event_url
from services.calendar.imports import Importer
from services.calendar.recurrence import from_wall_time, parse_occurrence_key, to_utc, zone
from services.calendar.service import Calendar, Saved
from services.calendar.store import EventFilter
from shared.auth import CurrentUser, OptionalUser
from shared.clock import BERLIN_ZONE_NAME
from shared.context import current_correlation_id as correlation_id
from shared.contracts.calendar import ConflictKind, EventStatus, Venue, Visibility
from shared.contracts.vocabulary import Audience, FieldOfAction, LanguageTag
from shared.http import ProblemError, next_offset
from shared.ids import EntityId
from shared.mongo import Document
from shared.pages import Page

router = APIRouter()

#: `/events` without `to` shows this many days; no window may be longer than MAX_WINDOW.
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_WINDOW = dt.timedelta(days=400)
#: The feeds show from a month ago, for about a year.
FEED_PAST = dt.timedelta(days=30)
FEED_WINDOW = dt.timedelta(days=395)
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"

EventId = EntityId


def _in_berlin(moment: dt.datetime) -> str:
    return moment.astimezone(zone(BERLIN_ZONE_NAME)).isoformat()


#: A moment stored in UTC, shown in Europe/Berlin.
BerlinTime = Annotated[
    dt.datetime,
    PlainSerializer(_in_berlin, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


def calendar(request: Request) -> Calendar:
    service: Calendar = request.app.state.calendar
    return service


def importer(request: Request) -> Importer:
    service: Importer = request.app.state.importer
    return service


CalendarService = Annotated[Calendar, Depends(calendar)]
ImporterService = Annotated[Importer, Depends(importer)]


# --- schemas ------------------------------------------------------------------------------


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


class EventPublic(BaseModel):
    id: str
    title: str
    description: str
    organisation_id: str
    co_organiser_ids: list[str]
    starts_at: BerlinTime = Field(description="Start (of the first occurrence of a series).")
    ends_at: BerlinTime
    all_day: bool
    timezone: str
    venue: Venue | None
    district: str | None
    audience: list[Audience]
    languages: list[str]
    fields: list[FieldOfAction]
    visibility: Visibility
    recurrence: RecurrencePublic | None
    status: EventStatus
    cancel_reason: str | None
    sequence: int
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
        return cls(
            **event.model_dump(
                exclude={
                    "rrule",
                    "exdates",
                    "overrides",
                    "import_id",
                    "import_uid",
                    "invited_organiser_ids",
                }
            ),
            recurrence=recurrence,
            imported=event.import_id is not None,
            url=event_url(portal_url, event.id),
        )


class ConflictPublic(BaseModel):
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
        return cls(
            id=clash.conflict_id,
            kind=clash.kind,
            event_id=clash.event_id,
            event_title=saved.event.title,
            occurrence_start=clash.occurrence_start,
            other_event_id=clash.other_event_id,
            other_event_title=saved.others[clash.other_event_id].title,
            other_occurrence_start=clash.other_occurrence_start,
            overlap_starts_at=clash.overlap_starts_at,
            overlap_ends_at=clash.overlap_ends_at,
            district=clash.district,
            shared_audience=list(clash.shared_audience),
            venue=clash.venue,
        )

    @classmethod
    def of_document(cls, doc: Document, titles: dict[str, str]) -> ConflictPublic:
        return cls(
            id=doc["_id"],
            kind=doc["kind"],
            event_id=doc["event_id"],
            event_title=titles.get(doc["event_id"], ""),
            occurrence_start=doc["occurrence_start"],
            other_event_id=doc["other_event_id"],
            other_event_title=titles.get(doc["other_event_id"], ""),
            other_occurrence_start=doc["other_occurrence_start"],
            overlap_starts_at=doc["overlap_starts_at"],
            overlap_ends_at=doc["overlap_ends_at"],
            district=doc["district"],
            shared_audience=doc["shared_audience"],
            venue=doc["venue"],
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


class InvitationPublic(BaseModel):
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
        return cls(
            event_id=event.id,
            organisation_id=organisation_id,
            title=event.title,
            organiser_id=event.organisation_id,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            series=event.is_series,
            visibility=event.visibility,
            url=event_url(portal_url, event.id),
        )


class OccurrencePublic(BaseModel):
    """One date in the calendar: a single event, or one occurrence of a series."""

    event_id: str
    title: str
    description: str
    organisation_id: str
    co_organiser_ids: list[str]
    starts_at: BerlinTime
    ends_at: BerlinTime
    original_start: BerlinTime = Field(description="Its start by the rule (RECURRENCE-ID).")
    all_day: bool
    venue: Venue | None
    district: str | None
    audience: list[Audience]
    languages: list[str]
    fields: list[FieldOfAction]
    visibility: Visibility
    status: EventStatus
    series: bool
    moved: bool
    sequence: int
    url: str

    @classmethod
    def of(cls, event: Event, occurrence: Occurrence, portal_url: str) -> OccurrencePublic:
        return cls(
            **event.model_dump(
                include={
                    "title",
                    "description",
                    "organisation_id",
                    "co_organiser_ids",
                    "all_day",
                    "venue",
                    "district",
                    "audience",
                    "languages",
                    "fields",
                    "visibility",
                    "sequence",
                }
            ),
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


class ImportPublic(BaseModel):
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

    @classmethod
    def of(cls, doc: Document) -> ImportPublic:
        return cls(id=doc["_id"], **{k: v for k, v in doc.items() if k in cls.model_fields})


# --- windows ------------------------------------------------------------------------------


def _moment(value: dt.date | dt.datetime, tz: str = BERLIN_ZONE_NAME) -> dt.datetime:
    if value.year not in PLAUSIBLE_YEARS:  # the time arithmetic would overflow near 1 or 9999
        raise ProblemError(
            422,
            f"Dates lie between the years {PLAUSIBLE_YEARS.start} and {PLAUSIBLE_YEARS.stop - 1}.",
            slug="invalid-date",
        )
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return from_wall_time(value, zone(tz))
        return to_utc(value)
    return from_wall_time(dt.datetime.combine(value, dt.time()), zone(tz))


def _today() -> dt.datetime:
    return _moment(dt.datetime.now(zone(BERLIN_ZONE_NAME)).date())


def window(
    start: dt.date | dt.datetime | None,
    end: dt.date | dt.datetime | None,
    *,
    default_start: dt.datetime,
    default_length: dt.timedelta,
) -> tuple[dt.datetime, dt.datetime]:
    low = _moment(start) if start is not None else default_start
    high = _moment(end) if end is not None else low + default_length
    if high <= low:
        raise ProblemError(422, "`to` must be after `from`.", slug="invalid-window")
    if high - low > MAX_WINDOW:
        raise ProblemError(
            422, f"A window spans at most {MAX_WINDOW.days} days.", slug="invalid-window"
        )
    return low, high


WindowStart = Annotated[
    dt.datetime | dt.date | None,
    Query(alias="from", description="Start (date or RFC 3339; default: today, Berlin)."),
]
WindowEnd = Annotated[
    dt.datetime | dt.date | None,
    Query(alias="to", description="End, exclusive (default: 90 days after `from`)."),
]


def event_filter(
    user: OptionalUser,
    organisation: Annotated[
        OrganisationId | None, Query(description="Organiser or co-organiser")
    ] = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
    language: LanguageTag | None = None,
    audience: Audience | None = None,
    field: FieldOfAction | None = None,
) -> EventFilter:
    return EventFilter(
        organisation=organisation,
        district=district.strip() if district else None,
        language=language,
        audience=audience.value if audience else None,
        field=field.value if field else None,
        include_network=user is not None,
    )


Filters = Annotated[EventFilter, Depends(event_filter)]


def _portal(request: Request) -> str:
    url: str = request.app.state.settings.public_base_url
    return url


# --- events -------------------------------------------------------------------------------


@router.post(
    "/events",
    status_code=status.HTTP_201_CREATED,
    response_model=EventSaved,
    tags=["events"],
    summary="Plan an event (editor of the organiser, or office staff)",
    responses={409: {"description": "The room is booked then (problem names the event)"}},
)
async def plan_event(
    data: EventCreate,
    user: CurrentUser,
    service: CalendarService,
    request: Request,
    response: Response,
    override: Annotated[bool, Query(description="Office staff: book despite a room clash")] = False,
) -> EventSaved:
    saved = await service.plan(data, user, correlation_id(), override=override)
    response.headers["Location"] = f"/events/{saved.event.id}"
    return EventSaved.of(saved, _portal(request))


@router.get(
    "/events",
    response_model=OccurrencePage,
    response_model_by_alias=True,
    tags=["events"],
    summary="The calendar: every date in a window, series expanded",
)
async def list_events(
    service: CalendarService,
    filters: Filters,
    request: Request,
    start: WindowStart = None,
    end: WindowEnd = None,
    include_cancelled: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> OccurrencePage:
    low, high = window(start, end, default_start=_today(), default_length=DEFAULT_WINDOW)
    page, total = await service.occurrences_in(
        low, high, filters, include_cancelled=include_cancelled, offset=offset, limit=limit
    )
    portal = _portal(request)
    return OccurrencePage(
        items=[OccurrencePublic.of(event, occurrence, portal) for event, occurrence in page],
        total=total,
        limit=limit,
        offset=offset,
        next_offset=next_offset(offset, len(page), total),
        window_from=low,
        window_to=high,
    )


@router.get("/events/{event_id}", response_model=EventPublic, tags=["events"])
async def get_event(
    event_id: EventId, user: OptionalUser, service: CalendarService, request: Request
) -> EventPublic:
    return EventPublic.of(await service.visible_event(event_id, user), _portal(request))


@router.patch(
    "/events/{event_id}",
    response_model=EventSaved,
    tags=["events"],
    summary="Change an event; a new time is a reschedule",
)
async def change_event(
    event_id: EventId,
    patch: EventPatch,
    user: CurrentUser,
    service: CalendarService,
    request: Request,
    override: Annotated[bool, Query(description="Office staff: book despite a room clash")] = False,
) -> EventSaved:
    saved = await service.change(event_id, patch, user, correlation_id(), override=override)
    return EventSaved.of(saved, _portal(request))


@router.post(
    "/events/{event_id}/cancel",
    response_model=EventPublic,
    tags=["events"],
    summary="Call off an event, a whole series, or one occurrence of it",
)
async def cancel_event(
    event_id: EventId,
    user: CurrentUser,
    service: CalendarService,
    request: Request,
    body: CancelRequest | None = None,
) -> EventPublic:
    body = body or CancelRequest()
    occurrence = None
    if body.occurrence is not None:
        event = await service.visible_event(event_id, user)
        occurrence = _moment(body.occurrence, event.timezone)
    saved = await service.cancel(event_id, occurrence, body.reason, user, correlation_id())
    return EventPublic.of(saved.event, _portal(request))


@router.patch(
    "/events/{event_id}/occurrences/{original_start}",
    response_model=OccurrenceMoved,
    tags=["events"],
    summary="Move one occurrence of a series",
    description="`original_start` is the occurrence's start by the rule (its RECURRENCE-ID), "
    "as RFC 3339 (`2026-06-02T16:00:00Z`; URL-encode a `+` offset) or a date for an all-day "
    "series. The body gives its new `starts_at` and `ends_at`. Moving it again keeps "
    "`original_start`; moving it back to its original time is allowed.",
)
async def move_occurrence(
    event_id: EventId,
    original_start: dt.datetime | dt.date,
    body: OccurrenceMove,
    user: CurrentUser,
    service: CalendarService,
    request: Request,
    override: Annotated[bool, Query(description="Office staff: book despite a room clash")] = False,
) -> OccurrenceMoved:
    event = await service.visible_event(event_id, user)
    saved, occurrence = await service.move(
        event_id,
        _moment(original_start, event.timezone),
        body.starts_at,
        body.ends_at,
        user,
        correlation_id(),
        override=override,
    )
    portal = _portal(request)
    return OccurrenceMoved(
        event=EventPublic.of(saved.event, portal),
        occurrence=OccurrencePublic.of(saved.event, occurrence, portal),
        conflicts=[ConflictPublic.of_clash(c, saved) for c in saved.clashes],
    )


@router.get(
    "/co-organiser-invitations",
    response_model=list[InvitationPublic],
    tags=["co-organisers"],
    summary="Upcoming events inviting an organisation to co-organise them (its editors)",
)
async def list_invitations(
    organisation: OrganisationId, user: CurrentUser, service: CalendarService, request: Request
) -> list[InvitationPublic]:
    portal = _portal(request)
    return [
        InvitationPublic.of(event, organisation, portal)
        for event in await service.invitations(organisation, user)
    ]


@router.post(
    "/events/{event_id}/co-organisers/{organisation_id}/accept",
    response_model=EventSaved,
    tags=["co-organisers"],
    summary="Accept an invitation to co-organise (editor of the invited organisation)",
    responses={404: {"description": "The organisation is not invited"}},
)
async def accept_co_organiser(
    event_id: EventId,
    organisation_id: OrganisationId,
    user: CurrentUser,
    service: CalendarService,
    request: Request,
) -> EventSaved:
    saved = await service.accept_co_organiser(event_id, organisation_id, user, correlation_id())
    return EventSaved.of(saved, _portal(request))


@router.post(
    "/events/{event_id}/co-organisers/{organisation_id}/decline",
    response_model=EventSaved,
    tags=["co-organisers"],
    summary="Decline an invitation to co-organise (editor of the invited organisation)",
    responses={404: {"description": "The organisation is not invited"}},
)
async def decline_co_organiser(
    event_id: EventId,
    organisation_id: OrganisationId,
    user: CurrentUser,
    service: CalendarService,
    request: Request,
) -> EventSaved:
    saved = await service.drop_co_organiser(
        event_id, organisation_id, user, correlation_id(), invitation_only=True
    )
    return EventSaved.of(saved, _portal(request))


@router.delete(
    "/events/{event_id}/co-organisers/{organisation_id}",
    response_model=EventSaved,
    tags=["co-organisers"],
    summary="A co-organiser leaves, or the organiser takes it (or its invitation) off",
    description="Editors of the co-organising organisation, of the organiser, or office staff.",
)
async def remove_co_organiser(
    event_id: EventId,
    organisation_id: OrganisationId,
    user: CurrentUser,
    service: CalendarService,
    request: Request,
) -> EventSaved:
    saved = await service.drop_co_organiser(event_id, organisation_id, user, correlation_id())
    return EventSaved.of(saved, _portal(request))


@router.get(
    "/conflicts",
    response_model=ConflictPage,
    tags=["conflicts"],
    summary="Open clashes concerning an organisation (its members or office staff)",
)
async def list_conflicts(
    organisation: OrganisationId,
    user: CurrentUser,
    service: CalendarService,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> ConflictPage:
    documents, total, titles = await service.open_conflicts(
        organisation, user, limit=limit, offset=offset
    )
    return ConflictPage(
        items=[ConflictPublic.of_document(doc, titles) for doc in documents],
        total=total,
        limit=limit,
        offset=offset,
        next_offset=next_offset(offset, len(documents), total),
    )


# --- iCalendar feeds ----------------------------------------------------------------------


async def _feed(
    service: Calendar,
    filters: EventFilter,
    start: dt.date | dt.datetime | None,
    end: dt.date | dt.datetime | None,
    *,
    name: str,
    uid: str,
    portal_url: str,
    file_name: str,
) -> Response:
    low, high = window(start, end, default_start=_today() - FEED_PAST, default_length=FEED_WINDOW)
    events = await service.events_in(low, high, filters)
    body = build_feed(events, name=name, portal_url=portal_url, uid=uid)
    return Response(
        body,
        media_type=ICS_MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{file_name}"'},
    )


_ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An RFC 5545 iCalendar feed"}
}


@router.get(
    "/calendar.ics",
    response_class=Response,
    responses=_ICS_RESPONSE,
    tags=["feeds"],
    summary="The shared calendar as an iCalendar feed (same filters as /events)",
    description="Default window: from 30 days ago for 395 days. Series appear once with "
    "RRULE/EXDATE, moved occurrences as RECURRENCE-ID entries. `network` events only with "
    "a token.",
)
async def calendar_feed(
    service: CalendarService,
    filters: Filters,
    request: Request,
    start: WindowStart = None,
    end: WindowEnd = None,
) -> Response:
    settings = request.app.state.settings
    return await _feed(
        service,
        filters,
        start,
        end,
        name=settings.feed_name,
        uid="integrationsnetz-calendar",
        portal_url=_portal(request),
        file_name="integrationsnetz.ics",
    )


@router.get(
    "/organisations/{organisation_id}/calendar.ics",
    response_class=Response,
    responses=_ICS_RESPONSE,
    tags=["feeds"],
    summary="One organisation's events (as organiser or co-organiser) as an iCalendar feed",
)
async def organisation_feed(
    organisation_id: OrganisationId,
    service: CalendarService,
    user: OptionalUser,
    request: Request,
    start: WindowStart = None,
    end: WindowEnd = None,
) -> Response:
    known = await service.store.get_organisation(organisation_id)
    if known is None:
        raise ProblemError(404, "No organisation with this id.")
    settings = request.app.state.settings
    return await _feed(
        service,
        EventFilter(organisation=organisation_id, include_network=user is not None),
        start,
        end,
        name=f"{settings.feed_name} – {known.name}",
        uid=f"integrationsnetz-calendar-{organisation_id}",
        portal_url=_portal(request),
        file_name=f"{organisation_id}.ics",
    )


# --- imports ------------------------------------------------------------------------------


@router.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportPublic,
    tags=["imports"],
    summary="Register an organisation's own ICS feed; it is fetched periodically",
)
async def register_import(
    data: ImportCreate, user: CurrentUser, service: ImporterService
) -> ImportPublic:
    defaults = ImportDefaults.model_validate(
        data.model_dump(exclude={"organisation_id", "url"})
    ).model_dump(mode="json")
    doc = await service.register(data.organisation_id, str(data.url), defaults, user)
    return ImportPublic.of(doc)


@router.get(
    "/imports",
    response_model=list[ImportPublic],
    tags=["imports"],
    summary="An organisation's feed imports and how their last fetch went",
)
async def list_imports(
    organisation: OrganisationId, user: CurrentUser, service: ImporterService
) -> list[ImportPublic]:
    return [ImportPublic.of(doc) for doc in await service.imports_of(organisation, user)]
