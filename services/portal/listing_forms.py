"""Posting an offer ("Bieten") or a request ("Suchen") in the portal, and closing one's own.

The exchange decides what is valid; the portal turns the form into the exchange's JSON and the
exchange's answer into German, and never loses what the person typed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.portal.backends import BackendAnswer, Backends, BackendUnavailableError
from services.portal.members import SignedOutError, organisation_choices
from services.portal.pages import (
    CATEGORY_LABELS,
    Services,
    Templates,
    message_page,
    page,
    session_token,
    to_login,
)
from shared.clock import BERLIN
from shared.ids import ENTITY_ID_PATTERN

router = APIRouter()

ListingId = Annotated[str, Path(pattern=ENTITY_ID_PATTERN)]

#: The form's fields, named as in the exchange's `ListingCreate`, in the order of the form.
FIELD_LABELS = {
    "organisation_id": "Organisation",
    "category": "Kategorie",
    "title": "Titel",
    "description": "Beschreibung",
    "tags": "Schlagworte",
    "languages": "Sprachen",
    "district": "Stadtteil",
    "available_from": "Verfügbar ab",
    "available_until": "Verfügbar bis",
    "quantity": "Anzahl",
    "expires_at": "Sichtbar bis",
}
#: What a field must hold, said when the exchange refuses it.
FIELD_HINTS = {
    "organisation_id": "Bitte wählen Sie eine Ihrer Organisationen.",
    "category": "Bitte wählen Sie eine Kategorie.",
    "title": "3 bis 200 Zeichen.",
    "description": "Höchstens 5000 Zeichen.",
    "tags": "Höchstens 20 Schlagworte mit je bis zu 50 Zeichen, durch Komma getrennt.",
    "languages": "Sprachkürzel wie de, uk oder ar, durch Komma getrennt (höchstens 20).",
    "district": "Höchstens 100 Zeichen.",
    "available_from": "Ein gültiges Datum vor „Verfügbar bis“.",
    "available_until": "Ein Datum ab heute, nach „Verfügbar ab“.",
    "quantity": "Eine ganze Zahl ab 1.",
    "expires_at": "Ein Datum ab heute, höchstens ein Jahr im Voraus.",
}
FORBIDDEN = "Sie dürfen für diese Organisation nichts einstellen."
EXCHANGE_UNREACHABLE = (
    "Die Börse ist gerade nicht erreichbar. Ihre Angaben sind noch da: "
    "Bitte senden Sie das Formular später noch einmal ab."
)
_FIELD_IN_TEXT = re.compile(r"`([a-z_]+)`")


@dataclass(frozen=True)
class Kind:
    """How the portal speaks of one kind of listing."""

    collection: str  # "offers" or "requests", as in the exchange's paths
    word: str  # "Bieten" or "Suchen"
    noun: str  # "Angebot" or "Gesuch"


KINDS = {
    "offers": Kind("offers", "Bieten", "Angebot"),
    "requests": Kind("requests", "Suchen", "Gesuch"),
}


def _kind(request: Request) -> Kind:
    return KINDS[request.url.path.split("/")[1]]


# --- form → exchange ------------------------------------------------------------------------


def form_values(form: FormData) -> dict[str, str]:
    """What the person typed, as typed (files and unknown fields are ignored)."""
    values = {}
    for name in FIELD_LABELS:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return values


def split_list(text: str, separators: str = ",") -> list[str]:
    return [part.strip() for part in re.split(f"[{separators}]", text) if part.strip()]


def languages_of(text: str) -> list[str]:
    # people write "de, uk", "de uk" or "de; uk"
    return split_list(text, r",;\s")


def berlin_day(text: str, *, end_of_day: bool) -> str:
    """A date from a date input as a moment in Europe/Berlin: its first or its last second.
    Browsers send 2026-06-15; one without a date picker shows a text field for 15.06.2026."""
    text = text.strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = dt.datetime.strptime(text, "%d.%m.%Y").date()
    moment = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0)
    return dt.datetime.combine(day, moment, tzinfo=BERLIN).isoformat()


def listing_payload(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The exchange's JSON for what was filled in, and the problems the portal sees itself
    (a date or a number it cannot read); everything else the exchange judges."""
    payload: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name in ("organisation_id", "category", "title", "description", "district"):
        if values[name].strip():
            payload[name] = values[name].strip()
    lists = {"tags": split_list(values["tags"]), "languages": languages_of(values["languages"])}
    for name, items in lists.items():
        if items:
            payload[name] = items
    for name, end_of_day in (
        ("available_from", False),
        ("available_until", True),
        ("expires_at", True),
    ):
        if values[name].strip():
            try:
                payload[name] = berlin_day(values[name], end_of_day=end_of_day)
            except ValueError:
                problems[name] = "Bitte ein Datum angeben (TT.MM.JJJJ)."
    quantity = values["quantity"].strip()
    if quantity:
        if quantity.isdecimal():
            payload["quantity"] = int(quantity)
        else:
            problems["quantity"] = FIELD_HINTS["quantity"]
    return payload, problems


# --- exchange's answer → German -------------------------------------------------------------


def _in_form_order(problems: dict[str, str]) -> dict[str, str]:
    return {name: problems[name] for name in FIELD_LABELS if name in problems}


def _fields_named_in(text: str) -> list[str]:
    return [name for name in _FIELD_IN_TEXT.findall(text) if name in FIELD_LABELS]


def _field_problem(location: list[str], values: dict[str, str]) -> str:
    name = location[1]
    if name == "languages" and len(location) > 2 and location[2].isdigit():
        typed = languages_of(values["languages"])
        index = int(location[2])
        if index < len(typed):
            return f"„{typed[index]}“ ist kein Sprachkürzel. {FIELD_HINTS['languages']}"
    return FIELD_HINTS[name]


def field_problems(body: Any, values: dict[str, str]) -> dict[str, str]:
    """Which fields a problem-details body of the exchange objects to, said in German."""
    if not isinstance(body, dict):
        return {}
    problems: dict[str, str] = {}
    errors = body.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        location = str(error.get("location", "")).split(".")
        if len(location) > 1 and location[0] == "body" and location[1] in FIELD_LABELS:
            problems.setdefault(location[1], _field_problem(location, values))
        else:  # a rule over several fields names them in its message
            for name in _fields_named_in(str(error.get("message", ""))):
                problems.setdefault(name, FIELD_HINTS[name])
    detail = body.get("detail")
    if not problems and isinstance(detail, str):
        for name in _fields_named_in(detail):
            problems.setdefault(name, FIELD_HINTS[name])
    return _in_form_order(problems)


def please_check(problems: dict[str, str]) -> str:
    labels = ", ".join(FIELD_LABELS[name] for name in _in_form_order(problems))
    return f"Bitte prüfen Sie: {labels}."


def refusal(answer: BackendAnswer, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The German message for a 4xx of the exchange on posting, and the fields concerned."""
    if answer.status == 401:
        return "Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.", {}
    if answer.status == 403:
        return FORBIDDEN, {}
    slug = answer.body.get("type", "") if isinstance(answer.body, dict) else ""
    if slug.endswith("/unknown-organisation"):
        return (
            "Die Börse kennt diese Organisation noch nicht. "
            "Bitte versuchen Sie es in ein paar Sekunden noch einmal.",
            {},
        )
    if slug.endswith("/organisation-archived"):
        return "Diese Organisation ist nicht mehr im Netzwerk aktiv und kann nichts einstellen.", {}
    problems = field_problems(answer.body, values)
    if problems:
        return please_check(problems), problems
    return "Die Börse hat die Angaben nicht angenommen. Bitte prüfen Sie sie.", {}


# --- pages ----------------------------------------------------------------------------------


def _form_page(
    engine: Jinja2Templates,
    request: Request,
    kind: Kind,
    status_code: int,
    *,
    values: dict[str, str],
    organisations: list[tuple[str, str]],
    error: str | None = None,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    chosen = values["organisation_id"]
    if chosen and chosen not in dict(organisations):
        organisations = [*organisations, (chosen, chosen)]
    today = dt.datetime.now(BERLIN).date()
    return page(
        engine,
        request,
        "listing_form.html",
        status_code,
        kind=kind,
        values=values,
        organisations=organisations,
        categories=CATEGORY_LABELS,
        labels=FIELD_LABELS,
        error=error,
        problems=_in_form_order(problems or {}),
        today=today.isoformat(),
        latest_expiry=(today + dt.timedelta(days=364)).isoformat(),
    )


def _unreachable(engine: Jinja2Templates, request: Request, what: str) -> HTMLResponse:
    return message_page(
        engine,
        request,
        503,
        title="Nicht erreichbar",
        message=f"{what} ist gerade nicht erreichbar. Bitte später erneut versuchen.",
        link=("/me", "Zurück zu Mein Bereich"),
    )


@router.get("/offers/new", response_class=HTMLResponse, response_model=None)
@router.get("/requests/new", response_class=HTMLResponse, response_model=None)
async def new_listing_form(
    request: Request,
    engine: Templates,
    services: Services,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    kind = _kind(request)
    try:
        organisations = (await organisation_choices(services, token)).organisations
    except SignedOutError:
        return to_login()
    except BackendUnavailableError:
        return _unreachable(engine, request, "Das Verzeichnis")
    if not organisations:
        return message_page(
            engine,
            request,
            403,
            title="Keine Organisation",
            message="Sie gehören noch zu keiner Organisation und können deshalb nichts einstellen.",
            link=("/me", "Zurück zu Mein Bereich"),
        )
    values = dict.fromkeys(FIELD_LABELS, "")
    if organisation in dict(organisations):
        values["organisation_id"] = organisation
    elif len(organisations) == 1:
        values["organisation_id"] = organisations[0][0]
    return _form_page(engine, request, kind, 200, values=values, organisations=organisations)


@router.post("/offers/new", response_class=HTMLResponse, response_model=None)
@router.post("/requests/new", response_class=HTMLResponse, response_model=None)
async def post_listing(request: Request, engine: Templates, services: Services) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    kind = _kind(request)
    values = form_values(await request.form())
    payload, problems = listing_payload(values)
    if problems:
        status, message = 422, please_check(problems)
    else:
        try:
            answer = await services.post(
                "exchange", f"/{kind.collection}", json=payload, token=token
            )
        except BackendUnavailableError:
            answer = None
        if answer is None:
            status, message = 503, EXCHANGE_UNREACHABLE
        elif answer.ok and isinstance(answer.body, dict) and "id" in answer.body:
            return RedirectResponse(f"/{kind.collection}/{answer.body['id']}", status_code=303)
        else:
            status = answer.status if 400 <= answer.status < 500 else 502
            message, problems = refusal(answer, values)
    try:
        organisations = (await organisation_choices(services, token)).organisations
    except (SignedOutError, BackendUnavailableError):
        organisations = []  # the chosen one is kept all the same
    return _form_page(
        engine,
        request,
        kind,
        status,
        values=values,
        organisations=organisations,
        error=message,
        problems=problems,
    )


# --- closing a listing ----------------------------------------------------------------------


@router.post("/offers/{listing_id}/fulfil", response_class=HTMLResponse, response_model=None)
@router.post("/requests/{listing_id}/fulfil", response_class=HTMLResponse, response_model=None)
async def fulfil_listing(
    listing_id: ListingId, request: Request, engine: Templates, services: Services
) -> Response:
    """The "Erledigt" button: it found its taker, or the need was met."""
    return await _close(listing_id, "fulfil", request, engine, services)


@router.post("/offers/{listing_id}/withdraw", response_class=HTMLResponse, response_model=None)
@router.post("/requests/{listing_id}/withdraw", response_class=HTMLResponse, response_model=None)
async def withdraw_listing(
    listing_id: ListingId, request: Request, engine: Templates, services: Services
) -> Response:
    """The "Zurückziehen" button: taken off the exchange without being fulfilled."""
    return await _close(listing_id, "withdraw", request, engine, services)


async def _close(
    listing_id: str,
    action: Literal["fulfil", "withdraw"],
    request: Request,
    engine: Jinja2Templates,
    services: Backends,
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    kind = _kind(request)
    listing_path = f"/{kind.collection}/{listing_id}"
    try:
        answer = await services.post("exchange", f"{listing_path}/{action}", token=token)
    except BackendUnavailableError:
        return _unreachable(engine, request, "Die Börse")
    if answer.status == 401:
        return to_login()
    if answer.ok:
        return RedirectResponse(listing_path, status_code=303)
    messages = {
        403: f"Sie dürfen dieses {kind.noun} nicht ändern: "
        "das dürfen nur Mitglieder der Organisation und das Büro.",
        404: f"Dieses {kind.noun} gibt es nicht.",
        409: f"Dieses {kind.noun} ist bereits abgeschlossen.",
    }
    return message_page(
        engine,
        request,
        answer.status,
        title="Nicht geändert",
        message=messages.get(answer.status, "Das hat leider nicht geklappt."),
        link=(listing_path, f"Zurück zum {kind.noun}"),
    )
