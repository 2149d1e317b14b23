"""Following new offers, requests or events by email from the portal ("Per E-Mail folgen"):
anyone with an address (confirmed by a link the notifier mails), or a member for their
organisation (the emails go to its contact address); members end their organisation's
subscriptions on their page.

The notifier decides what is valid; the portal turns the form into the notifier's JSON and the
notifier's answer into German, and never loses what the person typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.portal.backends import BackendAnswer, Backends, BackendUnavailableError
from services.portal.event_forms import AUDIENCE_LABELS
from services.portal.listing_forms import languages_of, split_list
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
from shared.ids import ENTITY_ID_PATTERN

router = APIRouter()

SubscriptionId = Annotated[str, Path(pattern=ENTITY_ID_PATTERN)]
OrganisationId = Annotated[str | None, Form(max_length=100, pattern=ENTITY_ID_PATTERN)]

TOPIC_LABELS = {"offers": "Neue Angebote", "requests": "Neue Gesuche", "events": "Neue Termine"}
DELIVERY_LABELS = {"immediate": "sofort", "daily": "täglich", "weekly": "wöchentlich"}
#: The languages the notifier writes its emails in (its `texts.SUPPORTED_LANGUAGES`), each by
#: its own name so that whoever reads it finds their language.
EMAIL_LANGUAGES = {
    "de": "Deutsch",
    "en": "English",
    "uk": "Українська",
    "tr": "Türkçe",
    "ar": "العربية",
}
#: The form's fields in the order of the form, with the words the form uses for them.
FIELD_LABELS = {
    "organisation_id": "Organisation",
    "email": "E-Mail-Adresse",
    "topics": "Neuigkeiten",
    "categories": "Kategorie",
    "districts": "Stadtteil",
    "languages": "Sprache",
    "audiences": "Zielgruppe",
    "delivery": "Wie oft",
    "language": "Sprache der E-Mails",
}
#: What a field must hold, said when the notifier refuses it.
FIELD_HINTS = {
    "organisation_id": "Bitte folgen Sie von „Mein Bereich“ aus für eine Ihrer Organisationen.",
    "email": "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@beispiel.de.",
    "topics": "Bitte kreuzen Sie an, worüber Sie informiert werden möchten: neue Angebote, "
    "neue Gesuche oder neue Termine.",
    "categories": "Bitte wählen Sie Kategorien aus der Liste.",
    "districts": "Höchstens 20 Stadtteile mit je bis zu 100 Zeichen, durch Komma getrennt.",
    "languages": "Sprachkürzel wie de, uk oder ar, durch Komma getrennt (höchstens 20).",
    "audiences": "Bitte wählen Sie Zielgruppen aus der Liste.",
    "delivery": "Bitte wählen Sie: sofort, täglich oder wöchentlich.",
    "language": "Bitte wählen Sie eine Sprache aus der Liste.",
}
#: Filters that fit only some topics, and what to say when they are combined with others.
TOPIC_BOUND_FILTERS = {
    "categories": "Eine Kategorie gibt es nur bei Angeboten und Gesuchen. Bitte lassen Sie "
    "die Kategorie leer oder kreuzen Sie „Neue Termine“ nicht an.",
    "audiences": "Eine Zielgruppe gibt es nur bei Terminen. Bitte lassen Sie die Zielgruppe "
    "leer oder kreuzen Sie nur „Neue Termine“ an.",
}
TOO_MANY_PENDING = (
    "Für diese Adresse warten schon mehrere Abonnements auf ihre Bestätigung. Bitte bestätigen "
    "Sie zuerst über die Links in den E-Mails, die Sie bekommen haben, oder versuchen Sie es in "
    "ein paar Tagen noch einmal."
)
FORBIDDEN = "Sie dürfen für diese Organisation keine Benachrichtigungen einrichten."
UNKNOWN_ORGANISATION = (
    "Die Benachrichtigungen kennen diese Organisation noch nicht oder sie ist nicht mehr aktiv. "
    "Bitte versuchen Sie es in einer Minute noch einmal."
)
NOTIFIER_UNREACHABLE = (
    "Die Benachrichtigungen sind gerade nicht erreichbar. Ihre Angaben sind noch da: "
    "Bitte senden Sie das Formular später noch einmal ab."
)
_INAPPLICABLE = re.compile(r"filters ([a-z_, ]+) do not apply")


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
        def text(name: str) -> str:
            value = form.get(name)
            return value.strip() if isinstance(value, str) else ""

        def ticked(name: str) -> list[str]:
            return list(dict.fromkeys(v for v in form.getlist(name) if isinstance(v, str)))

        return cls(
            organisation_id=text("organisation_id"),
            email=text("email"),
            topics=ticked("topics"),
            categories=ticked("categories"),
            districts=text("districts"),
            languages=text("languages"),
            audiences=ticked("audiences"),
            delivery=text("delivery") or "immediate",
            language=text("language") or "de",
        )


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
        problems["email"] = "Bitte geben Sie Ihre E-Mail-Adresse an."
    filters = {
        "categories": form.categories,
        "districts": split_list(form.districts),
        "languages": languages_of(form.languages),
        "audiences": form.audiences,
    }
    payload["filters"] = {name: values for name, values in filters.items() if values}
    return payload, _in_form_order(problems)


# --- notifier's answer → German -------------------------------------------------------------


def _in_form_order(problems: dict[str, str]) -> dict[str, str]:
    return {name: problems[name] for name in FIELD_LABELS if name in problems}


def _field_problem(location: list[str], form: SubscriptionForm) -> tuple[str, str] | None:
    """The field a validation error's location points at ("body.filters.languages.1"), and
    what to say about it."""
    parts = location[1:]
    if parts[:1] == ["filters"]:
        parts = parts[1:]
    if not parts or parts[0] not in FIELD_HINTS:
        return None
    name = parts[0]
    if name == "languages" and len(parts) > 1 and parts[1].isdigit():
        typed = languages_of(form.languages)
        index = int(parts[1])
        if index < len(typed):
            return name, f"„{typed[index]}“ ist kein Sprachkürzel. {FIELD_HINTS['languages']}"
    return name, FIELD_HINTS[name]


def field_problems(body: Any, form: SubscriptionForm) -> dict[str, str]:
    """Which fields a problem-details body of the notifier objects to, said in German."""
    errors = body.get("errors") if isinstance(body, dict) else None
    problems: dict[str, str] = {}
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        location = str(error.get("location", "")).split(".")
        found = _field_problem(location, form) if location[0] == "body" else None
        if found is not None:
            problems.setdefault(*found)
            continue
        # a rule over the whole subscription: filters that do not fit every chosen topic
        wrong = _INAPPLICABLE.search(str(error.get("message", "")))
        for name in wrong.group(1).replace(" ", "").split(",") if wrong else []:
            if name in TOPIC_BOUND_FILTERS:
                problems.setdefault(name, TOPIC_BOUND_FILTERS[name])
    return _in_form_order(problems)


def please_check(problems: dict[str, str]) -> str:
    labels = ", ".join(FIELD_LABELS[name] for name in _in_form_order(problems))
    return f"Bitte prüfen Sie: {labels}."


def refusal(answer: BackendAnswer, form: SubscriptionForm) -> tuple[str, dict[str, str]]:
    """The German message for a 4xx of the notifier on subscribing, and the fields concerned.
    It says no more about an address than the notifier's answer does."""
    if answer.status == 429:
        return TOO_MANY_PENDING, {"email": "Zu viele unbestätigte Abonnements."}
    if answer.status == 401:
        return "Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.", {}
    if answer.status == 403:
        return FORBIDDEN, {}
    problems = field_problems(answer.body, form)
    if problems:
        return please_check(problems), problems
    if answer.status == 422 and form.organisation_id:
        return UNKNOWN_ORGANISATION, {}
    return "Die Benachrichtigungen haben die Angaben nicht angenommen. Bitte prüfen Sie sie.", {}


# --- what a subscription follows, in words --------------------------------------------------


def _joined(words: list[str]) -> str:
    """ "A", "A und B", "A, B und C"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} und {words[-1]}"


def subscription_summary(subscription: dict[str, Any]) -> str:
    """ "Neue Angebote und Gesuche · Kategorie: Raum · Stadtteil: Nordstadt · sofort" for a
    subscription as the notifier lists it."""
    nouns = {"offers": "Angebote", "requests": "Gesuche", "events": "Termine"}
    topics = [nouns.get(t, str(t)) for t in subscription.get("topics") or []]
    parts = [f"Neue {_joined(topics)}" if topics else "Neues"]
    filters = subscription.get("filters") or {}
    audiences = {audience.value: label for audience, label in AUDIENCE_LABELS.items()}
    shown: tuple[tuple[str, str, dict[str, str]], ...] = (
        ("categories", "Kategorie", CATEGORY_LABELS),
        ("districts", "Stadtteil", {}),
        ("languages", "Sprache", {}),
        ("audiences", "Zielgruppe", audiences),
        ("tags", "Schlagworte", {}),
    )
    for name, label, words in shown:
        values = [str(value) for value in filters.get(name) or []]
        if values:
            parts.append(f"{label}: {', '.join(words.get(v, v) for v in values)}")
    if filters.get("organisation_ids"):
        parts.append(f"von {len(filters['organisation_ids'])} Organisation(en)")
    delivery = str(subscription.get("delivery", ""))
    parts.append(DELIVERY_LABELS.get(delivery, delivery))
    return " · ".join(parts)


def install_template_helpers(engine: Jinja2Templates) -> None:
    engine.env.globals["subscription_summary"] = subscription_summary


# --- pages ----------------------------------------------------------------------------------


def _form_page(
    engine: Jinja2Templates,
    request: Request,
    form: SubscriptionForm,
    status_code: int = 200,
    *,
    organisation_name: str = "",
    error: str | None = None,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    return page(
        engine,
        request,
        "subscription_form.html",
        status_code,
        form=form,
        organisation_name=organisation_name,
        error=error,
        problems=_in_form_order(problems or {}),
        labels=FIELD_LABELS,
        topics=TOPIC_LABELS,
        categories=CATEGORY_LABELS,
        audiences=AUDIENCE_LABELS,
        deliveries=DELIVERY_LABELS,
        languages=EMAIL_LANGUAGES,
    )


async def _organisation_name(services: Backends, token: str, organisation_id: str) -> str | None:
    """The name of the organisation if the signed-in person may act for it, else None.
    Raises SignedOutError and BackendUnavailableError as `organisation_choices` does."""
    choices = await organisation_choices(services, token)
    return dict(choices.organisations).get(organisation_id)


@router.get("/benachrichtigungen", response_class=HTMLResponse, response_model=None)
async def subscription_form(
    request: Request,
    engine: Templates,
    services: Services,
    organisation: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """The form; `?organisation=…` (the link on /me) subscribes that organisation instead of
    an address."""
    if not organisation:
        return _form_page(engine, request, SubscriptionForm())
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    try:
        name = await _organisation_name(services, token, organisation)
    except SignedOutError:
        return to_login()
    except BackendUnavailableError:
        return message_page(
            engine,
            request,
            503,
            title="Nicht erreichbar",
            message="Das Verzeichnis ist gerade nicht erreichbar. Bitte später erneut versuchen.",
            link=("/me", "Zurück zu Mein Bereich"),
        )
    if name is None:
        return message_page(
            engine,
            request,
            403,
            title="Nicht Ihre Organisation",
            message=FORBIDDEN,
            link=("/benachrichtigungen", "Mit Ihrer E-Mail-Adresse folgen"),
        )
    return _form_page(
        engine, request, SubscriptionForm(organisation_id=organisation), organisation_name=name
    )


@router.post("/benachrichtigungen", response_class=HTMLResponse, response_model=None)
async def subscribe(request: Request, engine: Templates, services: Services) -> Response:
    form = SubscriptionForm.of(await request.form())
    token = session_token(request)
    if form.organisation_id and token is None:
        return RedirectResponse("/login", status_code=303)
    payload, problems = subscription_payload(form)
    if problems:
        status, message = 422, please_check(problems)
    else:
        try:
            # only an organisation's subscription needs to say who asks
            answer = await services.post(
                "notifier",
                "/subscriptions",
                json=payload,
                token=token if form.organisation_id else None,
            )
        except BackendUnavailableError:
            answer = None
        if answer is None:
            status, message = 503, NOTIFIER_UNREACHABLE
        elif answer.ok and form.organisation_id:
            return RedirectResponse(f"/me#folgen-{form.organisation_id}", status_code=303)
        elif answer.ok:
            return page(
                engine,
                request,
                "subscription_sent.html",
                email=form.email,
                summary=subscription_summary(payload),
            )
        elif answer.status == 401 and form.organisation_id:
            return to_login()
        else:
            status = answer.status if 400 <= answer.status < 500 else 502
            message, problems = refusal(answer, form)
    name = ""
    if form.organisation_id and token is not None:
        try:
            name = await _organisation_name(services, token, form.organisation_id) or ""
        except (SignedOutError, BackendUnavailableError):
            name = ""  # the chosen organisation is kept all the same
    return _form_page(
        engine,
        request,
        form,
        status,
        organisation_name=name or "Ihre Organisation",
        error=message,
        problems=problems,
    )


@router.post(
    "/benachrichtigungen/{subscription_id}/beenden",
    response_class=HTMLResponse,
    response_model=None,
)
async def end_subscription(
    subscription_id: SubscriptionId,
    request: Request,
    engine: Templates,
    services: Services,
    organisation_id: OrganisationId = None,
) -> Response:
    """The "Beenden" button on /me: the organisation follows this no longer."""
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    try:
        answer = await services.call(
            "notifier", "DELETE", f"/subscriptions/{subscription_id}", token=token
        )
    except BackendUnavailableError:
        return message_page(
            engine,
            request,
            503,
            title="Nicht erreichbar",
            message="Die Benachrichtigungen sind gerade nicht erreichbar. "
            "Bitte später erneut versuchen.",
            link=("/me", "Zurück zu Mein Bereich"),
        )
    if answer.status == 401:
        return to_login()
    if not answer.ok:
        return message_page(
            engine,
            request,
            answer.status,
            title="Nicht beendet",
            message="Dieses Abonnement gibt es nicht (mehr), oder Sie dürfen es nicht beenden.",
            link=("/me", "Zurück zu Mein Bereich"),
        )
    anchor = f"#folgen-{organisation_id}" if organisation_id else ""
    return RedirectResponse(f"/me{anchor}", status_code=303)
