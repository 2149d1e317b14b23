"""The pages behind the links of the calendar's registration emails and the cancel buttons:
`/anmeldung/bestaetigen` and `/anmeldung/abmelden` say what their one button does and change
nothing (link scanners fetch every link of an email); the button does it (a form of the
portal, like every form). No log-in: the link is the permission. Members cancel their own
registrations on /me ("Meine Anmeldungen"), organisers anyone's on the participants page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from services.portal.clients.base import Problem
from services.portal.clients.registration_views import LinkedRegistration
from services.portal.i18n import N_, _
from services.portal.registration_forms import outcome_message
from services.portal.web import BACK_TO_ME, EntityPath, Portal, PortalRequest, SignedIn, see

router = APIRouter(default_response_class=HTMLResponse)

LinkToken = Annotated[str, Query(min_length=10, max_length=1000)]
FormToken = Annotated[str, Form(min_length=10, max_length=1000)]
#: Where a cancel button sends the browser back: /me or the participants page.
Back = Annotated[str, Form(pattern=r"^(me|teilnehmende)$")]
CONFIRM = "/anmeldung/bestaetigen"
CANCEL = "/anmeldung/abmelden"
TO_CALENDAR = ("/kalender", N_("Zum Kalender"))
#: Which link a page is for: the purpose of the calendar's token.
PURPOSES = {CONFIRM: "opt_in", CANCEL: "cancel"}


def _event_link(event_id: str) -> tuple[str, str]:
    return (f"/events/{event_id}", _("Zur Veranstaltung"))


def _refused(portal: PortalRequest, problem: Problem) -> HTMLResponse:
    return portal.refused(problem, "registration.link", title=_("Link ungültig"), link=TO_CALENDAR)


@router.get(CONFIRM)
@router.get(CANCEL)
async def link_page(portal: Portal, token: LinkToken) -> Response:
    """Behind the confirm link of the opt-in email and the cancel link of every registration
    email: says what the button does, does nothing itself."""
    page = portal.request.url.path
    try:
        linked = await portal.calendar.registration_link(token)
    except Problem as problem:
        return _refused(portal, problem)
    if linked.purpose != PURPOSES[page]:
        return portal.message(
            404,
            title=_("Link ungültig"),
            message=_(
                "Dieser Link gehört zu einer anderen E-Mail. Bitte nutzen Sie ihn unverändert."
            ),
            link=_event_link(linked.event_id),
        )
    return portal.page("registrations/link.html", linked=linked, token=token, action=page)


@router.post(CONFIRM)
async def confirm(portal: Portal, token: FormToken) -> Response:
    try:
        registered = await portal.calendar.confirm_registration(token)
    except Problem as problem:
        return _refused(portal, problem)
    title, message = outcome_message(registered, "")
    return portal.message(title=title, message=message, link=_event_link(registered.event_id))


@router.post(CANCEL)
async def cancel_by_link(portal: Portal, token: FormToken) -> Response:
    try:
        linked: LinkedRegistration | None = await portal.calendar.registration_link(token)
    except Problem:
        linked = None  # the calendar says below why the link does not work
    try:
        await portal.calendar.cancel_by_link(token)
    except Problem as problem:
        return _refused(portal, problem)
    return portal.message(
        title=_("Abgemeldet"),
        message=_(
            "Sie sind abgemeldet. Eine Bestätigung ist per E-Mail unterwegs; Ihr Platz geht an "
            "die nächste Person auf der Warteliste."
        ),
        link=_event_link(linked.event_id) if linked else TO_CALENDAR,
    )


@router.post("/events/{event_id}/teilnehmende/{registration_id}/abmelden")
async def cancel(
    event_id: EntityPath,
    registration_id: EntityPath,
    portal: Portal,
    session: SignedIn,
    zurueck: Back = "me",
) -> Response:
    """The "Anmeldung stornieren" buttons of "Meine Anmeldungen" on /me and of the
    participants page."""
    participants = f"/events/{event_id}/teilnehmende"
    try:
        await portal.calendar.cancel_registration(event_id, registration_id, session.token)
    except Problem as problem:
        link = BACK_TO_ME if zurueck == "me" else (participants, _("Zurück zu den Teilnehmenden"))
        return portal.refused(
            problem, "registration.cancel", title=_("Nicht abgemeldet"), link=link
        )
    return see("/me#anmeldungen" if zurueck == "me" else participants)
