"""A person's own pages: logging in and out, `/me` with what concerns their organisations (the
concept's measures they lead among it) and the switches of their email notices, and setting or
resetting a password."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.portal import labels, refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, SignedOutError, optional
from services.portal.i18n import N_, _
from services.portal.language_switch import remember_saved_language
from services.portal.web import BACK_TO_ME, SESSION_COOKIE, Portal, SignedIn, see

router = APIRouter(default_response_class=HTMLResponse)
NOT_NOW = N_("Der Dienst ist gerade nicht erreichbar. Bitte später erneut versuchen.")


def forwarded_for(request: Request) -> dict[str, str]:
    """Names the browser to the directory, which counts log-in attempts per client (it trusts
    the header only from addresses in its TRUSTED_PROXIES)."""
    return {"X-Forwarded-For": request.client.host} if request.client else {}


@router.get("/login")
async def login_form(portal: Portal) -> HTMLResponse:
    return portal.page("login.html", error=None, email="")


@router.post("/login")
async def log_in(
    portal: Portal,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        session = await portal.directory.log_in(email, password, forwarded_for(portal.request))
    except BackendUnavailableError:
        error = _("Die Anmeldung ist gerade nicht erreichbar. Bitte später erneut versuchen.")
        return portal.page("login.html", 503, email=email, error=error)
    except Problem as problem:
        if problem.generic == "rate-limited":
            status, error = 429, _("Zu viele Fehlversuche. Bitte warten Sie einige Minuten.")
        else:
            status, error = 401, _("E-Mail-Adresse oder Passwort stimmen nicht.")
        return portal.page("login.html", status, email=email, error=error)
    response = see("/me")
    response.set_cookie(
        SESSION_COOKIE,
        session.access_token,
        max_age=session.expires_in,
        httponly=True,
        samesite="lax",
        secure=portal.request.app.state.settings.cookie_secure,
    )
    await remember_saved_language(portal.request, response, portal.directory, session.access_token)
    return response


@router.post("/logout")
async def log_out() -> RedirectResponse:
    response = see("/")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me")
async def my_page(portal: Portal, session: SignedIn) -> Response:
    try:
        me = await session.person()
    except (Problem, BackendUnavailableError):
        raise SignedOutError from None  # a directory that cannot say who it is ends the session
    token = session.token
    found: dict[str, dict[str, Any]] = {
        "matches": {},
        "conflicts": {},
        "notices": {},
        "subscriptions": {},
        "measures": {},
    }
    for organisation in me.organisations:
        parts = await asyncio.gather(
            optional(portal.exchange.matches(organisation.id, token)),
            optional(portal.calendar.conflicts(organisation.id, token)),
            optional(portal.notifier.notices(organisation.id, token)),
            optional(portal.notifier.subscriptions(organisation.id, token)),
            # "Meine Maßnahmen": the concept's measures the organisation leads
            optional(portal.concept.measures(token, lead=organisation.id, limit=500)),
        )
        for name, part in zip(found, parts, strict=True):
            found[name][organisation.id] = part
    # "Meine Anmeldungen": the events the person registered for
    my_registrations = await optional(portal.calendar.my_registrations(token))
    return portal.page(
        "me.html",
        me=me,
        my_registrations=my_registrations,
        matches=found["matches"],
        conflicts=found["conflicts"],
        notices=found["notices"],
        notice_cadences=labels.NOTICE_CADENCES,
        subscriptions=found["subscriptions"],
        measures=found["measures"],
    )


@router.post("/me/notices")
async def change_notice(
    portal: Portal,
    session: SignedIn,
    organisation_id: Annotated[str, Form(min_length=1, max_length=100, pattern=r"^[\w-]+$")],
    notice: Annotated[str, Form(pattern=r"^(match_found|conflict_detected)$")],
    enabled: Annotated[bool | None, Form()] = None,
    cadence: Annotated[str | None, Form(pattern=r"^(immediate|daily|weekly)$")] = None,
) -> Response:
    """Switch an organisation's default email notice on or off, or choose how often match
    notices come (the buttons on /me)."""
    try:
        await portal.notifier.switch_notice(
            organisation_id, notice, session.token, enabled=enabled, cadence=cadence
        )
    except Problem as problem:
        return portal.refused(problem, "notice.switch", title=_("Nicht geändert"), link=BACK_TO_ME)
    return see(f"/me#benachrichtigungen-{organisation_id}")


@router.get("/matches/{match_id}")
async def match_page(match_id: str) -> RedirectResponse:
    """Links in match emails: matches are shown to the organisations concerned on their page."""
    return see(f"/me#match-{match_id}")


@router.get("/set-password")
async def set_password_form(
    portal: Portal,
    token: Annotated[str, Query(min_length=10, max_length=200)],
) -> HTMLResponse:
    return portal.page("set_password.html", token=token, error=None)


@router.post("/set-password")
async def set_password(
    portal: Portal,
    token: Annotated[str, Form(min_length=10, max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    password_repeated: Annotated[str, Form(max_length=1000)],
) -> HTMLResponse:
    def again(status: int, error: str) -> HTMLResponse:
        return portal.page("set_password.html", status, token=token, error=error)

    if password != password_repeated:
        return again(422, _("Die beiden Passwörter stimmen nicht überein."))
    try:
        await portal.directory.set_password(token, password)
    except BackendUnavailableError:
        return again(503, _(NOT_NOW))
    except Problem as problem:
        return again(problem.status, refusals.refusal("password.set", problem))
    return portal.message(
        title=_("Passwort gespeichert"),
        message=_("Ihr Passwort ist gesetzt. Sie können sich jetzt anmelden."),
        link=("/login", _("Zur Anmeldung")),
    )


@router.get("/forgot-password")
async def forgot_password_form(portal: Portal) -> HTMLResponse:
    return portal.page("forgot_password.html")


@router.post("/forgot-password")
async def forgot_password(
    portal: Portal,
    email: Annotated[str, Form(max_length=320)],
) -> HTMLResponse:
    try:
        await portal.directory.reset_password(email, forwarded_for(portal.request))
    except BackendUnavailableError:
        return portal.message(503, title=_("Nicht erreichbar"), message=NOT_NOW)
    except Problem:
        pass  # it says the same whether or not there is such an account
    return portal.message(
        title="E-Mail unterwegs",
        message=_("Wenn es zu dieser Adresse ein Konto gibt, ist ein Link unterwegs."),
    )
