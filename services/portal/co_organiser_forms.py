"""Co-organising from the portal: a member sees the invitations addressed to their
organisations, accepts or declines them, and leaves events their organisation co-organises."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.portal.backends import BackendUnavailableError
from services.portal.members import SignedOutError, organisation_choices
from services.portal.pages import (
    Services,
    Templates,
    message_page,
    page,
    session_token,
    to_login,
)
from shared.ids import is_entity_id

router = APIRouter()
PAGE = "/mitveranstalten"
#: What each button asks the calendar: (method, path after /events/{id}/co-organisers/{org}).
ACTIONS = {"accept": ("POST", "/accept"), "decline": ("POST", "/decline"), "leave": ("DELETE", "")}


def _unreachable(engine: Templates, request: Request) -> HTMLResponse:
    return message_page(
        engine,
        request,
        503,
        title="Nicht erreichbar",
        message="Der Kalender ist gerade nicht erreichbar. Bitte später erneut versuchen.",
        link=("/me", "Zurück zu Mein Bereich"),
    )


@router.get(PAGE, response_class=HTMLResponse, response_model=None)
async def co_organising(
    request: Request,
    engine: Templates,
    services: Services,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    try:
        try:
            choices = await organisation_choices(services, token)
        except SignedOutError:
            return to_login()
        names = dict(choices.organisations)
        # office staff look at one organisation at a time (they may act for all of them)
        shown = [organisation] if organisation in names else []
        if not shown and not choices.is_admin:
            shown = list(names)
        sections: list[dict[str, Any]] = []
        for organisation_id in shown:
            invited = await services.get(
                "calendar",
                "/co-organiser-invitations",
                params={"organisation": organisation_id},
                token=token,
            )
            listed = await services.get(
                "calendar",
                "/events",
                params={"organisation": organisation_id, "limit": 500},
                token=token,
            )
            if invited.status == 401 or listed.status == 401:
                return to_login()
            items = listed.body.get("items", []) if isinstance(listed.body, dict) else []
            joined = {
                item["event_id"]: item
                for item in items
                if isinstance(item, dict) and item.get("organisation_id") != organisation_id
            }
            sections.append(
                {
                    "id": organisation_id,
                    "name": names[organisation_id],
                    "invitations": invited.body if isinstance(invited.body, list) else [],
                    "joined": list(joined.values()),
                }
            )
    except BackendUnavailableError:
        return _unreachable(engine, request)
    return page(engine, request, "co_organising.html", sections=sections, is_admin=choices.is_admin)


@router.post(PAGE, response_class=HTMLResponse, response_model=None)
async def answer_invitation(request: Request, engine: Templates, services: Services) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    form = await request.form()
    event_id, organisation_id, action = (
        str(form.get("event_id", "")),
        str(form.get("organisation_id", "")),
        str(form.get("action", "")),
    )
    if not (is_entity_id(event_id) and is_entity_id(organisation_id) and action in ACTIONS):
        return message_page(
            engine,
            request,
            422,
            title="Ungültige Eingabe",
            message="Diese Antwort auf eine Einladung ist unvollständig.",
            link=(PAGE, "Zurück"),
        )
    method, suffix = ACTIONS[action]
    path = f"/events/{event_id}/co-organisers/{organisation_id}{suffix}"
    try:
        answer = await services.call("calendar", method, path, token=token)
    except BackendUnavailableError:
        return _unreachable(engine, request)
    if answer.status == 401:
        return to_login()
    if answer.ok:
        return RedirectResponse(f"{PAGE}?organisation={organisation_id}", status_code=303)
    message = {
        403: "Sie dürfen für diese Organisation nicht antworten.",
        404: "Diese Einladung gibt es nicht (mehr).",
    }.get(answer.status, "Der Kalender hat die Antwort nicht angenommen.")
    return message_page(
        engine,
        request,
        answer.status if 400 <= answer.status < 500 else 409,
        title="Nicht möglich",
        message=message,
        link=(PAGE, "Zurück"),
    )
