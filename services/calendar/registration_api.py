"""HTTP routes of registrations for events: each turns a request into one call of
`Registrations` (changes), `RegistrationReading` (lists) or the CSV export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.calendar.registration_export import spreadsheet
from services.calendar.registration_reading import RegistrationReading, listed
from services.calendar.registration_schemas import (
    AttendanceRequest,
    EventCountsPage,
    EventCountsPublic,
    GroupCountsPublic,
    OwnRegistrationPublic,
    RegistrationPublic,
    RegistrationRequest,
    RegistrationSetup,
    RegistrationStatus,
    SeatPublic,
    Token,
    TokenInfo,
    TokenRequest,
)
from services.calendar.registrations import NewRegistration, Registrations
from services.calendar.schemas import EventId
from shared.auth import CurrentUser, OptionalUser, Principal
from shared.clock import utc_now
from shared.context import current_correlation_id as correlation_id
from shared.http import paging, state_dependency
from shared.ids import EntityId
from shared.pages import Paging
from shared.spreadsheets import csv_download

RegistrationService = Annotated[Registrations, state_dependency("registrations")]
ReadingService = Annotated[RegistrationReading, state_dependency("registration_reading")]
AskedPage = Annotated[Paging, paging(default=50, most=500)]
RegistrationId = EntityId

router = APIRouter(tags=["registrations"])


async def _status(
    service: Registrations, event_id: str, user: Principal | None
) -> RegistrationStatus:
    roster, reason = await service.status(event_id, user)
    return RegistrationStatus.of(roster, reason)


@router.put(
    "/events/{event_id}/registration",
    summary="Take registrations for an event, or change how (its organisers, office staff)",
)
async def set_up_registration(
    event_id: EventId, body: RegistrationSetup, user: CurrentUser, service: RegistrationService
) -> RegistrationStatus:
    await service.configure(event_id, body.settings(), user, correlation_id())
    return await _status(service, event_id, user)


@router.delete(
    "/events/{event_id}/registration",
    summary="Take no more registrations (nobody registered is removed)",
)
async def close_registration(
    event_id: EventId, user: CurrentUser, service: RegistrationService
) -> RegistrationStatus:
    await service.close(event_id, user, correlation_id())
    return await _status(service, event_id, user)


@router.get(
    "/events/{event_id}/registration",
    summary="How many places an event has, taken and waiting (anyone who may see the event)",
)
async def registration_status(
    event_id: EventId, user: OptionalUser, service: RegistrationService
) -> RegistrationStatus:
    return await _status(service, event_id, user)


@router.post(
    "/events/{event_id}/registrations",
    status_code=status.HTTP_201_CREATED,
    summary="Register: members at once, anyone else confirms the link of an email",
)
async def register(
    event_id: EventId,
    body: RegistrationRequest,
    user: OptionalUser,
    service: RegistrationService,
) -> SeatPublic:
    data = NewRegistration(
        name=body.name,
        email=str(body.email),
        organisation_id=body.organisation_id,
        language=body.language,
        answers=body.answers,
    )
    return SeatPublic.of(await service.register(event_id, data, user, correlation_id()))


@router.get(
    "/events/{event_id}/registrations",
    summary="Everyone registered, with answers and attendance (organisers, office staff)",
)
async def list_registrations(
    event_id: EventId, user: CurrentUser, reading: ReadingService
) -> list[RegistrationPublic]:
    _, roster = await reading.of_event(event_id, user)
    return [RegistrationPublic.of(r, roster) for r in listed(roster)]


@router.get(
    "/events/{event_id}/registrations.csv",
    summary="Everyone registered as a spreadsheet for German Excel (organisers, office staff)",
    response_class=Response,
)
async def registrations_spreadsheet(
    event_id: EventId, user: CurrentUser, reading: ReadingService
) -> Response:
    event, roster = await reading.of_event(event_id, user)
    organisations = await reading.organisation_names(roster)
    today = utc_now().date().isoformat()
    return csv_download(spreadsheet(roster, organisations), f"anmeldungen-{event.id}-{today}.csv")


@router.put(
    "/events/{event_id}/registrations/{registration_id}/attendance",
    summary="Record whether someone came (organisers, office staff)",
)
async def set_attendance(
    event_id: EventId,
    registration_id: RegistrationId,
    body: AttendanceRequest,
    user: CurrentUser,
    service: RegistrationService,
) -> RegistrationPublic:
    registration, roster = await service.set_attendance(
        event_id, registration_id, body.attended, user, correlation_id()
    )
    return RegistrationPublic.of(registration, roster)


@router.delete(
    "/events/{event_id}/registrations/{registration_id}",
    summary="Cancel a registration (the registrant's own account, organisers, office staff)",
)
async def cancel_registration(
    event_id: EventId,
    registration_id: RegistrationId,
    user: CurrentUser,
    service: RegistrationService,
) -> SeatPublic:
    return SeatPublic.of(await service.cancel(event_id, registration_id, user, correlation_id()))


@router.post(
    "/registrations/confirm",
    summary="Confirm an anonymous registration with the token of its email",
    responses={404: {"description": "Unknown token"}, 410: {"description": "Expired token"}},
)
async def confirm_registration(body: TokenRequest, service: RegistrationService) -> SeatPublic:
    return SeatPublic.of(await service.confirm(body.token, correlation_id()))


@router.post(
    "/registrations/cancel",
    summary="Cancel a registration with the token of one of its emails",
    responses={404: {"description": "Unknown token"}},
)
async def cancel_by_token(body: TokenRequest, service: RegistrationService) -> SeatPublic:
    return SeatPublic.of(await service.cancel_by_token(body.token, correlation_id()))


@router.get(
    "/registrations/by-token",
    summary="What a confirm or cancel link would do (changes nothing)",
)
async def registration_by_token(
    token: Annotated[Token, Query()], reading: ReadingService
) -> TokenInfo:
    view = await reading.by_token(token)
    return TokenInfo(
        event_id=view.event_id,
        event_title=view.event_title,
        starts_at=view.starts_at,
        state=view.state,
        purpose="opt_in" if view.purpose == "opt_in" else "cancel",
    )


@router.get("/me/registrations", summary="The caller's own registrations")
async def my_registrations(
    user: CurrentUser, reading: ReadingService
) -> list[OwnRegistrationPublic]:
    return [OwnRegistrationPublic.of(own) for own in await reading.mine(user)]


@router.get("/registrations/counts", summary="Counts of every event's registration (office)")
async def registration_counts(
    user: CurrentUser, reading: ReadingService, paged: AskedPage
) -> EventCountsPage:
    counts, total = await reading.counts_page(user, paged)
    return EventCountsPage.of([EventCountsPublic.of(c) for c in counts], total, paged)


@router.get(
    "/registrations/counts/groups",
    summary="Counts of registration summed per working group (office)",
)
async def registration_counts_per_group(
    user: CurrentUser, reading: ReadingService
) -> list[GroupCountsPublic]:
    return [GroupCountsPublic.of(g) for g in await reading.group_counts(user)]
