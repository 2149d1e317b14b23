"""The portal's pages: each gathers what it shows from the services and renders a template."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.portal.backends import BackendAnswer, Backends, BackendUnavailableError
from shared.clock import BERLIN

router = APIRouter()
SESSION_COOKIE = "inx_session"

CATEGORY_LABELS = {
    "room": "Raum",
    "furniture": "Möbel",
    "equipment": "Ausstattung",
    "language_partner": "Sprachpartnerschaft",
    "volunteers": "Ehrenamtliche",
    "cooperation": "Kooperation",
    "expertise": "Fachwissen",
    "transport": "Transport",
    "other": "Sonstiges",
}
KIND_LABELS = {
    "migrant_organisation": "Migrantenorganisation",
    "religious_community": "Religionsgemeinschaft",
    "district_office": "Stadtteilbüro",
    "counselling_service": "Beratungsstelle",
    "education": "Bildung",
    "public_authority": "Behörde",
    "association": "Verein",
    "volunteer_group": "Ehrenamtsgruppe",
    "other": "Sonstige",
}


def berlin_time(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def templates(request: Request) -> Jinja2Templates:
    engine: Jinja2Templates = request.app.state.templates
    return engine


def backends(request: Request) -> Backends:
    found: Backends = request.app.state.backends
    return found


Templates = Annotated[Jinja2Templates, Depends(templates)]
Services = Annotated[Backends, Depends(backends)]


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def to_login() -> RedirectResponse:
    """Back to the log-in page, forgetting a session the directory no longer accepts."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def page(
    engine: Jinja2Templates, request: Request, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    context.setdefault("signed_in", session_token(request) is not None)
    return engine.TemplateResponse(request, name, context, status_code=status_code)


def message_page(
    engine: Jinja2Templates,
    request: Request,
    status_code: int = 200,
    *,
    title: str,
    message: str,
    link: tuple[str, str] | None = None,
) -> HTMLResponse:
    """A page that only says something: done, refused, unreachable."""
    return page(
        engine, request, "message.html", status_code, title=title, message=message, link=link
    )


async def _fetch(services: Backends, service: str, path: str, **kwargs: Any) -> Any:
    """The JSON body, or None when the service is down or refuses."""
    try:
        answer = await services.get(service, path, **kwargs)
    except BackendUnavailableError:
        return None
    return answer.body if answer.ok else None


async def _fetch_main(services: Backends, service: str, path: str, **kwargs: Any) -> Any:
    """The JSON body of what a page is about, or None when the service refuses; a service that
    is down leaves `BackendUnavailableError` to the app, which answers the 503 page."""
    answer = await services.get(service, path, **kwargs)
    return answer.body if answer.ok else None


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, engine: Templates, services: Services) -> HTMLResponse:
    organisations, offers, requests_, events = await asyncio.gather(
        _fetch(services, "directory", "/organisations", params={"limit": 100}),
        _fetch(services, "exchange", "/offers", params={"limit": 10}),
        _fetch(services, "exchange", "/requests", params={"limit": 10}),
        _fetch(services, "calendar", "/events", params={"limit": 10}),
    )
    return page(
        engine,
        request,
        "home.html",
        organisations=organisations,
        offers=offers,
        requests=requests_,
        events=events,
        names=_names(organisations),
    )


def _names(organisations: Any) -> dict[str, str]:
    if not isinstance(organisations, dict):
        return {}
    return {o["id"]: o["name"] for o in organisations.get("items", [])}


@router.get("/organisations", response_class=HTMLResponse)
async def organisations_page(
    request: Request,
    engine: Templates,
    services: Services,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    params: dict[str, Any] = {"limit": 100}
    if q:
        params["q"] = q
    found = await _fetch_main(services, "directory", "/organisations", params=params)
    token = session_token(request)
    # office staff are offered to register an organisation
    me = await _fetch(services, "directory", "/me", token=token) if token else None
    return page(engine, request, "organisations.html", organisations=found, q=q or "", me=me)


@router.get("/organisations/{organisation_id}", response_class=HTMLResponse)
async def organisation_page(
    organisation_id: str, request: Request, engine: Templates, services: Services
) -> HTMLResponse:
    token = session_token(request)
    organisation, offers, requests_, events = await asyncio.gather(
        # with the session: office staff and its members still see it once archived
        _fetch_main(services, "directory", f"/organisations/{organisation_id}", token=token),
        _fetch(services, "exchange", "/offers", params={"organisation": organisation_id}),
        _fetch(services, "exchange", "/requests", params={"organisation": organisation_id}),
        _fetch(services, "calendar", "/events", params={"organisation": organisation_id}),
    )
    if organisation is None:
        return message_page(
            engine,
            request,
            404,
            title="Nicht gefunden",
            message="Diese Organisation gibt es nicht (mehr).",
        )
    me = members = None
    if token:  # who is signed in decides what the page offers: editing, members, archiving
        me, members = await asyncio.gather(
            _fetch(services, "directory", "/me", token=token),
            _fetch(services, "directory", f"/organisations/{organisation_id}/members", token=token),
        )
    return page(
        engine,
        request,
        "organisation.html",
        organisation=organisation,
        offers=offers,
        requests=requests_,
        events=events,
        me=me,
        members=members,
    )


@router.get("/offers/{listing_id}", response_class=HTMLResponse)
@router.get("/requests/{listing_id}", response_class=HTMLResponse)
async def listing_page(
    listing_id: str, request: Request, engine: Templates, services: Services
) -> HTMLResponse:
    collection = request.url.path.split("/")[1]
    listing = await _fetch_main(services, "exchange", f"/{collection}/{listing_id}")
    if listing is None:
        return message_page(
            engine,
            request,
            404,
            title="Nicht gefunden",
            message="Dieses Angebot bzw. Gesuch gibt es nicht.",
        )
    organisation = await _fetch(
        services, "directory", f"/organisations/{listing['organisation_id']}"
    )
    token = session_token(request)
    # who is signed in decides whether the page offers to close the listing
    me = await _fetch(services, "directory", "/me", token=token) if token else None
    return page(engine, request, "listing.html", listing=listing, organisation=organisation, me=me)


@router.get("/events/{event_id}", response_class=HTMLResponse)
async def event_page(
    event_id: str, request: Request, engine: Templates, services: Services
) -> HTMLResponse:
    event = await _fetch_main(
        services, "calendar", f"/events/{event_id}", token=session_token(request)
    )
    if event is None:
        return message_page(
            engine,
            request,
            404,
            title="Nicht gefunden",
            message="Diese Veranstaltung gibt es nicht oder sie ist nur im Netzwerk sichtbar.",
        )
    organisation = await _fetch(services, "directory", f"/organisations/{event['organisation_id']}")
    return page(engine, request, "event.html", event=event, organisation=organisation)


def forwarded_for(request: Request) -> dict[str, str]:
    """Names the browser to the directory, which counts log-in attempts per client (it trusts
    the header only from addresses in its TRUSTED_PROXIES)."""
    return {"X-Forwarded-For": request.client.host} if request.client else {}


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, engine: Templates) -> HTMLResponse:
    return page(engine, request, "login.html", error=None, email="")


@router.post("/login", response_class=HTMLResponse, response_model=None)
async def log_in(
    request: Request,
    engine: Templates,
    services: Services,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        answer = await services.post(
            "directory",
            "/auth/token",
            data={"username": email, "password": password},
            headers=forwarded_for(request),
        )
    except BackendUnavailableError:
        return page(
            engine,
            request,
            "login.html",
            503,
            email=email,
            error="Die Anmeldung ist gerade nicht erreichbar. Bitte später erneut versuchen.",
        )
    if not answer.ok:
        status = 429 if answer.status == 429 else 401
        message = (
            "Zu viele Fehlversuche. Bitte warten Sie einige Minuten."
            if status == 429
            else "E-Mail-Adresse oder Passwort stimmen nicht."
        )
        return page(engine, request, "login.html", status, email=email, error=message)
    response = RedirectResponse("/me", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        answer.body["access_token"],
        max_age=int(answer.body.get("expires_in", 3600)),
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
    )
    return response


@router.post("/logout")
async def log_out() -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/me", response_class=HTMLResponse, response_model=None)
async def my_page(request: Request, engine: Templates, services: Services) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    me = await _fetch(services, "directory", "/me", token=token)
    if me is None:
        return to_login()
    matches: dict[str, Any] = {}
    conflicts: dict[str, Any] = {}
    notices: dict[str, Any] = {}
    subscriptions: dict[str, Any] = {}
    for organisation in me.get("organisations", []):
        org_id = organisation["id"]
        found, clashes, told, followed = await asyncio.gather(
            _fetch(services, "exchange", "/matches", params={"organisation": org_id}, token=token),
            _fetch(
                services, "calendar", "/conflicts", params={"organisation": org_id}, token=token
            ),
            _fetch(services, "notifier", f"/organisations/{org_id}/notices", token=token),
            _fetch(
                services,
                "notifier",
                "/subscriptions",
                params={"organisation_id": org_id, "status": "active", "limit": 100},
                token=token,
            ),
        )
        matches[org_id] = found
        conflicts[org_id] = clashes
        notices[org_id] = told
        subscriptions[org_id] = followed
    return page(
        engine,
        request,
        "me.html",
        me=me,
        matches=matches,
        conflicts=conflicts,
        notices=notices,
        subscriptions=subscriptions,
    )


@router.post("/me/notices", response_class=HTMLResponse, response_model=None)
async def change_notice(
    request: Request,
    engine: Templates,
    services: Services,
    organisation_id: Annotated[str, Form(min_length=1, max_length=100, pattern=r"^[\w-]+$")],
    notice: Annotated[str, Form(pattern=r"^(match_found|conflict_detected)$")],
    enabled: Annotated[bool, Form()],
) -> Response:
    """Switch an organisation's default email notice on or off (the buttons on /me)."""
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    try:
        answer = await services.call(
            "notifier",
            "PUT",
            f"/organisations/{organisation_id}/notices/{notice}",
            json={"enabled": enabled},
            token=token,
        )
    except BackendUnavailableError:
        return message_page(
            engine,
            request,
            503,
            title="Nicht erreichbar",
            message="Die Benachrichtigungen sind gerade nicht erreichbar. "
            "Bitte später erneut versuchen.",
            link=("/me", "Zurück zu Mein Bereich"),
        )
    if answer.status == 401:
        return RedirectResponse("/login", status_code=303)
    if not answer.ok:
        return message_page(
            engine,
            request,
            answer.status,
            title="Nicht geändert",
            message=answer.problem_detail(),
            link=("/me", "Zurück zu Mein Bereich"),
        )
    return RedirectResponse(f"/me#benachrichtigungen-{organisation_id}", status_code=303)


@router.get("/matches/{match_id}")
async def match_page(match_id: str) -> RedirectResponse:
    """Links in match emails: matches are shown to the organisations concerned on their page."""
    return RedirectResponse(f"/me#match-{match_id}", status_code=303)


@router.get("/set-password", response_class=HTMLResponse)
async def set_password_form(
    request: Request,
    engine: Templates,
    token: Annotated[str, Query(min_length=10, max_length=200)],
) -> HTMLResponse:
    return page(engine, request, "set_password.html", token=token, error=None)


@router.post("/set-password", response_class=HTMLResponse)
async def set_password(
    request: Request,
    engine: Templates,
    services: Services,
    token: Annotated[str, Form(min_length=10, max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    password_repeated: Annotated[str, Form(max_length=1000)],
) -> HTMLResponse:
    if password != password_repeated:
        return page(
            engine,
            request,
            "set_password.html",
            422,
            token=token,
            error="Die beiden Passwörter stimmen nicht überein.",
        )
    try:
        answer: BackendAnswer = await services.post(
            "directory", "/auth/password", json={"token": token, "password": password}
        )
    except BackendUnavailableError:
        return page(
            engine,
            request,
            "set_password.html",
            503,
            token=token,
            error="Der Dienst ist gerade nicht erreichbar. Bitte später erneut versuchen.",
        )
    if not answer.ok:
        return page(
            engine,
            request,
            "set_password.html",
            answer.status,
            token=token,
            error=_german_password_error(answer),
        )
    return message_page(
        engine,
        request,
        title="Passwort gespeichert",
        message="Ihr Passwort ist gesetzt. Sie können sich jetzt anmelden.",
        link=("/login", "Zur Anmeldung"),
    )


def _german_password_error(answer: BackendAnswer) -> str:
    slug = answer.body.get("type", "") if isinstance(answer.body, dict) else ""
    if slug.endswith("/expired-token"):
        return "Dieser Link ist abgelaufen. Bitten Sie um einen neuen."
    if slug.endswith("/bad-token"):
        return "Dieser Link ist ungültig oder wurde schon benutzt."
    if slug.endswith("/weak-password"):
        return f"Dieses Passwort ist zu schwach: {answer.problem_detail()}"
    return answer.problem_detail()


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_password_form(request: Request, engine: Templates) -> HTMLResponse:
    return page(engine, request, "forgot_password.html")


@router.post("/forgot-password", response_class=HTMLResponse)
async def forgot_password(
    request: Request,
    engine: Templates,
    services: Services,
    email: Annotated[str, Form(max_length=320)],
) -> HTMLResponse:
    try:
        await services.post(
            "directory",
            "/auth/password-reset",
            json={"email": email},
            headers=forwarded_for(request),
        )
    except BackendUnavailableError:
        return message_page(
            engine,
            request,
            503,
            title="Nicht erreichbar",
            message="Der Dienst ist gerade nicht erreichbar. Bitte später erneut versuchen.",
        )
    return message_page(
        engine,
        request,
        title="E-Mail unterwegs",
        message="Wenn es zu dieser Adresse ein Konto gibt, ist ein Link unterwegs.",
    )


def install_template_helpers(engine: Jinja2Templates) -> None:
    engine.env.filters["berlin"] = berlin_time
    engine.env.globals["category_label"] = lambda c: CATEGORY_LABELS.get(c, c)
    engine.env.globals["kind_label"] = lambda k: KIND_LABELS.get(k, k)
