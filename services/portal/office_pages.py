"""Pages for office staff only: "Did we email them?" — the notifier's delivery log, searchable
by address and status, for the person on the phone with a partner who got nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.portal.backends import BackendUnavailableError
from services.portal.directory_forms import field_label
from services.portal.members import organisation_pages
from services.portal.pages import (
    KIND_LABELS,
    Services,
    Templates,
    berlin_time,
    message_page,
    page,
    session_token,
    to_login,
)
from shared.clock import BERLIN

router = APIRouter()

PAGE_SIZE = 50
TEMPLATE_LABELS = {
    "match_found": "Treffer in der Börse",
    "conflict_detected": "Terminüberschneidung",
    "new_listing": "Neues Angebot oder Gesuch",
    "new_event": "Neuer Termin",
    "event_rescheduled": "Termin verschoben",
    "event_cancelled": "Termin abgesagt",
    "digest": "Übersicht (täglich/wöchentlich)",
    "subscription_confirmation": "Bestätigung eines Abonnements",
    "invitation": "Einladung",
    "password_reset": "Passwort zurücksetzen",
    "membership_added": "Neue Mitgliedschaft",
    "membership_invitation": "Einladung (bestehendes Konto)",
}
STATUS_LABELS = {
    "pending": "wartet / nächster Versuch",
    "sent": "verschickt",
    "failed": "aufgegeben",
    "skipped": "nicht nötig (keine Adresse, abbestellt)",
}


@router.get("/buero/zustellungen", response_class=HTMLResponse, response_model=None)
async def delivery_log(
    request: Request,
    engine: Templates,
    services: Services,
    adresse: Annotated[str, Query(max_length=320)] = "",
    status: Annotated[str, Query(pattern=r"^(|pending|sent|failed|skipped)$")] = "",
    ab: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    params: dict[str, Any] = {"limit": PAGE_SIZE, "offset": ab}
    if adresse.strip():
        params["recipient"] = adresse.strip().lower()
    if status:
        params["status"] = status
    try:
        answer = await services.get("notifier", "/deliveries", params=params, token=token)
    except BackendUnavailableError:
        answer = None
    if answer is not None and answer.status == 401:
        return to_login()
    if answer is not None and answer.status == 403:
        return message_page(
            engine,
            request,
            403,
            title="Nur für das Büro",
            message="Das Zustellprotokoll sieht nur das Büro des Amts für Integration.",
            link=("/me", "Zurück zu Mein Bereich"),
        )
    log = answer.body if answer is not None and answer.ok else None
    return page(
        engine,
        request,
        "delivery_log.html",
        503 if log is None else 200,
        log=log,
        adresse=adresse,
        status=status,
        statuses=STATUS_LABELS,
        templates=TEMPLATE_LABELS,
    )


# --- the directory as a spreadsheet ----------------------------------------------------------

CSV_COLUMNS = (
    "Name",
    "Art",
    "Stadtteil",
    "Adresse",
    "E-Mail",
    "Telefon",
    "Website",
    "Sprachen",
    "Communities",
    "Handlungsfelder",
    "Status",
    "Angelegt",
    "Geändert",
)


#: A cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_cell(value: str) -> str:
    """A value a spreadsheet shows as text, never runs (OWASP CSV injection): a cell that
    starts like a formula gets a leading apostrophe."""
    if value.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_row(organisation: dict[str, Any]) -> list[str]:
    """One organisation as a spreadsheet row, in German, every cell safe to open."""
    return [spreadsheet_cell(cell) for cell in _csv_cells(organisation)]


def _csv_cells(organisation: dict[str, Any]) -> list[str]:
    return [
        organisation.get("name") or "",
        KIND_LABELS.get(organisation.get("kind") or "", organisation.get("kind") or ""),
        organisation.get("district") or "",
        organisation.get("address") or "",
        organisation.get("email") or "",
        organisation.get("phone") or "",
        organisation.get("website") or "",
        ", ".join(organisation.get("languages") or []),
        ", ".join(organisation.get("communities") or []),
        ", ".join(field_label(f) for f in organisation.get("fields") or []),
        "archiviert" if organisation.get("status") == "archived" else "aktiv",
        berlin_time(organisation.get("created_at")),
        berlin_time(organisation.get("updated_at")),
    ]


def spreadsheet(organisations: list[dict[str, Any]]) -> str:
    """CSV as German spreadsheet programs open it by a double click: semicolons, a byte order
    mark for UTF-8, sorted by name."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for organisation in sorted(organisations, key=lambda o: str(o.get("name", "")).casefold()):
        writer.writerow(csv_row(organisation))
    return "\ufeff" + out.getvalue()


@router.get("/buero/organisationen.csv", response_class=Response, response_model=None)
async def directory_spreadsheet(
    request: Request,
    engine: Templates,
    services: Services,
    archivierte: Annotated[bool, Query()] = False,
) -> Response:
    """Every organisation of the network (with the archived ones on request) for office staff:
    for mailings, reports to the council, a printed list at the network meeting."""
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    statuses = ["active", "archived"] if archivierte else ["active"]
    try:
        me = await services.get("directory", "/me", token=token)
        if me.status == 401:
            return RedirectResponse("/login", status_code=303)
        if not me.ok or not isinstance(me.body, dict) or me.body.get("role") != "admin":
            return message_page(
                engine,
                request,
                403,
                title="Nur für das Büro",
                message="Die Liste aller Organisationen lädt nur das Büro herunter.",
                link=("/organisations", "Zu den Organisationen"),
            )
        organisations: list[dict[str, Any]] = []
        for status in statuses:
            # up to 10,000 organisations: the whole network, not a choice list
            async for items in organisation_pages(services, token, status=status, max_pages=100):
                organisations.extend(items)
    except BackendUnavailableError:
        return message_page(
            engine,
            request,
            503,
            title="Nicht erreichbar",
            message="Das Verzeichnis ist gerade nicht erreichbar. Bitte später erneut versuchen.",
            link=("/me", "Zurück zu Mein Bereich"),
        )
    today = dt.datetime.now(BERLIN).date().isoformat()
    return Response(
        spreadsheet(organisations),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="organisationen-{today}.csv"',
            "Cache-Control": "no-store",
        },
    )
