"""Registering for an event from the portal: the registration box of the event page (seats
left, deadline, waiting list, the "Anmelden" form with the questions the organisers chose) and
the form's answer. A member is registered at once; anyone else (only where the organisers
opened the registration to the public) confirms by the link the calendar emails. The calendar
decides who may register and whether there is a seat; the portal says its answer in words."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.portal import forms, labels, refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, optional
from services.portal.clients.calendar import Event
from services.portal.clients.directory import Person
from services.portal.clients.registration_views import Registered, Registration
from services.portal.i18n import N_, Labels, _
from services.portal.web import EntityPath, Portal, PortalRequest

router = APIRouter(default_response_class=HTMLResponse)

#: The form's fields in the order of the form, with the words the form uses for them.
FIELD_LABELS = Labels(
    {
        "name": N_("Name"),
        "email": N_("E-Mail-Adresse"),
        "organisation_id": N_("Organisation"),
        "language": N_("Sprache der E-Mails"),
        "interpreter_language": N_("Dolmetschung in die Sprache"),
        "child_care": N_("Kinderbetreuung für wie viele Kinder"),
        "accessibility": N_("Barrierefreiheit"),
        "dietary": N_("Ernährung"),
    }
)
#: What a field must hold, said when the calendar refuses it.
FIELD_HINTS = Labels(
    {
        "name": N_("Bitte geben Sie Ihren Namen an (bis zu 200 Zeichen)."),
        "email": N_("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de."),
        "organisation_id": N_("Bitte wählen Sie eine Ihrer Organisationen oder keine."),
        "language": N_("Bitte wählen Sie eine Sprache aus der Liste."),
        "interpreter_language": N_("Bitte nennen Sie die Sprache (bis zu 100 Zeichen)."),
        "child_care": N_("Bitte geben Sie eine Zahl von 0 bis 10 an."),
        "accessibility": N_("Bitte höchstens 500 Zeichen."),
        "dietary": N_("Bitte höchstens 500 Zeichen."),
    }
)
#: Which answer each question of the organisers asks for.
QUESTION_FIELDS = {
    "interpreter": "interpreter_language",
    "child_care": "child_care",
    "accessibility": "accessibility",
    "dietary": "dietary",
}
MOST_CHILDREN = 10


@dataclass
class RegistrationForm:
    """What someone typed into the "Anmelden" form, kept as typed to be shown again."""

    name: str = ""
    email: str = ""
    organisation_id: str = ""
    language: str = "de"
    interpreter_language: str = ""
    child_care: str = ""
    accessibility: str = ""
    dietary: str = ""

    @classmethod
    def of(cls, form: FormData) -> RegistrationForm:
        return forms.read_form(cls, form)

    @classmethod
    def for_person(cls, me: Person | None) -> RegistrationForm:
        """The form filled in with what the directory knows of the signed-in person."""
        if me is None:
            return cls()
        only = me.organisations[0].id if len(me.organisations) == 1 else ""
        return cls(
            name=me.name or "", email=me.email, organisation_id=only, language=me.language or "de"
        )


def registration_body(
    form: RegistrationForm, questions: list[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The calendar's registration body for the form, answering only the questions asked,
    and the problems the portal sees without asking (no name, no address, not a number)."""
    problems: dict[str, str] = {}
    if not form.name:
        problems["name"] = _("Bitte geben Sie Ihren Namen an.")
    if not form.email:
        problems["email"] = _("Bitte geben Sie Ihre E-Mail-Adresse an.")
    asked = {QUESTION_FIELDS[q] for q in questions if q in QUESTION_FIELDS}
    answers: dict[str, Any] = {name: None for name in QUESTION_FIELDS.values()}
    for name in ("interpreter_language", "accessibility", "dietary"):
        if name in asked:
            answers[name] = getattr(form, name) or None
    if "child_care" in asked and form.child_care:
        children = forms.whole_number(form.child_care, 0, MOST_CHILDREN)
        if children is None:
            problems["child_care"] = _(FIELD_HINTS["child_care"])
        answers["child_care"] = children
    body: dict[str, Any] = {
        "name": form.name,
        "email": form.email,
        "language": form.language,
        "answers": answers,
    }
    if form.organisation_id:
        body["organisation_id"] = form.organisation_id
    return body, forms.in_form_order(problems, FIELD_LABELS)


def refusal(problem: Problem) -> tuple[str, dict[str, str]]:
    """The words for the calendar refusing a registration, and the fields concerned."""
    problems = forms.field_problems(problem, FIELD_HINTS, nested_in="answers")
    if problem.slug == "organisation-places-taken":  # said by its own sentence
        problems = {"organisation_id": _("Die Plätze dieser Organisation sind vergeben.")}
    said = refusals.knows("registration.register", problem)
    return forms.refused_fields(
        "registration.register", problem, problems, FIELD_LABELS, said=said, keep_marks=True
    )


def outcome_message(registered: Registered, email: str) -> tuple[str, str]:
    """The title and sentence of the page after registering (or confirming by the link)."""
    if registered.state == "pending":
        return _("Fast geschafft"), _(
            "Bitte bestätigen Sie Ihre Anmeldung über den Link in der E-Mail an %(email)s. "
            "Erst dann ist sie gültig; der Link gilt 48 Stunden."
        ) % {"email": email}
    if registered.state == "waiting":
        return _("Auf der Warteliste"), _(
            "Alle Plätze sind vergeben. Sie stehen auf Platz %(position)s der Warteliste und "
            "bekommen eine E-Mail, sobald ein Platz für Sie frei wird."
        ) % {"position": registered.position or "?"}
    return _("Angemeldet"), _(
        "Sie sind angemeldet. Eine Bestätigung mit einem Kalendereintrag und einem Link zum "
        "Abmelden ist per E-Mail unterwegs."
    )


# --- the box on the event page --------------------------------------------------------------


@dataclass
class RegistrationBox:
    """What the event page shows of the registration and offers the reader."""

    #: None: no registration set up (or the calendar cannot say, then `known` is False).
    registration: Registration | None
    known: bool
    me: Person | None
    #: Members of the event's organisations (or co-organisers) and office staff.
    organises: bool

    @property
    def takes_registrations(self) -> bool:
        """A form is shown: open, or full with a waiting list."""
        found = self.registration
        return found is not None and (found.open or found.closed_reason == "full")

    @property
    def needs_sign_in(self) -> bool:
        found = self.registration
        return self.me is None and found is not None and found.open_to != "public"


def organises(me: Person | None, event: Event) -> bool:
    """Whether the signed-in person may set up the registration and see who registered."""
    if me is None:
        return False
    hosts = {event.organisation_id, *event.co_organiser_ids}
    return me.is_admin or any(o.id in hosts for o in me.organisations)


async def registration_box(portal: PortalRequest, event: Event) -> dict[str, Any]:
    """The event template's `box` and `registration_form` (its context for the box)."""
    token = portal.token
    asked = portal.calendar.registration(event.id, token)
    me: Person | None = None
    if token:
        registration, me = await asyncio.gather(
            _registration(asked), optional(portal.directory.me(token))
        )
    else:
        registration = await _registration(asked)
    found, known = registration
    box = RegistrationBox(found, known, me, organises(me, event))
    return {"box": box, "registration_form": RegistrationForm.for_person(me)}


async def _registration(
    asked: Awaitable[Registration],
) -> tuple[Registration | None, bool]:
    """The registration and whether the calendar could say (not set up: None, True)."""
    try:
        return await asked, True
    except Problem:
        return None, True
    except BackendUnavailableError:  # the box says so; the rest of the page stays
        return None, False


def install_template_helpers(engine: Jinja2Templates) -> None:
    env = engine.env
    env.globals["registration_state"] = lambda s: labels.REGISTRATION_STATES.get(s, s)
    env.globals["question_label"] = lambda q: labels.REGISTRATION_QUESTIONS.get(q, q)
    env.globals["open_to_label"] = lambda o: labels.REGISTRATION_OPEN_TO.get(o, o)
    env.globals["closed_label"] = lambda r: labels.REGISTRATION_CLOSED.get(r, r)


# --- the form's answer ----------------------------------------------------------------------


def _form_page(
    portal: PortalRequest,
    event: Event,
    registration: Registration | None,
    form: RegistrationForm,
    me: Person | None,
    outcome: forms.Refused,
) -> HTMLResponse:
    return forms.form_page(
        portal,
        "registrations/register.html",
        outcome,
        event=event,
        registration=registration,
        form=form,
        me=me,
        labels=FIELD_LABELS,
        languages=labels.EMAIL_LANGUAGES,
    )


@router.post("/events/{event_id}/anmelden")
async def register(event_id: EntityPath, portal: Portal) -> Response:
    """The "Anmelden" form of the event page: with the session a member's registration,
    without it one to confirm by email."""
    form = RegistrationForm.of(await portal.form())
    token = portal.token
    calendar = portal.calendar
    unreachable = labels.unreachable_form_kept("calendar")
    try:
        event = await calendar.event(event_id, token)
    except BackendUnavailableError:  # keep what was typed all the same
        refused = forms.Refused(503, unreachable)
        return _form_page(portal, Event(id=event_id), None, form, None, refused)
    except Problem as problem:
        return portal.refused(problem, "registration.register", title=_("Nicht gefunden"))
    found = await optional(calendar.registration(event_id, token))
    body, problems = registration_body(form, found.questions if found else [])
    outcome: Registered | forms.Refused | None = forms.checked(problems, FIELD_LABELS)
    if outcome is None:
        outcome = await forms.submit(
            calendar.register(event_id, body, token),
            unreachable=unreachable,
            refusal=refusal,
        )
    if isinstance(outcome, forms.Refused):
        me = await optional(portal.directory.me(token)) if token else None
        return _form_page(portal, event, found, form, me, outcome)
    title, message = outcome_message(outcome, form.email)
    return portal.page("registrations/registered.html", event=event, title=title, message=message)
