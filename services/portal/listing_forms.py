"""Posting an offer ("Bieten") or a request ("Suchen") in the portal, and closing one's own
(the exchange judges both; see `forms` for how a form answers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.portal import forms, labels, refusals
from services.portal.clients.base import Problem
from services.portal.clients.exchange import Collection, Listing
from services.portal.i18n import N_, Labels, _
from services.portal.measure_choice import MeasureChoices, chosen_measures, measure_choices
from services.portal.members import ActingFor, choices_if_any
from services.portal.web import BACK_TO_ME, EntityPath, Portal, PortalRequest, SignedIn, see
from shared.clock import BERLIN

router = APIRouter(default_response_class=HTMLResponse)

#: The form's fields, named as in the exchange's `ListingCreate`, in the order of the form.
FIELD_LABELS = Labels(
    {
        "organisation_id": N_("Organisation"),
        "category": N_("Kategorie"),
        "title": N_("Titel"),
        "description": N_("Beschreibung"),
        "tags": N_("Schlagworte"),
        "languages": N_("Sprachen"),
        "district": N_("Stadtteil"),
        "available_from": N_("Verfügbar ab"),
        "available_until": N_("Verfügbar bis"),
        "quantity": N_("Anzahl"),
        "expires_at": N_("Sichtbar bis"),
        "measure_ids": N_("Maßnahmen des Integrationskonzepts"),
    }
)
#: What a field must hold, said when the exchange refuses it.
FIELD_HINTS = Labels(
    {
        "organisation_id": N_("Bitte wählen Sie eine Ihrer Organisationen."),
        "category": N_("Bitte wählen Sie eine Kategorie."),
        "title": N_("3 bis 200 Zeichen."),
        "description": N_("Höchstens 5000 Zeichen."),
        "tags": N_("Höchstens 20 Schlagworte mit je bis zu 50 Zeichen, durch Komma getrennt."),
        "languages": N_("Sprachkürzel wie de, uk oder ar, durch Komma getrennt (höchstens 20)."),
        "district": N_("Höchstens 100 Zeichen."),
        "available_from": N_("Ein gültiges Datum vor „Verfügbar bis“."),
        "available_until": N_("Ein Datum ab heute, nach „Verfügbar ab“."),
        "quantity": N_("Eine ganze Zahl ab 1."),
        "expires_at": N_("Ein Datum ab heute, höchstens ein Jahr im Voraus."),
        "measure_ids": N_("Höchstens 20 Maßnahmen."),
    }
)
FORBIDDEN = refusals.REFUSALS["listing.post"]["forbidden"]


@dataclass(frozen=True)
class Kind:
    """How the portal speaks of one kind of listing."""

    collection: Collection  # "offers" or "requests", as in the exchange's paths
    german_word: str  # "Bieten" or "Suchen"
    german_noun: str  # "Angebot" or "Gesuch"
    german_back: str  # "Zurück zum Angebot"

    @property
    def word(self) -> str:
        return _(self.german_word)

    @property
    def noun(self) -> str:
        return _(self.german_noun)


KINDS = {
    "offers": Kind("offers", N_("Bieten"), N_("Angebot"), N_("Zurück zum Angebot")),
    "requests": Kind("requests", N_("Suchen"), N_("Gesuch"), N_("Zurück zum Gesuch")),
}


def _kind(portal: PortalRequest) -> Kind:
    return KINDS[portal.request.url.path.split("/")[1]]


# --- form → exchange ------------------------------------------------------------------------


def form_values(form: FormData) -> dict[str, str]:
    """What the person typed, as typed (files and unknown fields are ignored)."""
    return {name: forms.text_of(form, name) for name in FIELD_LABELS}


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
    lists = {
        "tags": forms.split_list(values["tags"]),
        "languages": forms.languages_of(values["languages"]),
    }
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
                problems[name] = _("Bitte ein Datum angeben (TT.MM.JJJJ).")
    quantity = values["quantity"].strip()
    if quantity:
        if quantity.isdecimal():
            payload["quantity"] = int(quantity)
        else:
            problems["quantity"] = FIELD_HINTS["quantity"]
    return payload, problems


# --- exchange's answer → German -------------------------------------------------------------


def refusal(problem: Problem, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The German message for a 4xx of the exchange on posting, and the fields concerned
    (validation errors; `bad-dates` and `cannot-clear` name theirs in `fields`)."""
    problems = forms.field_problems(
        problem,
        FIELD_HINTS,
        typed_languages=forms.languages_of(values["languages"]),
        rules_in_messages=True,
    )
    said = problem.generic == "forbidden" or refusals.knows("listing.post", problem)
    return forms.refused_fields("listing.post", problem, problems, FIELD_LABELS, said=said)


# --- pages ----------------------------------------------------------------------------------


def _form_page(
    portal: PortalRequest,
    kind: Kind,
    *,
    values: dict[str, str],
    organisations: list[tuple[str, str]],
    measures: MeasureChoices | None,
    chosen_measures: list[str],
    refused: forms.Refused | None = None,
) -> HTMLResponse:
    chosen = values["organisation_id"]
    if chosen and chosen not in dict(organisations):
        organisations = [*organisations, (chosen, chosen)]
    today = dt.datetime.now(BERLIN).date()
    return forms.form_page(
        portal,
        "listing_form.html",
        refused,
        kind=kind,
        values=values,
        organisations=organisations,
        measures=measures,
        chosen_measures=chosen_measures,
        categories=labels.CATEGORIES,
        labels=FIELD_LABELS,
        today=today.isoformat(),
        latest_expiry=(today + dt.timedelta(days=364)).isoformat(),
    )


@router.get("/offers/new")
@router.get("/requests/new")
async def new_listing_form(portal: Portal, acting: ActingFor) -> Response:
    organisations = acting.choices.organisations
    if not organisations:
        return portal.message(
            403,
            title=_("Keine Organisation"),
            message=_(
                "Sie gehören noch zu keiner Organisation und können deshalb nichts einstellen."
            ),
            link=BACK_TO_ME,
        )
    values = dict.fromkeys(FIELD_LABELS, "")
    values["organisation_id"] = acting.choices.preselect(acting.named)
    kind = _kind(portal)
    measures = await measure_choices(portal, acting.session.token)
    return _form_page(
        portal,
        kind,
        values=values,
        organisations=organisations,
        measures=measures,
        chosen_measures=[],
    )


@router.post("/offers/new")
@router.post("/requests/new")
async def post_listing(portal: Portal, session: SignedIn) -> Response:
    kind = _kind(portal)
    form = await portal.form()
    values, measure_ids = form_values(form), chosen_measures(form)
    payload, problems = listing_payload(values)
    if measure_ids:
        payload["measure_ids"] = measure_ids
    outcome: Listing | forms.Refused | None = forms.checked(problems, FIELD_LABELS)
    if outcome is None:
        outcome = await forms.submit(
            portal.exchange.post(kind.collection, payload, session.token),
            unreachable=labels.unreachable_form_kept("exchange"),
            refusal=lambda problem: refusal(problem, values),
        )
    if not isinstance(outcome, forms.Refused):
        return see(f"/{kind.collection}/{outcome.id}")
    choices = await choices_if_any(session)
    return _form_page(
        portal,
        kind,
        values=values,
        organisations=choices.organisations if choices else [],
        measures=await measure_choices(portal, session.token),
        chosen_measures=measure_ids,
        refused=outcome,
    )


# --- closing a listing ----------------------------------------------------------------------


@router.post("/offers/{listing_id}/fulfil")
@router.post("/requests/{listing_id}/fulfil")
@router.post("/offers/{listing_id}/withdraw")
@router.post("/requests/{listing_id}/withdraw")
async def close_listing(listing_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    """The "Erledigt" button (fulfil: it found its taker, or the need was met) and the
    "Zurückziehen" button (withdraw: taken off the exchange without being fulfilled)."""
    kind = _kind(portal)
    action = portal.request.url.path.rsplit("/", 1)[1]
    listing_path = f"/{kind.collection}/{listing_id}"
    # "Erledigt" may name the match through which it was (optional)
    through = forms.text_of(await portal.form(), "through_match_id", strip=True)
    through_match_id = through if action == "fulfil" and through else None
    try:
        await portal.exchange.close(
            kind.collection, listing_id, action, session.token, through_match_id
        )
    except Problem as problem:
        return portal.refused(
            problem,
            "listing.close",
            title=_("Nicht geändert"),
            noun=kind.noun,
            link=(listing_path, kind.german_back),
        )
    return see(listing_path)
