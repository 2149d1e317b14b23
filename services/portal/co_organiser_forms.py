"""Co-organising from the portal: a member sees the invitations addressed to their
organisations, accepts or declines them, and leaves events their organisation co-organises."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from services.portal import forms
from services.portal.clients.base import Problem, unless_refused
from services.portal.clients.calendar import CO_ORGANISER_ACTIONS, Event
from services.portal.i18n import _
from services.portal.members import ActingFor
from services.portal.web import Portal, SignedIn, see
from shared.ids import is_entity_id

router = APIRouter(default_response_class=HTMLResponse)
PAGE = "/mitveranstalten"


@dataclass
class Section:
    """One organisation on the page: its invitations, and the events it co-organises."""

    id: str
    name: str
    invitations: list[Event]
    joined: list[Event]


@router.get(PAGE)
async def co_organising(portal: Portal, acting: ActingFor) -> Response:
    session, choices = acting.session, acting.choices
    names = dict(choices.organisations)
    # office staff look at one organisation at a time (they may act for all of them)
    shown = [acting.named] if acting.named in names else []
    if not shown and not choices.is_admin:
        shown = list(names)
    sections: list[Section] = []
    calendar = portal.calendar
    for organisation_id in shown:
        invited = await unless_refused(
            calendar.co_organiser_invitations(organisation_id, session.token)
        )
        listed = await unless_refused(
            calendar.events(organisation=organisation_id, limit=500, token=session.token)
        )
        # the events it is listed for without being their organiser: it co-organises them
        events = listed.items if listed else []
        joined = {e.event_id: e for e in events if e.organisation_id != organisation_id}
        sections.append(
            Section(organisation_id, names[organisation_id], invited or [], list(joined.values()))
        )
    return portal.page("co_organising.html", sections=sections, is_admin=choices.is_admin)


@router.post(PAGE)
async def answer_invitation(portal: Portal, session: SignedIn) -> Response:
    form = await portal.form()
    event_id, organisation_id, action = (
        forms.text_of(form, name) for name in ("event_id", "organisation_id", "action")
    )
    back = (PAGE, _("Zurück"))
    if not (
        is_entity_id(event_id) and is_entity_id(organisation_id) and action in CO_ORGANISER_ACTIONS
    ):
        return portal.message(
            422,
            title=_("Ungültige Eingabe"),
            message=_("Diese Antwort auf eine Einladung ist unvollständig."),
            link=back,
        )
    try:
        await portal.calendar.answer_co_organising(event_id, organisation_id, action, session.token)
    except Problem as problem:
        return portal.refused(problem, "co-organising.answer", title=_("Nicht möglich"), link=back)
    return see(f"{PAGE}?organisation={organisation_id}")
