"""Pages for office staff only: "Did we email them?" — the notifier's delivery log, searchable
by address and status, for the person on the phone with a partner who got nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.portal.backends import BackendUnavailableError
from services.portal.pages import SESSION_COOKIE, Services, Templates, page, session_token

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
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response
    if answer is not None and answer.status == 403:
        return page(
            engine,
            request,
            "message.html",
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
