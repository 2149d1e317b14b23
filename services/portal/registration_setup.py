"""The organisers' "Anmeldung einrichten" (`/events/{id}/anmeldung`): how many seats, until
when, how many per organisation, which questions to ask and who may register; and closing the
registration. The calendar decides who organises the event (its organisation's members, its
co-organisers and the office) and what is valid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.portal import forms, labels, refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, optional
from services.portal.clients.calendar import Event
from services.portal.clients.registration_views import Registration
from services.portal.event_forms import FormError, berlin_rfc3339
from services.portal.i18n import N_, Labels, _
from services.portal.web import EntityPath, Portal, PortalRequest, SignedIn, see
from shared.clock import BERLIN

router = APIRouter(default_response_class=HTMLResponse)

FIELD_LABELS = Labels(
    {
        "capacity": N_("Plätze"),
        "deadline": N_("Anmeldeschluss"),
        "places_per_organisation": N_("Plätze je Organisation"),
        "questions": N_("Fragen an die Teilnehmenden"),
        "open_to": N_("Wer sich anmelden kann"),
    }
)
FIELD_HINTS = Labels(
    {
        "capacity": N_("Bitte eine Zahl von 1 bis 10000."),
        "deadline": N_("Der Anmeldeschluss liegt spätestens am Beginn der Veranstaltung."),
        "places_per_organisation": N_("Leer lassen oder eine Zahl ab 1."),
        "questions": N_("Bitte wählen Sie Fragen aus der Liste."),
        "open_to": N_(
            "„Nur Mitglieder der Arbeitsgruppe“ gibt es nur bei Treffen einer Arbeitsgruppe."
        ),
    }
)
MOST_SEATS = 10_000


@dataclass
class SetupForm:
    """What the organiser typed, kept as typed to be shown again."""

    capacity: str = ""
    deadline_date: str = ""
    deadline_time: str = ""
    places_per_organisation: str = ""
    questions: list[str] = field(default_factory=list)
    open_to: str = "public"

    @classmethod
    def of(cls, form: FormData) -> SetupForm:
        return forms.read_form(cls, form)

    @classmethod
    def of_registration(cls, registration: Registration | None) -> SetupForm:
        """The form filled in with the registration as it is set up (Berlin wall time)."""
        if registration is None:
            return cls()
        day = time = ""
        if registration.deadline:
            moment = dt.datetime.fromisoformat(registration.deadline).astimezone(BERLIN)
            day, time = moment.date().isoformat(), moment.strftime("%H:%M")
        places = registration.places_per_organisation
        return cls(
            capacity=str(registration.capacity),
            deadline_date=day,
            deadline_time=time,
            places_per_organisation="" if places is None else str(places),
            questions=list(registration.questions),
            open_to=registration.open_to,
        )


def setup_body(form: SetupForm) -> tuple[dict[str, Any], dict[str, str]]:
    """The calendar's `PUT /events/{id}/registration` body, and what the portal refuses
    without asking (not a number, a deadline without its time or not a time at all)."""
    problems: dict[str, str] = {}
    capacity = forms.whole_number(form.capacity, 1, MOST_SEATS)
    if capacity is None:
        problems["capacity"] = _(FIELD_HINTS["capacity"])
    places = None
    if form.places_per_organisation:
        places = forms.whole_number(form.places_per_organisation, 1, MOST_SEATS)
        if places is None:
            problems["places_per_organisation"] = _(FIELD_HINTS["places_per_organisation"])
    deadline = None
    if form.deadline_date or form.deadline_time:
        try:
            day = dt.date.fromisoformat(form.deadline_date)
            time = dt.time.fromisoformat(form.deadline_time)
            deadline = berlin_rfc3339(day, time)
        except ValueError:
            problems["deadline"] = _(
                "Bitte geben Sie Datum und Uhrzeit an – oder keins von beiden."
            )
        except FormError as exc:
            problems["deadline"] = str(exc)
    body = {
        "capacity": capacity,
        "deadline": deadline,
        "places_per_organisation": places,
        "questions": [q for q in form.questions if q in labels.REGISTRATION_QUESTIONS],
        "open_to": form.open_to,
    }
    return body, forms.in_form_order(problems, FIELD_LABELS)


def refusal(problem: Problem) -> tuple[str, dict[str, str]]:
    problems = forms.field_problems(problem, FIELD_HINTS, rules_in_messages=True)
    said = refusals.knows("registration.set_up", problem)
    return forms.refused_fields(
        "registration.set_up", problem, problems, FIELD_LABELS, said=said, keep_marks=True
    )


def _form_page(
    portal: PortalRequest,
    event: Event,
    registration: Registration | None,
    form: SetupForm,
    outcome: forms.Refused | None = None,
) -> HTMLResponse:
    return forms.form_page(
        portal,
        "registrations/setup.html",
        outcome,
        event=event,
        registration=registration,
        form=form,
        labels=FIELD_LABELS,
        questions=labels.REGISTRATION_QUESTIONS,
        open_to=labels.REGISTRATION_OPEN_TO,
    )


async def _event(portal: PortalRequest, event_id: str, token: str) -> Event | HTMLResponse:
    try:
        return await portal.calendar.event(event_id, token)
    except Problem as problem:
        return portal.refused(problem, "registration.set_up", title=_("Nicht gefunden"))


@router.get("/events/{event_id}/anmeldung")
async def setup_form(event_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    event = await _event(portal, event_id, session.token)
    if isinstance(event, HTMLResponse):
        return event
    registration = await optional(portal.calendar.registration(event_id, session.token))
    return _form_page(portal, event, registration, SetupForm.of_registration(registration))


@router.post("/events/{event_id}/anmeldung")
async def set_up(event_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    form = SetupForm.of(await portal.form())
    body, problems = setup_body(form)
    outcome: Registration | forms.Refused | None = forms.checked(problems, FIELD_LABELS)
    if outcome is None:
        outcome = await forms.submit(
            portal.calendar.set_up_registration(event_id, body, session.token),
            unreachable=labels.unreachable_form_kept("calendar"),
            refusal=refusal,
        )
    if not isinstance(outcome, forms.Refused):
        return see(f"/events/{event_id}#anmeldung")
    try:
        event = await portal.calendar.event(event_id, session.token)
    except (Problem, BackendUnavailableError):
        event = Event(id=event_id)
    return _form_page(portal, event, None, form, outcome)


@router.post("/events/{event_id}/anmeldung/schliessen")
async def close(event_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    """No more registrations; who registered stays registered."""
    try:
        await portal.calendar.close_registration(event_id, session.token)
    except Problem as problem:
        link = (f"/events/{event_id}", _("Zurück zur Veranstaltung"))
        return portal.refused(problem, "registration.set_up", title=_("Nicht geändert"), link=link)
    return see(f"/events/{event_id}#anmeldung")
