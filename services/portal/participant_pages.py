"""The organisers' participant page (`/events/{id}/teilnehmende`: who registered, their answers,
attendance ticked after the event, the list as a spreadsheet passed through from the calendar)
and the office's counts of registrations (`/buero/anmeldungen`). The calendar shows the names
and answers only to the event's organisers and the office."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from services.portal import forms, labels
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, optional
from services.portal.clients.registration_views import Participant
from services.portal.i18n import _
from services.portal.web import BACK_TO_ME, EntityPath, Portal, PortalRequest, SignedIn, see

router = APIRouter(default_response_class=HTMLResponse)

#: Events per page of the office's counts.
COUNTS_PAGE = 50


def participants_path(event_id: str) -> str:
    return f"/events/{event_id}/teilnehmende"


def attendance_changes(
    participants: list[Participant], shown: list[str], ticked: list[str]
) -> dict[str, bool]:
    """What the attendance form changes: the registrations it showed whose box differs from
    what the calendar holds (an unticked box of attendance not yet recorded stays unrecorded)."""
    ticked_ids = set(ticked)
    changes: dict[str, bool] = {}
    for participant in participants:
        if participant.id not in shown:
            continue
        attended = participant.id in ticked_ids
        if attended != (participant.attended is True) and (attended or participant.attended):
            changes[participant.id] = attended
    return changes


def _refused(portal: PortalRequest, problem: Problem, event_id: str) -> HTMLResponse:
    link = (f"/events/{event_id}", _("Zurück zur Veranstaltung"))
    return portal.refused(problem, "registration.participants", title=_("Nicht möglich"), link=link)


async def _organisation_names(portal: PortalRequest, ids: set[str]) -> dict[str, str]:
    found = await asyncio.gather(*(optional(portal.directory.organisation(i)) for i in ids))
    return {o.id: o.name for o in found if o is not None}


@router.get("/events/{event_id}/teilnehmende")
async def participants_page(event_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    calendar = portal.calendar
    try:
        event, participants = await asyncio.gather(
            calendar.event(event_id, session.token),
            calendar.participants(event_id, session.token),
        )
    except Problem as problem:
        return _refused(portal, problem, event_id)
    registration = await optional(calendar.registration(event_id, session.token))
    names = await _organisation_names(
        portal, {p.organisation_id for p in participants if p.organisation_id}
    )
    order = {"confirmed": 0, "waiting": 1, "pending": 2, "cancelled": 3}
    participants.sort(key=lambda p: (order.get(p.state, 4), p.position or 0, p.created_at))
    return portal.page(
        "registrations/participants.html",
        event=event,
        registration=registration,
        participants=participants,
        names=names,
        questions=registration.questions if registration else [],
    )


@router.post("/events/{event_id}/teilnehmende")
async def record_attendance(event_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    """The attendance form: who came (ticked) of the registrations it showed."""
    form = await portal.form()
    try:
        participants = await portal.calendar.participants(event_id, session.token)
        changes = attendance_changes(
            participants, forms.ticked(form, "shown"), forms.ticked(form, "attended")
        )
        for registration_id, attended in changes.items():
            await portal.calendar.mark_attendance(
                event_id, registration_id, attended, session.token
            )
    except Problem as problem:
        return _refused(portal, problem, event_id)
    return see(f"{participants_path(event_id)}#teilnahme")


@router.get("/events/{event_id}/teilnehmende.csv", response_class=Response)
async def participants_spreadsheet(
    event_id: EntityPath, portal: Portal, session: SignedIn
) -> Response:
    """The calendar's spreadsheet of the participants (German Excel), as it is."""
    try:
        content = await portal.calendar.participants_csv(event_id, session.token)
    except Problem as problem:
        return _refused(portal, problem, event_id)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="teilnehmende-{event_id[:8]}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/buero/anmeldungen")
async def registration_counts(
    portal: Portal,
    session: SignedIn,
    seite: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    """Office staff: registrations, waiting lists and attendance per event and per working
    group, for the yearly report."""
    calendar = portal.calendar
    try:
        events, groups = await asyncio.gather(
            calendar.registration_counts(
                session.token, limit=COUNTS_PAGE, offset=(seite - 1) * COUNTS_PAGE
            ),
            calendar.registration_counts_by_group(session.token),
        )
    except Problem as problem:
        return portal.refused(
            problem, "office.report", title=_("Nur für das Büro"), link=BACK_TO_ME
        )
    except BackendUnavailableError:
        return portal.message(503, title=_("Anmeldungen"), message=labels.unreachable("calendar"))
    return portal.page("registrations/counts.html", events=events, groups=groups, seite=seite)
