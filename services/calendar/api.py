"""HTTP routes of the calendar: each turns a request into one call of `Calendar` or `Importer`.
Times are answered in Europe/Berlin (RFC 3339 with offset)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.calendar.imports import Importer
from services.calendar.inputs import PLAUSIBLE_YEARS, EventCreate, EventPatch, OrganisationId
from services.calendar.recurrence import from_wall_time, to_utc, zone
from services.calendar.repository import EventFilter
from services.calendar.schemas import (
    CancelRequest,
    ConflictPage,
    ConflictPublic,
    EventId,
    EventPublic,
    EventSaved,
    InvitationPublic,
    OccurrenceMove,
    OccurrenceMoved,
    OccurrencePage,
    OccurrencePublic,
)
from services.calendar.service import Calendar, Saved
from shared.auth import CurrentUser, OptionalUser, Principal
from shared.clock import BERLIN_ZONE_NAME
from shared.context import current_correlation_id as correlation_id
from shared.contracts.vocabulary import Audience, FieldOfAction, LanguageTag
from shared.http import ProblemError, paging, state_dependency
from shared.ids import EntityId
from shared.pages import Paging

#: `/events` without `to` shows this many days; no window may be longer than MAX_WINDOW.
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_WINDOW = dt.timedelta(days=400)
#: The feeds show from a month ago, for about a year.
FEED_PAST = dt.timedelta(days=30)
FEED_WINDOW = dt.timedelta(days=395)
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


CalendarService = Annotated[Calendar, state_dependency("calendar")]
ImporterService = Annotated[Importer, state_dependency("importer")]


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


def today_in_berlin() -> dt.datetime:
    return _moment(dt.datetime.now(zone(BERLIN_ZONE_NAME)).date())


WindowStart = Annotated[
    dt.datetime | dt.date | None,
    Query(alias="from", description="Start (date or RFC 3339; default: today, Berlin)."),
]
WindowEnd = Annotated[
    dt.datetime | dt.date | None,
    Query(alias="to", description="End, exclusive (default: 90 days after `from`)."),
]


@dataclass(frozen=True)
class AskedWindow:
    """The window a request asks for (`from`, `to`); either may be left out."""

    start: dt.date | dt.datetime | None
    end: dt.date | dt.datetime | None

    def resolve(
        self, *, default_start: dt.datetime, default_length: dt.timedelta
    ) -> tuple[dt.datetime, dt.datetime]:
        low = _moment(self.start) if self.start is not None else default_start
        high = _moment(self.end) if self.end is not None else low + default_length
        if high <= low:
            raise ProblemError(422, "`to` must be after `from`.", slug="invalid-window")
        if high - low > MAX_WINDOW:
            raise ProblemError(
                422, f"A window spans at most {MAX_WINDOW.days} days.", slug="invalid-window"
            )
        return low, high


def asked_window(start: WindowStart = None, end: WindowEnd = None) -> AskedWindow:
    return AskedWindow(start, end)


Window = Annotated[AskedWindow, Depends(asked_window)]


def event_filter(
    user: OptionalUser,
    organisation: Annotated[
        OrganisationId | None, Query(description="Organiser or co-organiser")
    ] = None,
    district: Annotated[str | None, Query(max_length=100)] = None,
    language: LanguageTag | None = None,
    audience: Audience | None = None,
    field: FieldOfAction | None = None,
    group_id: Annotated[EntityId | None, Query(description="A working group's meetings")] = None,
) -> EventFilter:
    return EventFilter(
        organisation=organisation,
        district=district.strip() if district else None,
        language=language,
        audience=audience.value if audience else None,
        field=field.value if field else None,
        include_network=user is not None,
        group_id=group_id,
    )


Filters = Annotated[EventFilter, Depends(event_filter)]
Override = Annotated[bool, Query(description="Office staff: book despite a room clash")]
AskedPage = Annotated[Paging, paging(default=100, most=500)]


def portal_address(request: Request) -> str:
    url: str = request.app.state.settings.public_base_url
    return url


#: The portal's address, which the answers link events to.
Portal = Annotated[str, Depends(portal_address)]


# --- events -------------------------------------------------------------------------------


event_routes = APIRouter(tags=["events"])


@event_routes.post(
    "/events",
    status_code=status.HTTP_201_CREATED,
    summary="Plan an event (editor of the organiser, or office staff)",
    responses={409: {"description": "The room is booked then (problem names the event)"}},
)
async def plan_event(
    data: EventCreate,
    user: CurrentUser,
    service: CalendarService,
    portal: Portal,
    response: Response,
    override: Override = False,
) -> EventSaved:
    saved = await service.plan(data, user, correlation_id(), override=override)
    response.headers["Location"] = f"/events/{saved.event.id}"
    return EventSaved.of(saved, portal)


@event_routes.get("/events", summary="The calendar: every date in a window, series expanded")
async def list_events(
    service: CalendarService,
    paged: AskedPage,
    filters: Filters,
    portal: Portal,
    asked: Window,
    include_cancelled: bool = False,
) -> OccurrencePage:
    low, high = asked.resolve(default_start=today_in_berlin(), default_length=DEFAULT_WINDOW)
    page, total = await service.occurrences_in(
        low,
        high,
        filters,
        paged,
        include_cancelled=include_cancelled,
    )
    return OccurrencePage.of(
        [OccurrencePublic.of(event, occurrence, portal) for event, occurrence in page],
        total,
        paged,
        window_from=low,
        window_to=high,
    )


@event_routes.get("/events/{event_id}")
async def get_event(
    event_id: EventId, user: OptionalUser, service: CalendarService, portal: Portal
) -> EventPublic:
    return EventPublic.of(await service.visible_event(event_id, user), portal)


@event_routes.patch("/events/{event_id}", summary="Change an event; a new time is a reschedule")
async def change_event(
    event_id: EventId,
    patch: EventPatch,
    user: CurrentUser,
    service: CalendarService,
    portal: Portal,
    override: Override = False,
) -> EventSaved:
    saved = await service.change(event_id, patch, user, correlation_id(), override=override)
    return EventSaved.of(saved, portal)


@event_routes.post(
    "/events/{event_id}/cancel",
    summary="Call off an event, a whole series, or one occurrence of it",
)
async def cancel_event(
    event_id: EventId,
    user: CurrentUser,
    service: CalendarService,
    portal: Portal,
    body: CancelRequest | None = None,
) -> EventPublic:
    body = body or CancelRequest()
    occurrence = None
    if body.occurrence is not None:
        event = await service.visible_event(event_id, user)
        occurrence = _moment(body.occurrence, event.timezone)
    saved = await service.cancel(event_id, occurrence, body.reason, user, correlation_id())
    return EventPublic.of(saved.event, portal)


@event_routes.patch(
    "/events/{event_id}/occurrences/{original_start}",
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
    portal: Portal,
    override: Override = False,
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
    return OccurrenceMoved(
        event=EventPublic.of(saved.event, portal),
        occurrence=OccurrencePublic.of(saved.event, occurrence, portal),
        conflicts=[ConflictPublic.of_clash(c, saved) for c in saved.clashes],
    )


co_organiser_routes = APIRouter(tags=["co-organisers"])


@co_organiser_routes.get(
    "/co-organiser-invitations",
    summary="Upcoming events inviting an organisation to co-organise them (its editors)",
)
async def list_invitations(
    organisation: OrganisationId, user: CurrentUser, service: CalendarService, portal: Portal
) -> list[InvitationPublic]:
    return [
        InvitationPublic.of(event, organisation, portal)
        for event in await service.invitations(organisation, user)
    ]


#: What a co-organiser route asks of the calendar:
#: (calendar, event, organisation, caller, correlation id).
CoOrganiserStep = Callable[[Calendar, str, str, Principal, str | None], Awaitable[Saved]]


def _co_organiser_route(
    method: str, suffix: str, name: str, step: CoOrganiserStep, **documentation: Any
) -> None:
    @co_organiser_routes.api_route(
        f"/events/{{event_id}}/co-organisers/{{organisation_id}}{suffix}",
        methods=[method],
        name=name,
        **documentation,
    )
    async def co_organiser_step(
        event_id: EventId,
        organisation_id: OrganisationId,
        user: CurrentUser,
        service: CalendarService,
        portal: Portal,
    ) -> EventSaved:
        saved = await step(service, event_id, organisation_id, user, correlation_id())
        return EventSaved.of(saved, portal)


_NOT_INVITED = {404: {"description": "The organisation is not invited"}}
_co_organiser_route(
    "POST",
    "/accept",
    "accept_co_organiser",
    Calendar.accept_co_organiser,
    summary="Accept an invitation to co-organise (editor of the invited organisation)",
    responses=_NOT_INVITED,
)
_co_organiser_route(
    "POST",
    "/decline",
    "decline_co_organiser",
    functools.partial(Calendar.drop_co_organiser, invitation_only=True),
    summary="Decline an invitation to co-organise (editor of the invited organisation)",
    responses=_NOT_INVITED,
)
_co_organiser_route(
    "DELETE",
    "",
    "remove_co_organiser",
    Calendar.drop_co_organiser,
    summary="A co-organiser leaves, or the organiser takes it (or its invitation) off",
    description="Editors of the co-organising organisation, of the organiser, or office staff.",
)


conflict_routes = APIRouter(tags=["conflicts"])


@conflict_routes.get(
    "/conflicts",
    summary="Open clashes concerning an organisation (its members or office staff)",
)
async def list_conflicts(
    organisation: OrganisationId,
    user: CurrentUser,
    service: CalendarService,
    paged: AskedPage,
) -> ConflictPage:
    conflicts, total, titles = await service.open_conflicts(organisation, user, paged)
    return ConflictPage.of(
        [ConflictPublic.of_conflict(conflict, titles) for conflict in conflicts], total, paged
    )


router = APIRouter()
router.include_router(event_routes)
router.include_router(co_organiser_routes)
router.include_router(conflict_routes)
