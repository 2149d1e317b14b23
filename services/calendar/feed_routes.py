"""HTTP routes of the calendar's iCalendar feeds and of organisations' feed imports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from services.calendar.api import (
    FEED_PAST,
    FEED_WINDOW,
    ICS_MEDIA_TYPE,
    AskedWindow,
    CalendarService,
    Filters,
    ImporterService,
    Window,
    portal_address,
    today_in_berlin,
)
from services.calendar.ics import build_feed
from services.calendar.inputs import ImportDefaults, OrganisationId
from services.calendar.repository import EventFilter
from services.calendar.schemas import EventId, ImportCreate, ImportPublic
from services.calendar.service import Calendar
from shared.auth import CurrentUser, OptionalUser

# --- iCalendar feeds ----------------------------------------------------------------------


async def _feed(
    service: Calendar,
    filters: EventFilter,
    asked: AskedWindow,
    *,
    name: str,
    uid: str,
    portal_url: str,
    file_name: str,
) -> Response:
    low, high = asked.resolve(
        default_start=today_in_berlin() - FEED_PAST, default_length=FEED_WINDOW
    )
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


ics_routes = APIRouter(tags=["feeds"])


@ics_routes.get(
    "/calendar.ics",
    response_class=Response,
    responses=_ICS_RESPONSE,
    summary="The shared calendar as an iCalendar feed (same filters as /events)",
    description="Default window: from 30 days ago for 395 days. Series appear once with "
    "RRULE/EXDATE, moved occurrences as RECURRENCE-ID entries. `network` events only with "
    "a token.",
)
async def calendar_feed(
    service: CalendarService,
    filters: Filters,
    request: Request,
    asked: Window,
) -> Response:
    settings = request.app.state.settings
    return await _feed(
        service,
        filters,
        asked,
        name=settings.feed_name,
        uid="integrationsnetz-calendar",
        portal_url=portal_address(request),
        file_name="integrationsnetz.ics",
    )


@ics_routes.get(
    "/organisations/{organisation_id}/calendar.ics",
    response_class=Response,
    responses=_ICS_RESPONSE,
    summary="One organisation's events (as organiser or co-organiser) as an iCalendar feed",
)
async def organisation_feed(
    organisation_id: OrganisationId,
    service: CalendarService,
    user: OptionalUser,
    request: Request,
    asked: Window,
) -> Response:
    known = await service.known_organisation(organisation_id)
    settings = request.app.state.settings
    return await _feed(
        service,
        EventFilter(organisation=organisation_id, include_network=user is not None),
        asked,
        name=f"{settings.feed_name} – {known.name}",
        uid=f"integrationsnetz-calendar-{organisation_id}",
        portal_url=portal_address(request),
        file_name=f"{organisation_id}.ics",
    )


@ics_routes.get(
    "/events/{event_id}/calendar.ics",
    response_class=Response,
    responses=_ICS_RESPONSE,
    summary="One event (a series with all its dates) as an iCalendar file, to add it to a "
    "calendar app once",
    description="The same entry as in the feeds (same UID), so an app that also subscribes to "
    "a feed shows it once. A `network` event only with a token.",
)
async def event_file(
    event_id: EventId,
    service: CalendarService,
    user: OptionalUser,
    request: Request,
) -> Response:
    event = await service.visible_event(event_id, user)
    body = build_feed(
        [event],
        name=event.title,
        portal_url=portal_address(request),
        uid=f"integrationsnetz-event-{event.id}",
    )
    return Response(
        body,
        media_type=ICS_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{event.id}.ics"'},
    )


# --- imports ------------------------------------------------------------------------------


import_routes = APIRouter(tags=["imports"])


@import_routes.post(
    "/imports",
    status_code=status.HTTP_201_CREATED,
    summary="Register an organisation's own ICS feed; it is fetched periodically",
)
async def register_import(
    data: ImportCreate, user: CurrentUser, service: ImporterService
) -> ImportPublic:
    defaults = ImportDefaults.model_validate(data.model_dump(exclude={"organisation_id", "url"}))
    registered = await service.register(data.organisation_id, str(data.url), defaults, user)
    return ImportPublic.read(registered)


@import_routes.get(
    "/imports",
    summary="An organisation's feed imports and how their last fetch went",
)
async def list_imports(
    organisation: OrganisationId, user: CurrentUser, service: ImporterService
) -> list[ImportPublic]:
    return [ImportPublic.read(feed) for feed in await service.imports_of(organisation, user)]


router = APIRouter()
router.include_router(ics_routes)
router.include_router(import_routes)
