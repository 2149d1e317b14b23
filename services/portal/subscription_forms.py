"""Following new offers, requests or events by email from the portal ("Per E-Mail folgen"):
anyone with an address (confirmed by a link the notifier mails), or a member for their
organisation (the emails go to its contact address); members end their organisation's
subscriptions on their page. The notifier judges the form (see `forms` for how it answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.portal import forms, labels, refusals
from services.portal.clients.base import Problem
from services.portal.clients.notifier import Subscription
from services.portal.i18n import N_, Labels, _, ngettext
from services.portal.members import choices_if_any, organisation_choices
from services.portal.web import (
    BACK_TO_ME,
    ChosenOrganisation,
    EntityPath,
    Portal,
    PortalRequest,
    SignedIn,
    see,
    signed_in,
)
from shared.ids import ENTITY_ID_PATTERN

router = APIRouter(default_response_class=HTMLResponse)

OrganisationId = Annotated[str | None, Form(max_length=100, pattern=ENTITY_ID_PATTERN)]

#: The form's fields in the order of the form, with the words the form uses for them.
FIELD_LABELS = Labels(
    {
        "organisation_id": N_("Organisation"),
        "email": N_("E-Mail-Adresse"),
        "topics": N_("Neuigkeiten"),
        "categories": N_("Kategorie"),
        "districts": N_("Stadtteil"),
        "languages": N_("Sprache"),
        "audiences": N_("Zielgruppe"),
        "delivery": N_("Wie oft"),
        "language": N_("Sprache der E-Mails"),
    }
)
#: What a field must hold, said when the notifier refuses it.
FIELD_HINTS = Labels(
    {
        "organisation_id": N_(
            "Bitte folgen Sie von „Mein Bereich“ aus für eine Ihrer Organisationen."
        ),
        "email": N_("Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de."),
        "topics": N_(
            "Bitte kreuzen Sie an, worüber Sie informiert werden möchten: neue Angebote, "
            "neue Gesuche oder neue Termine."
        ),
        "categories": N_("Bitte wählen Sie Kategorien aus der Liste."),
        "districts": N_("Höchstens 20 Stadtteile mit je bis zu 100 Zeichen, durch Komma getrennt."),
        "languages": N_("Sprachkürzel wie de, uk oder ar, durch Komma getrennt (höchstens 20)."),
        "audiences": N_("Bitte wählen Sie Zielgruppen aus der Liste."),
        "delivery": N_("Bitte wählen Sie: sofort, täglich oder wöchentlich."),
        "language": N_("Bitte wählen Sie eine Sprache aus der Liste."),
    }
)
#: Filters that fit only some topics: the topics they fit, and what to say when they are
#: combined with others.
TOPIC_BOUND_FILTERS = {
    "categories": (
        {"offers", "requests"},
        N_(
            "Eine Kategorie gibt es nur bei Angeboten und Gesuchen. Bitte lassen Sie die Kategorie "
            "leer oder kreuzen Sie „Neue Termine“ nicht an."
        ),
    ),
    "audiences": (
        {"events"},
        N_(
            "Eine Zielgruppe gibt es nur bei Terminen. Bitte lassen Sie die Zielgruppe leer oder "
            "kreuzen Sie nur „Neue Termine“ an."
        ),
    ),
}
TOO_MANY_PENDING = refusals.REFUSALS["subscription.create"]["rate-limited"]
FORBIDDEN = refusals.REFUSALS["subscription.create"]["forbidden"]
UNKNOWN_ORGANISATION = N_(
    "Die Benachrichtigungen kennen diese Organisation noch nicht oder sie ist nicht mehr aktiv. "
    "Bitte versuchen Sie es in einer Minute noch einmal."
)


@dataclass
class SubscriptionForm:
    """What someone filled in, kept as typed so that it can be shown again."""

    organisation_id: str = ""
    email: str = ""
    topics: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    districts: str = ""
    languages: str = ""
    audiences: list[str] = field(default_factory=list)
    delivery: str = "immediate"
    language: str = "de"

    @classmethod
    def of(cls, form: FormData) -> SubscriptionForm:
        return forms.read_form(cls, form)


# --- form → notifier ------------------------------------------------------------------------


def subscription_payload(form: SubscriptionForm) -> tuple[dict[str, Any], dict[str, str]]:
    """The notifier's `SubscriptionCreate` for the form, and the problems the portal sees
    without asking (nothing ticked, no address); everything else the notifier judges."""
    problems: dict[str, str] = {}
    if not form.topics:
        problems["topics"] = FIELD_HINTS["topics"]
    payload: dict[str, Any] = {"topics": form.topics, "delivery": form.delivery}
    if form.organisation_id:
        # an organisation gets its emails in its own preferred language
        payload["organisation_id"] = form.organisation_id
    elif form.email:
        payload["email"] = form.email
        payload["language"] = form.language
    else:
        problems["email"] = _("Bitte geben Sie Ihre E-Mail-Adresse an.")
    filters = {
        "categories": form.categories,
        "districts": forms.split_list(form.districts),
        "languages": forms.languages_of(form.languages),
        "audiences": form.audiences,
    }
    payload["filters"] = {name: values for name, values in filters.items() if values}
    return payload, _in_form_order(problems)


# --- notifier's answer → German -------------------------------------------------------------


def _in_form_order(problems: dict[str, str]) -> dict[str, str]:
    return forms.in_form_order(problems, FIELD_LABELS)


def field_problems_of(problem: Problem, form: SubscriptionForm) -> dict[str, str]:
    """Which fields a problem of the notifier objects to, said in German. A rule over the
    whole subscription (location "body" alone) is filters that do not fit every ticked topic:
    which ones the form itself shows, without reading the rule's English message."""
    problems = forms.field_problems(
        problem,
        FIELD_HINTS,
        typed_languages=forms.languages_of(form.languages),
        nested_in="filters",
    )
    if any(error.location == "body" for error in problem.errors):
        chosen = {"categories": form.categories, "audiences": form.audiences}
        for name, (fits, say) in TOPIC_BOUND_FILTERS.items():
            if chosen[name] and not set(form.topics) <= fits:
                problems.setdefault(name, _(say))
    return _in_form_order(problems)


def refusal(problem: Problem, form: SubscriptionForm) -> tuple[str, dict[str, str]]:
    """The German message for a 4xx of the notifier on subscribing, and the fields concerned.
    It says no more about an address than the notifier's answer does."""
    if problem.generic == "rate-limited":
        return _(TOO_MANY_PENDING), {"email": _("Zu viele unbestätigte Abonnements.")}
    if problem.generic == "forbidden":
        return _(FORBIDDEN), {}
    problems = field_problems_of(problem, form)
    if problems:
        return forms.please_check(problems, FIELD_LABELS), problems
    if problem.generic == "validation-error" and form.organisation_id:
        return _(UNKNOWN_ORGANISATION), {}
    return refusals.refusal("subscription.create", problem), {}


# --- what a subscription follows, in words --------------------------------------------------


def _joined(words: list[str]) -> str:
    """ "A", "A und B", "A, B und C"."""
    if len(words) == 1:
        return words[0]
    return _("%(first)s und %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def subscription_summary(subscription: Subscription) -> str:
    """ "Neue Angebote und Gesuche · Kategorie: Raum · Stadtteil: Nordstadt · sofort" for a
    subscription as the notifier lists it."""
    nouns = {"offers": _("Angebote"), "requests": _("Gesuche"), "events": _("Termine")}
    topics = [nouns.get(t, t) for t in subscription.topics]
    parts = [_("Neue %(topics)s") % {"topics": _joined(topics)} if topics else _("Neues")]
    filters = subscription.filters
    shown: tuple[tuple[list[str], str, Mapping[str, str]], ...] = (
        (filters.categories, _("Kategorie"), labels.CATEGORIES),
        (filters.districts, _("Stadtteil"), {}),
        (filters.languages, _("Sprache"), {}),
        (filters.audiences, _("Zielgruppe"), labels.AUDIENCES),
        (filters.tags, _("Schlagworte"), {}),
    )
    for values, label, words in shown:
        if values:
            parts.append(f"{label}: {', '.join(words.get(v, v) for v in values)}")
    if filters.organisation_ids:
        count = len(filters.organisation_ids)
        parts.append(
            ngettext("von %(num)d Organisation(en)", "von %(num)d Organisation(en)", count)
            % {"num": count}
        )
    parts.append(labels.DELIVERIES.get(subscription.delivery, subscription.delivery))
    return " · ".join(parts)


def install_template_helpers(engine: Jinja2Templates) -> None:
    engine.env.globals["subscription_summary"] = subscription_summary


# --- pages ----------------------------------------------------------------------------------


def _form_page(
    portal: PortalRequest,
    form: SubscriptionForm,
    status_code: int = 200,
    *,
    organisation_name: str = "",
    error: str | None = None,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    return portal.page(
        "subscription_form.html",
        status_code,
        form=form,
        organisation_name=organisation_name,
        error=error,
        problems=_in_form_order(problems or {}),
        labels=FIELD_LABELS,
        topics=labels.TOPICS,
        categories=labels.CATEGORIES,
        audiences=labels.AUDIENCES,
        deliveries=labels.DELIVERIES,
        languages=labels.EMAIL_LANGUAGES,
    )


@router.get("/benachrichtigungen")
async def subscription_form(
    portal: Portal,
    organisation: ChosenOrganisation = None,
) -> Response:
    """The form; `?organisation=…` (the link on /me) subscribes that organisation instead of
    an address."""
    if not organisation:
        return _form_page(portal, SubscriptionForm())
    choices = await organisation_choices(signed_in(portal))
    name = choices.name_of(organisation)
    if name is None:
        return portal.message(
            403,
            title=_("Nicht Ihre Organisation"),
            message=FORBIDDEN,
            link=("/benachrichtigungen", _("Mit Ihrer E-Mail-Adresse folgen")),
        )
    return _form_page(
        portal, SubscriptionForm(organisation_id=organisation), organisation_name=name
    )


@router.post("/benachrichtigungen")
async def subscribe(portal: Portal) -> Response:
    form = SubscriptionForm.of(await portal.form())
    # only an organisation's subscription needs to say who asks (and someone signed in)
    session = signed_in(portal) if form.organisation_id else None
    payload, problems = subscription_payload(form)
    outcome = forms.checked(problems, FIELD_LABELS)
    if outcome is None:
        outcome = await forms.submit(
            portal.notifier.subscribe(payload, session.token if session else None),
            unreachable=labels.unreachable_form_kept("notifier"),
            refusal=lambda problem: refusal(problem, form),
        )
    if outcome is None and form.organisation_id:
        return see(f"/me#folgen-{form.organisation_id}")
    if outcome is None:
        summary = subscription_summary(Subscription.model_validate(payload))
        return portal.page("subscription_sent.html", email=form.email, summary=summary)
    choices = await choices_if_any(session) if session else None
    name = choices.name_of(form.organisation_id) if choices else None
    return _form_page(
        portal,
        form,
        outcome.status,
        organisation_name=name or _("Ihre Organisation"),
        error=outcome.message,
        problems=outcome.problems,
    )


@router.post("/benachrichtigungen/{subscription_id}/beenden")
async def end_subscription(
    subscription_id: EntityPath,
    portal: Portal,
    session: SignedIn,
    organisation_id: OrganisationId = None,
) -> Response:
    """The "Beenden" button on /me: the organisation follows this no longer."""
    try:
        await portal.notifier.end_subscription(subscription_id, session.token)
    except Problem as problem:
        return portal.refused(
            problem, "subscription.end", title=_("Nicht beendet"), link=BACK_TO_ME
        )
    anchor = f"#folgen-{organisation_id}" if organisation_id else ""
    return see(f"/me{anchor}")
