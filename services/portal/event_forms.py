"""Putting an event into the shared calendar from the portal: the form, its checks, and German
answers to what the calendar says (the room is taken, a field is refused, it is unreachable).

Times are typed as Berlin wall time and sent as RFC 3339 with the offset Berlin has then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.portal import forms, labels, refusals
from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Clash, Problem, optional, unless_refused
from services.portal.clients.calendar import Event, Group
from services.portal.i18n import N_, Labels, _, berlin_datetime, local_date, ngettext, time_of_day
from services.portal.measure_choice import MeasureChoices, chosen_measures, measure_choices
from services.portal.members import ActingFor, Choices, choices_again
from services.portal.web import Portal, PortalRequest, Session, SignedIn, see
from shared.clock import BERLIN
from shared.contracts.calendar import Visibility
from shared.ids import is_entity_id

router = APIRouter(default_response_class=HTMLResponse)
#: The calendar's field names as the form calls them.
FIELD_LABELS = Labels(
    {
        "organisation_id": N_("Organisation"),
        "title": N_("Titel"),
        "description": N_("Beschreibung"),
        "starts_at": N_("Beginn"),
        "ends_at": N_("Ende"),
        "venue": N_("Ort"),
        "venue.name": N_("Ort"),
        "venue.room": N_("Raum"),
        "venue.address": N_("Adresse"),
        "district": N_("Stadtteil"),
        "audience": N_("Zielgruppe"),
        "visibility": N_("Sichtbarkeit"),
        "measure_ids": N_("Maßnahmen des Integrationskonzepts"),
        "group_id": N_("Arbeitsgruppe"),
        "topic": N_("Thema"),
    }
)
REASONS = Labels(
    {
        "missing": N_("fehlt"),
        "string_too_short": N_("fehlt"),
        "string_too_long": N_("zu lang"),
        "too_long": N_("zu viele Angaben"),
        "enum": N_("unbekannter Wert"),
        "literal_error": N_("unbekannter Wert"),
    }
)
UNREACHABLE = N_(
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
            _(
                "Am %(day)s gibt es die Uhrzeit %(time)s wegen der Umstellung auf die "
                "Sommerzeit nicht."
            )
            % {"day": local_date(day), "time": time.strftime("%H:%M")}
        )
    return moment.isoformat()


def span_in_berlin(start: str, end: str) -> str:
    """ "20.06.2027 16:00–18:00" from two RFC 3339 moments (the end with its date when the
    event runs past midnight)."""
    low = dt.datetime.fromisoformat(start).astimezone(BERLIN)
    high = dt.datetime.fromisoformat(end).astimezone(BERLIN)
    end_text = time_of_day(high) if low.date() == high.date() else berlin_datetime(high)
    return f"{berlin_datetime(low)}–{end_text}"


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
    #: Measures of the integration concept the event carries out.
    measure_ids: list[str] = field(default_factory=list)
    #: A working group's meeting: the group, and the meeting's topic.
    group_id: str = ""
    topic: str = ""

    @classmethod
    def of(cls, form: FormData) -> EventForm:
        return forms.read_form(cls, form, measure_ids=chosen_measures(form))

    def calendar_body(self) -> dict[str, Any]:
        """The body of the calendar's POST /events, with only what was filled in.
        Raises FormError for what needs no calendar to be refused."""
        if not self.organisation_id:
            raise FormError(_("Bitte wählen Sie die Organisation, die einlädt."))
        if not self.title:
            raise FormError(_("Bitte geben Sie einen Titel an."))
        try:
            day = dt.date.fromisoformat(self.date)
        except ValueError:
            raise FormError(_("Bitte geben Sie das Datum an (TT.MM.JJJJ).")) from None
        try:
            starts, ends = dt.time.fromisoformat(self.starts), dt.time.fromisoformat(self.ends)
        except ValueError:
            raise FormError(_("Bitte geben Sie Beginn und Ende als Uhrzeit an (HH:MM).")) from None
        starts_at, ends_at = berlin_rfc3339(day, starts), berlin_rfc3339(day, ends)
        if dt.datetime.fromisoformat(ends_at) <= dt.datetime.fromisoformat(starts_at):
            raise FormError(_("Das Ende muss nach dem Beginn liegen."))
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
        if self.measure_ids:
            body["measure_ids"] = self.measure_ids
        if self.group_id:
            body["group_id"] = self.group_id
        if self.topic:
            body["topic"] = self.topic
        return body


def room_taken_message(clashes: list[Clash], other_event: Event | None) -> str:
    """Names the event that has the room and its time: the whole event when it is a single
    date (`other_event`, as the calendar shows it), else the overlapping part."""
    if not clashes:
        return _("Der Raum ist zu dieser Zeit schon belegt.")
    first = clashes[0]
    try:
        if other_event is not None and other_event.recurrence is None:
            when = span_in_berlin(other_event.starts_at, other_event.ends_at)
        else:
            when = span_in_berlin(first.overlap_starts_at, first.overlap_ends_at)
    except ValueError:
        return _("Der Raum ist zu dieser Zeit schon belegt.")
    message = _("Der Raum ist zu dieser Zeit schon belegt: «%(title)s» (%(when)s).") % {
        "title": first.title,
        "when": when,
    }
    if len(clashes) > 1:
        more = len(clashes) - 1
        message += " " + ngettext(
            "Dazu %(num)d weitere Überschneidung(en).",
            "Dazu %(num)d weitere Überschneidung(en).",
            more,
        ) % {"num": more}
    return f"{message} {_('Bitte wählen Sie einen anderen Raum oder eine andere Zeit.')}"


def refusal_message(problem: Problem, *, meeting: bool = False) -> str:
    """German words for a calendar's 4xx other than a room clash (`meeting`: of a working
    group, which only those who manage the group may plan)."""
    if meeting and problem.generic == "forbidden":
        return _(refusals.ONLY_COORDINATORS)
    if (
        problem.generic == "forbidden"
        or refusals.knows("event.plan", problem)
        or not problem.errors
    ):
        return refusals.refusal("event.plan", problem)
    return _("Bitte prüfen Sie: %(fields)s.") % {"fields": ", ".join(_field_problems(problem))}


def _field_problems(problem: Problem) -> list[str]:
    found: dict[str, str] = {}
    for error in problem.errors:
        parts = error.path
        name = ".".join(parts[:2]) if parts[:1] == ["venue"] else (parts[0] if parts else "")
        label = FIELD_LABELS.get(name, FIELD_LABELS.get(name.split(".")[0], _("Eingabe")))
        found.setdefault(label, REASONS.get(error.type, _("ungültig")))
    return [f"{label} ({reason})" for label, reason in found.items()]


# --- the pages -----------------------------------------------------------------------------


def _form_page(
    portal: PortalRequest,
    form: EventForm,
    choices: Choices,
    measures: MeasureChoices | None,
    status_code: int = 200,
    error: str | None = None,
    room_taken: bool = False,
    group: Group | None = None,
) -> HTMLResponse:
    return portal.page(
        "event_form.html",
        status_code,
        form=form,
        choices=choices,
        measures=measures,
        error=error,
        room_taken=room_taken,
        group=group,
        audiences=labels.AUDIENCES,
        visibilities=labels.VISIBILITIES,
    )


async def _form_again(
    portal: PortalRequest,
    session: Session,
    form: EventForm,
    status_code: int,
    error: str,
    room_taken: bool = False,
) -> HTMLResponse:
    """The form once more, as typed, with what went wrong."""
    choices = await choices_again(session, form.organisation_id)
    if form.organisation_id not in dict(choices.organisations):
        choices.organisations.append((form.organisation_id, form.organisation_id))
    measures = await measure_choices(portal, session.token)
    group = await _group_of(portal, form.group_id, session.token)
    return _form_page(portal, form, choices, measures, status_code, error, room_taken, group)


async def _group_of(portal: PortalRequest, group_id: str, token: str) -> Group | None:
    """The working group a meeting is planned for, to name it (None if it cannot be read)."""
    if not is_entity_id(group_id):
        return None
    return await optional(portal.calendar.group(group_id, token))


@router.get("/events/new")
async def new_event_form(
    portal: Portal, acting: ActingFor, gruppe: Annotated[str | None, Query(max_length=100)] = None
) -> Response:
    """`?gruppe=…`: a meeting of that working group ("Treffen planen" on its page), organised
    by its coordinating organisation and seen by no more people than the group."""
    group = await _group_of(portal, gruppe or "", acting.session.token)
    form = EventForm(organisation_id=acting.choices.preselect(acting.named))
    if group is not None:
        form.group_id = group.id
        form.organisation_id = acting.choices.preselect(group.coordinator_id)
        if group.visibility != Visibility.PUBLIC.value:
            form.visibility = Visibility.NETWORK.value
    measures = await measure_choices(portal, acting.session.token)
    return _form_page(portal, form, acting.choices, measures, group=group)


@router.post("/events/new")
async def plan_event(portal: Portal, session: SignedIn) -> Response:
    form = EventForm.of(await portal.form())
    try:
        body = form.calendar_body()
    except FormError as exc:
        return await _form_again(portal, session, form, 422, str(exc))
    try:
        saved = await portal.calendar.plan(body, session.token, override=form.override)
    except BackendUnavailableError:
        return await _form_again(portal, session, form, 503, _(UNREACHABLE))
    except Problem as problem:
        if problem.slug != "room-clash":
            message = refusal_message(problem, meeting=bool(form.group_id))
            return await _form_again(portal, session, form, problem.status, message)
        other = await _other_event(portal, problem.clashes, session.token)
        message = room_taken_message(problem.clashes, other)
        return await _form_again(portal, session, form, 409, message, room_taken=True)
    event_id = saved.event.id if saved.event else ""
    if not is_entity_id(event_id):
        return see("/me")
    return see(f"/events/{event_id}{'/clashes' if saved.conflicts else ''}")


async def _other_event(portal: PortalRequest, clashes: list[Clash], token: str) -> Event | None:
    """The event holding the room, as the calendar shows it; None if it cannot be read."""
    other_id = clashes[0].event_id if clashes else ""
    if not is_entity_id(other_id):
        return None
    return await optional(portal.calendar.event(other_id, token))


@router.get("/events/{event_id}/clashes")
async def event_clashes(
    event_id: str,
    portal: Portal,
    session: SignedIn,
) -> Response:
    """Where a new event lands when it clashes: what it clashes with, before the day comes."""
    calendar = portal.calendar
    event = None
    if is_entity_id(event_id):
        event = await unless_refused(calendar.event(event_id, session.token))
    if event is None:
        return portal.not_found(_("Diese Veranstaltung gibt es nicht."))
    found = await unless_refused(calendar.conflicts(event.organisation_id, session.token, 500))
    items = found.items if found else []
    clashes = [c for c in items if event_id in (c.event_id, c.other_event_id)]
    return portal.page("event_clashes.html", event=event, clashes=clashes, known=found is not None)
