"""Putting an event into the shared calendar from the portal: the form, its checks, and German
answers to what the calendar says (the room is taken, a field is refused, it is unreachable).

Times are typed as Berlin wall time and sent as RFC 3339 with the offset Berlin has then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.portal.backends import BackendAnswer, Backends, BackendUnavailableError
from services.portal.members import Choices, SignedOutError, organisation_choices
from services.portal.pages import (
    Services,
    Templates,
    message_page,
    page,
    session_token,
    to_login,
)
from shared.clock import BERLIN
from shared.contracts.calendar import Visibility
from shared.contracts.vocabulary import Audience
from shared.ids import is_entity_id

router = APIRouter()

AUDIENCE_LABELS = {
    Audience.CHILDREN: "Kinder",
    Audience.YOUTH: "Jugendliche",
    Audience.FAMILIES: "Familien",
    Audience.WOMEN: "Frauen",
    Audience.MEN: "Männer",
    Audience.SENIORS: "Seniorinnen und Senioren",
    Audience.NEWCOMERS: "Neu Zugewanderte",
    Audience.PROFESSIONALS: "Fachkräfte",
    Audience.VOLUNTEERS: "Ehrenamtliche",
    Audience.EVERYONE: "Alle",
}
VISIBILITY_LABELS = {
    Visibility.PUBLIC: "Öffentlich (auch auf der Website der Stadt)",
    Visibility.NETWORK: "Nur im Netzwerk",
}
#: The calendar's field names as the form calls them.
FIELD_LABELS = {
    "organisation_id": "Organisation",
    "title": "Titel",
    "description": "Beschreibung",
    "starts_at": "Beginn",
    "ends_at": "Ende",
    "venue": "Ort",
    "venue.name": "Ort",
    "venue.room": "Raum",
    "venue.address": "Adresse",
    "district": "Stadtteil",
    "audience": "Zielgruppe",
    "visibility": "Sichtbarkeit",
}
REASONS = {
    "missing": "fehlt",
    "string_too_short": "fehlt",
    "string_too_long": "zu lang",
    "too_long": "zu viele Angaben",
    "enum": "unbekannter Wert",
    "literal_error": "unbekannter Wert",
}
UNREACHABLE = (
    "Der Kalender ist gerade nicht erreichbar. Ihre Eingaben sind noch da – "
    "bitte später noch einmal absenden."
)


class FormError(ValueError):
    """Input the portal refuses before asking the calendar; the message is German."""


def berlin_rfc3339(day: dt.date, time: dt.time) -> str:
    """The wall time in Berlin as RFC 3339 with the offset in force then (+01:00 in winter,
    +02:00 in summer). Of a time that happens twice when summer time ends, the first is meant;
    a time skipped when it begins raises FormError."""
    moment = dt.datetime.combine(day, time, tzinfo=BERLIN)
    if moment.astimezone(dt.UTC).astimezone(BERLIN).time() != time:
        raise FormError(
            f"Am {day:%d.%m.%Y} gibt es die Uhrzeit {time:%H:%M} wegen der Umstellung auf die "
            "Sommerzeit nicht."
        )
    return moment.isoformat()


def span_in_berlin(start: str, end: str) -> str:
    """ "20.06.2027 16:00–18:00" from two RFC 3339 moments (the end with its date when the
    event runs past midnight)."""
    low = dt.datetime.fromisoformat(start).astimezone(BERLIN)
    high = dt.datetime.fromisoformat(end).astimezone(BERLIN)
    end_format = "%H:%M" if low.date() == high.date() else "%d.%m.%Y %H:%M"
    return f"{low:%d.%m.%Y %H:%M}–{high.strftime(end_format)}"


@dataclass
class EventForm:
    """What a member typed into the form, kept as typed so it can be shown again."""

    organisation_id: str = ""
    title: str = ""
    description: str = ""
    date: str = ""
    starts: str = ""
    ends: str = ""
    venue_name: str = ""
    venue_room: str = ""
    venue_address: str = ""
    district: str = ""
    audience: list[str] = field(default_factory=list)
    visibility: str = Visibility.PUBLIC.value
    #: Office staff: book the room despite a clash.
    override: bool = False

    @classmethod
    def of(cls, form: FormData) -> EventForm:
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip() if isinstance(value, str) else ""

        return cls(
            organisation_id=text("organisation_id"),
            title=text("title"),
            description=text("description"),
            date=text("date"),
            starts=text("starts"),
            ends=text("ends"),
            venue_name=text("venue_name"),
            venue_room=text("venue_room"),
            venue_address=text("venue_address"),
            district=text("district"),
            audience=[v for v in form.getlist("audience") if isinstance(v, str)],
            visibility=text("visibility") or Visibility.PUBLIC.value,
            override=text("override") == "true",
        )

    def calendar_body(self) -> dict[str, Any]:
        """The body of the calendar's POST /events, with only what was filled in.
        Raises FormError for what needs no calendar to be refused."""
        if not self.organisation_id:
            raise FormError("Bitte wählen Sie die Organisation, die einlädt.")
        if not self.title:
            raise FormError("Bitte geben Sie einen Titel an.")
        try:
            day = dt.date.fromisoformat(self.date)
        except ValueError:
            raise FormError("Bitte geben Sie das Datum an (TT.MM.JJJJ).") from None
        try:
            starts, ends = dt.time.fromisoformat(self.starts), dt.time.fromisoformat(self.ends)
        except ValueError:
            raise FormError("Bitte geben Sie Beginn und Ende als Uhrzeit an (HH:MM).") from None
        starts_at, ends_at = berlin_rfc3339(day, starts), berlin_rfc3339(day, ends)
        if dt.datetime.fromisoformat(ends_at) <= dt.datetime.fromisoformat(starts_at):
            raise FormError("Das Ende muss nach dem Beginn liegen.")
        body: dict[str, Any] = {
            "organisation_id": self.organisation_id,
            "title": self.title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "visibility": self.visibility,
        }
        if self.description:
            body["description"] = self.description
        venue = {
            key: value
            for key, value in (
                ("name", self.venue_name),
                ("room", self.venue_room),
                ("address", self.venue_address),
            )
            if value
        }
        if venue:
            body["venue"] = venue
        if self.district:
            body["district"] = self.district
        if self.audience:
            body["audience"] = self.audience
        return body


def _slug(problem: Any) -> str:
    kind = problem.get("type", "") if isinstance(problem, dict) else ""
    return kind.rsplit("/", 1)[-1] if isinstance(kind, str) else ""


def is_room_clash(answer: BackendAnswer) -> bool:
    return answer.status == 409 and _slug(answer.body) == "room-clash"


def room_taken_message(problem: dict[str, Any], other_event: dict[str, Any] | None) -> str:
    """Names the event that has the room and its time: the whole event when it is a single
    date (`other_event`, as the calendar shows it), else the overlapping part."""
    clashes = problem.get("clashes") or []
    try:
        first = clashes[0]
        if other_event is not None and other_event.get("recurrence") is None:
            when = span_in_berlin(other_event["starts_at"], other_event["ends_at"])
        else:
            when = span_in_berlin(first["overlap_starts_at"], first["overlap_ends_at"])
        message = f"Der Raum ist zu dieser Zeit schon belegt: «{first['title']}» ({when})."
    except (IndexError, KeyError, TypeError, ValueError):
        return "Der Raum ist zu dieser Zeit schon belegt."
    if len(clashes) > 1:
        message += f" Dazu {len(clashes) - 1} weitere Überschneidung(en)."
    return message + " Bitte wählen Sie einen anderen Raum oder eine andere Zeit."


def refusal_message(answer: BackendAnswer) -> str:
    """German words for a calendar's 4xx other than a room clash."""
    slug = _slug(answer.body)
    if answer.status == 403:
        return "Sie dürfen für diese Organisation keine Termine eintragen."
    if slug == "invalid-event":
        return (
            "Datum oder Uhrzeit passen nicht: Termine liegen zwischen den Jahren 2000 und 2100 "
            "und dauern höchstens 14 Tage."
        )
    if slug == "unknown-organisation":
        return (
            "Der Kalender kennt diese Organisation noch nicht. "
            "Bitte in einer Minute erneut versuchen."
        )
    if slug == "organisation-archived":
        return "Diese Organisation ist nicht mehr im Netzwerk und kann keine Termine eintragen."
    errors = answer.body.get("errors") if isinstance(answer.body, dict) else None
    if isinstance(errors, list) and errors:
        return "Bitte prüfen Sie: " + ", ".join(_field_problems(errors)) + "."
    return "Der Kalender hat den Termin nicht angenommen."


def _field_problems(errors: list[Any]) -> list[str]:
    found: dict[str, str] = {}
    for error in errors:
        if not isinstance(error, dict):
            continue
        parts = [p for p in str(error.get("location", "")).split(".") if p != "body"]
        name = ".".join(parts[:2]) if parts[:1] == ["venue"] else (parts[0] if parts else "")
        label = FIELD_LABELS.get(name, FIELD_LABELS.get(name.split(".")[0], "Eingabe"))
        found.setdefault(label, REASONS.get(str(error.get("type", "")), "ungültig"))
    return [f"{label} ({reason})" for label, reason in found.items()]


# --- the pages -----------------------------------------------------------------------------


async def _choices(services: Backends, token: str) -> Choices | None:
    """None when the session is no longer valid; raises BackendUnavailableError."""
    try:
        return await organisation_choices(services, token)
    except SignedOutError:
        return None


def _form_page(
    engine: Jinja2Templates,
    request: Request,
    form: EventForm,
    choices: Choices,
    status_code: int = 200,
    error: str | None = None,
    room_taken: bool = False,
) -> HTMLResponse:
    return page(
        engine,
        request,
        "event_form.html",
        status_code,
        form=form,
        choices=choices,
        error=error,
        room_taken=room_taken,
        audiences=AUDIENCE_LABELS,
        visibilities=VISIBILITY_LABELS,
    )


async def _form_again(
    engine: Jinja2Templates,
    request: Request,
    services: Backends,
    token: str,
    form: EventForm,
    status_code: int,
    error: str,
    room_taken: bool = False,
) -> HTMLResponse:
    """The form once more, as typed, with what went wrong."""
    try:
        choices = await _choices(services, token)
    except BackendUnavailableError:
        choices = None
    if choices is None:  # keep the typed choice even when the directory cannot name it
        choices = Choices([(form.organisation_id, "Ihre gewählte Organisation")], False)
    elif form.organisation_id not in dict(choices.organisations):
        choices.organisations.append((form.organisation_id, form.organisation_id))
    return _form_page(engine, request, form, choices, status_code, error, room_taken)


@router.get("/events/new", response_class=HTMLResponse, response_model=None)
async def new_event_form(
    request: Request,
    engine: Templates,
    services: Services,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    try:
        choices = await _choices(services, token)
    except BackendUnavailableError:
        return message_page(
            engine,
            request,
            503,
            title="Nicht erreichbar",
            message="Das Verzeichnis ist gerade nicht erreichbar. Bitte später erneut versuchen.",
            link=("/me", "Zurück zu Mein Bereich"),
        )
    if choices is None:
        return to_login()
    chosen = organisation if organisation in dict(choices.organisations) else ""
    if not chosen and len(choices.organisations) == 1:
        chosen = choices.organisations[0][0]
    return _form_page(engine, request, EventForm(organisation_id=chosen), choices)


@router.post("/events/new", response_class=HTMLResponse, response_model=None)
async def plan_event(request: Request, engine: Templates, services: Services) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    form = EventForm.of(await request.form())
    try:
        body = form.calendar_body()
    except FormError as exc:
        return await _form_again(engine, request, services, token, form, 422, str(exc))
    params = {"override": "true"} if form.override else None
    try:
        answer = await services.post("calendar", "/events", json=body, params=params, token=token)
    except BackendUnavailableError:
        return await _form_again(engine, request, services, token, form, 503, UNREACHABLE)
    if answer.status == 401:
        return to_login()
    if answer.ok:
        saved = answer.body if isinstance(answer.body, dict) else {}
        event_id = str((saved.get("event") or {}).get("id", ""))
        if not is_entity_id(event_id):
            return RedirectResponse("/me", status_code=303)
        warned = "/clashes" if saved.get("conflicts") else ""
        return RedirectResponse(f"/events/{event_id}{warned}", status_code=303)
    if is_room_clash(answer):
        other = await _other_event(services, answer.body, token)
        message = room_taken_message(answer.body, other)
        return await _form_again(
            engine, request, services, token, form, 409, message, room_taken=True
        )
    return await _form_again(
        engine, request, services, token, form, answer.status, refusal_message(answer)
    )


async def _other_event(services: Backends, problem: dict[str, Any], token: str) -> Any:
    """The event holding the room, as the calendar shows it; None if it cannot be read."""
    clashes = problem.get("clashes") or [{}]
    other_id = str(clashes[0].get("event_id", "")) if isinstance(clashes[0], dict) else ""
    if not is_entity_id(other_id):
        return None
    try:
        answer = await services.get("calendar", f"/events/{other_id}", token=token)
    except BackendUnavailableError:
        return None
    return answer.body if answer.ok and isinstance(answer.body, dict) else None


@router.get("/events/{event_id}/clashes", response_class=HTMLResponse, response_model=None)
async def event_clashes(
    event_id: str, request: Request, engine: Templates, services: Services
) -> Response:
    """Where a new event lands when it clashes: what it clashes with, before the day comes."""
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    if not is_entity_id(event_id):
        return _no_such_event(engine, request)
    try:
        event = await services.get("calendar", f"/events/{event_id}", token=token)
        if not event.ok or not isinstance(event.body, dict):
            return _no_such_event(engine, request)
        found = await services.get(
            "calendar",
            "/conflicts",
            params={"organisation": event.body["organisation_id"], "limit": 500},
            token=token,
        )
    except BackendUnavailableError:
        return message_page(
            engine,
            request,
            503,
            title="Nicht erreichbar",
            message="Der Kalender ist gerade nicht erreichbar. Bitte später erneut versuchen.",
            link=(f"/events/{event_id}", "Zur Veranstaltung"),
        )
    items = found.body.get("items", []) if found.ok and isinstance(found.body, dict) else []
    clashes = [c for c in items if event_id in (c.get("event_id"), c.get("other_event_id"))]
    return page(
        engine, request, "event_clashes.html", event=event.body, clashes=clashes, known=found.ok
    )


def _no_such_event(engine: Jinja2Templates, request: Request) -> HTMLResponse:
    return message_page(
        engine,
        request,
        404,
        title="Nicht gefunden",
        message="Diese Veranstaltung gibt es nicht.",
    )
