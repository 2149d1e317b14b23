"""The office's and the members' side of the directory in the portal: registering a partner
organisation, changing its entry, inviting its people, and archiving it when it leaves.

The directory decides who may do what and what is valid; the portal turns the form into the
directory's JSON and the directory's answer into German, and never loses what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from services.portal.backends import BackendAnswer, Backends, BackendUnavailableError
from services.portal.listing_forms import languages_of, split_list
from services.portal.pages import (
    KIND_LABELS,
    Services,
    Templates,
    message_page,
    page,
    session_token,
    to_login,
)
from shared.contracts.vocabulary import FieldOfAction
from shared.ids import ENTITY_ID_PATTERN, is_entity_id

router = APIRouter()

OrganisationId = Annotated[str, Path(pattern=ENTITY_ID_PATTERN)]

FIELD_OF_ACTION_LABELS = {
    FieldOfAction.LANGUAGE_EDUCATION: "Sprache und Bildung",
    FieldOfAction.WORK: "Arbeit und Ausbildung",
    FieldOfAction.SOCIAL_PARTICIPATION: "Gesellschaftliche Teilhabe",
    FieldOfAction.CULTURAL_DIVERSITY: "Kulturelle Vielfalt",
    FieldOfAction.HEALTH: "Gesundheit",
    FieldOfAction.HOUSING: "Wohnen",
    FieldOfAction.SPORTS: "Sport",
    FieldOfAction.COUNSELLING: "Beratung",
    FieldOfAction.CHILDREN_YOUTH: "Kinder und Jugend",
    FieldOfAction.ANTI_DISCRIMINATION: "Antidiskriminierung",
    FieldOfAction.RELIGION: "Religion",
    FieldOfAction.OTHER: "Sonstiges",
}
#: The languages the notifier writes its emails in; the directory accepts any language tag.
PREFERRED_LANGUAGE_LABELS = {
    "de": "Deutsch",
    "en": "Englisch",
    "uk": "Ukrainisch",
    "tr": "Türkisch",
    "ar": "Arabisch",
}
#: The form's fields, named as in the directory's `OrganisationCreate`, in the order of the form.
FIELD_LABELS = {
    "name": "Name",
    "kind": "Art der Organisation",
    "description": "Beschreibung",
    "languages": "Sprachen",
    "communities": "Communities",
    "fields": "Handlungsfelder",
    "district": "Stadtteil",
    "address": "Adresse",
    "website": "Website",
    "email": "Kontakt-E-Mail",
    "phone": "Telefon",
    "preferred_language": "Bevorzugte Sprache",
}
#: What a field must hold, said when the directory refuses it.
FIELD_HINTS = {
    "name": "Bitte 2 bis 200 Zeichen.",
    "kind": "Bitte wählen Sie die Art der Organisation.",
    "description": "Höchstens 5000 Zeichen.",
    "languages": "Sprachkürzel wie de, uk oder ar, durch Komma getrennt (höchstens 30).",
    "communities": "Höchstens 30 Angaben mit je bis zu 100 Zeichen, durch Komma getrennt.",
    "fields": "Bitte nur Handlungsfelder aus der Liste wählen.",
    "district": "Höchstens 100 Zeichen.",
    "address": "Höchstens 300 Zeichen.",
    "website": "Eine Webadresse wie https://www.verein-beispiel.de.",
    "email": "Eine gültige E-Mail-Adresse wie info@verein-beispiel.de.",
    "phone": "Ziffern, Leerzeichen und + ( ) / -, 4 bis 30 Zeichen.",
    "preferred_language": "Bitte wählen Sie eine Sprache.",
}
INVITE_LABELS = {"name": "Name", "email": "E-Mail-Adresse"}
INVITE_HINTS = {
    "name": "Bitte 2 bis 200 Zeichen.",
    "email": "Eine gültige E-Mail-Adresse wie olena@verein-beispiel.de.",
}
#: Optional text the directory clears with null; the other fields are never null.
OPTIONAL_TEXT = ("district", "address", "website", "email", "phone")
ONLY_STAFF_REGISTER = "Nur das Büro des Amts für Integration kann Organisationen anlegen."
ONLY_MEMBERS_EDIT = (
    "Sie dürfen diese Organisation nicht bearbeiten: das dürfen nur ihre Mitglieder und das Büro."
)
ONLY_MEMBERS_INVITE = (
    "Sie dürfen in diese Organisation niemanden einladen: "
    "das dürfen nur ihre Mitglieder und das Büro."
)
ONLY_STAFF_ARCHIVE = "Nur das Büro des Amts für Integration kann Organisationen archivieren."
NOT_ACTIVE = "Diese Organisation ist nicht mehr aktiv und kann nicht mehr geändert werden."
NO_SUCH_ORGANISATION = "Diese Organisation gibt es nicht (mehr)."
DIRECTORY_UNREACHABLE = (
    "Das Verzeichnis ist gerade nicht erreichbar. Ihre Angaben sind noch da: "
    "Bitte senden Sie das Formular später noch einmal ab."
)
_CLEARED = re.compile(r"cannot be cleared: ([a-z_, ]+)")


# --- form → directory -----------------------------------------------------------------------


def website_of(text: str) -> str:
    """People type www.verein.de; the directory wants a URL with its scheme."""
    text = text.strip()
    if text and "://" not in text:
        return f"https://{text}"
    return text


@dataclass
class OrganisationForm:
    """What was typed into the organisation form, kept as typed so it can be shown again."""

    name: str = ""
    kind: str = ""
    description: str = ""
    languages: str = ""
    communities: str = ""
    fields: list[str] = field(default_factory=list)
    district: str = ""
    address: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    preferred_language: str = "de"

    @classmethod
    def of(cls, form: FormData, prefix: str = "") -> OrganisationForm:
        """The fields named `prefix + name` (the edit form repeats what it showed as `shown.`)."""

        def text(name: str) -> str:
            value = form.get(prefix + name)
            return value if isinstance(value, str) else ""

        return cls(
            name=text("name"),
            kind=text("kind"),
            description=text("description"),
            languages=text("languages"),
            communities=text("communities"),
            fields=[v for v in form.getlist(prefix + "fields") if isinstance(v, str)],
            district=text("district"),
            address=text("address"),
            website=text("website"),
            email=text("email"),
            phone=text("phone"),
            preferred_language=text("preferred_language"),
        )

    @classmethod
    def of_organisation(cls, organisation: dict[str, Any]) -> OrganisationForm:
        """The form filled in with an organisation as the directory shows it."""

        def text(name: str) -> str:
            value = organisation.get(name)
            return value if isinstance(value, str) else ""

        return cls(
            name=text("name"),
            kind=text("kind"),
            description=text("description"),
            languages=", ".join(organisation.get("languages") or []),
            communities=", ".join(organisation.get("communities") or []),
            fields=list(organisation.get("fields") or []),
            district=text("district"),
            address=text("address"),
            website=text("website"),
            email=text("email"),
            phone=text("phone"),
            preferred_language=text("preferred_language") or "de",
        )

    def directory_fields(self) -> dict[str, Any]:
        """Every field as the directory's JSON; an emptied optional field is null."""
        values: dict[str, Any] = {
            "name": self.name.strip(),
            "kind": self.kind.strip(),
            "description": self.description.strip(),
            "languages": languages_of(self.languages),
            "communities": split_list(self.communities),
            "fields": list(dict.fromkeys(self.fields)),
            "preferred_language": self.preferred_language.strip(),
        }
        for name in OPTIONAL_TEXT:
            typed = str(getattr(self, name)).strip()
            if name == "website":
                typed = website_of(typed)
            values[name] = typed or None
        return {name: values[name] for name in FIELD_LABELS}

    def create_body(self) -> dict[str, Any]:
        """The body of the directory's POST /organisations, with only what was filled in."""
        return {name: value for name, value in self.directory_fields().items() if value}

    def patch_body(self, shown: OrganisationForm | None) -> dict[str, Any]:
        """The body of the directory's PATCH: only what differs from what the form showed, so
        a change someone else made meanwhile to another field is not undone. Without knowing
        what was shown, everything (the directory ignores what did not change)."""
        now = self.directory_fields()
        if shown is None:
            return now
        before = shown.directory_fields()
        return {name: value for name, value in now.items() if value != before[name]}


# --- directory's answer → German ------------------------------------------------------------


def field_problems(
    body: Any, hints: dict[str, str], typed_languages: list[str] | None = None
) -> dict[str, str]:
    """Which fields a problem-details body of the directory objects to, said in German, in the
    order of `hints`. A refused language is named as typed."""
    if not isinstance(body, dict):
        return {}
    problems: dict[str, str] = {}
    errors = body.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        location = str(error.get("location", "")).split(".")
        if len(location) < 2 or location[0] != "body" or location[1] not in hints:
            continue
        name = location[1]
        hint = hints[name]
        if name == "languages" and typed_languages and len(location) > 2:
            index = int(location[2]) if location[2].isdigit() else len(typed_languages)
            if index < len(typed_languages):
                hint = f"„{typed_languages[index]}“ ist kein Sprachkürzel. {hint}"
        problems.setdefault(name, hint)
    detail = body.get("detail")
    cleared = _CLEARED.search(detail) if isinstance(detail, str) else None
    if cleared:
        for name in (part.strip() for part in cleared.group(1).split(",")):
            if name in hints:
                problems.setdefault(name, "Darf nicht leer sein.")
    return {name: problems[name] for name in hints if name in problems}


def please_check(problems: dict[str, str], labels: dict[str, str]) -> str:
    return "Bitte prüfen Sie: " + ", ".join(labels[name] for name in problems) + "."


def organisation_refusal(
    answer: BackendAnswer, form: OrganisationForm, *, creating: bool
) -> tuple[str, dict[str, str]]:
    """The German message for a 4xx of the directory on registering or changing an
    organisation, and the fields concerned."""
    if answer.status == 403:
        return (ONLY_STAFF_REGISTER if creating else ONLY_MEMBERS_EDIT), {}
    if answer.status == 404:
        return NO_SUCH_ORGANISATION, {}
    problems = field_problems(answer.body, FIELD_HINTS, languages_of(form.languages))
    if problems:
        return please_check(problems, FIELD_LABELS), problems
    if answer.status == 409:
        return NOT_ACTIVE, {}
    return "Das Verzeichnis hat die Angaben nicht angenommen. Bitte prüfen Sie sie.", {}


def invitation_refusal(answer: BackendAnswer) -> tuple[str, dict[str, str]]:
    """The German message for a 4xx of the directory on inviting someone, and the fields."""
    if answer.status == 403:
        return ONLY_MEMBERS_INVITE, {}
    if answer.status == 404:
        return NO_SUCH_ORGANISATION, {}
    problems = field_problems(answer.body, INVITE_HINTS)
    if problems:
        return please_check(problems, INVITE_LABELS), problems
    detail = answer.problem_detail()
    if answer.status == 409 and "already a member" in detail:
        return "Diese Person gehört schon zur Organisation und kann sich anmelden.", {}
    if answer.status == 409 and "archived" in detail:
        return "Diese Organisation ist nicht mehr aktiv: es kann niemand mehr beitreten.", {}
    if answer.status == 409:
        return (
            "Diese Adresse wird gerade eingeladen. Bitte versuchen Sie es gleich noch einmal.",
            {},
        )
    return "Das Verzeichnis hat die Einladung nicht angenommen. Bitte prüfen Sie die Angaben.", {}


def may_edit(me: dict[str, Any], organisation_id: str) -> bool:
    """Office staff may change every organisation, its members only their own."""
    mine = {o.get("id") for o in me.get("organisations", []) if isinstance(o, dict)}
    return me.get("role") == "admin" or organisation_id in mine


# --- talking to the directory ---------------------------------------------------------------


class SignedOutError(Exception):
    """The session is no longer valid (expired, or the person is gone)."""


async def _me(services: Backends, token: str) -> dict[str, Any]:
    """Who is signed in. Raises SignedOutError when the directory does not accept the session,
    and BackendUnavailableError when it cannot say."""
    answer = await services.get("directory", "/me", token=token)
    if answer.status in (401, 403, 404):
        raise SignedOutError
    if not answer.ok or not isinstance(answer.body, dict):
        raise BackendUnavailableError("directory")
    return answer.body


async def _organisation(services: Backends, organisation_id: str, token: str) -> Any:
    """The organisation as the signed-in person may see it (archived ones too, for office staff
    and its members); None when there is none. Raises BackendUnavailableError."""
    answer = await services.get("directory", f"/organisations/{organisation_id}", token=token)
    return answer.body if answer.ok and isinstance(answer.body, dict) else None


async def _members(services: Backends, organisation_id: str, token: str) -> list[Any] | None:
    """The organisation's members, or None when they cannot be shown."""
    try:
        answer = await services.get(
            "directory", f"/organisations/{organisation_id}/members", token=token
        )
    except BackendUnavailableError:
        return None
    return answer.body if answer.ok and isinstance(answer.body, list) else None


# --- pages ----------------------------------------------------------------------------------


def _message(
    engine: Jinja2Templates,
    request: Request,
    status_code: int,
    title: str,
    message: str,
    link: tuple[str, str] | None = None,
) -> HTMLResponse:
    return message_page(
        engine,
        request,
        status_code,
        title=title,
        message=message,
        link=link or ("/organisations", "Zu den Organisationen"),
    )


def _unreachable(engine: Jinja2Templates, request: Request) -> HTMLResponse:
    return _message(
        engine,
        request,
        503,
        "Nicht erreichbar",
        "Das Verzeichnis ist gerade nicht erreichbar. Bitte später erneut versuchen.",
    )


def _form_page(
    engine: Jinja2Templates,
    request: Request,
    status_code: int,
    *,
    form: OrganisationForm,
    organisation_id: str | None = None,
    shown: OrganisationForm | None = None,
    error: str | None = None,
    problems: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form to register an organisation, or, with its id, to change it."""
    languages = dict(PREFERRED_LANGUAGE_LABELS)
    for chosen in (form.preferred_language, shown.preferred_language if shown else ""):
        if chosen and chosen not in languages:
            languages[chosen] = chosen
    return page(
        engine,
        request,
        "organisation_form.html",
        status_code,
        form=form,
        shown=shown,
        organisation_id=organisation_id,
        kinds=KIND_LABELS,
        fields_of_action={str(k): v for k, v in FIELD_OF_ACTION_LABELS.items()},
        preferred_languages=languages,
        labels=FIELD_LABELS,
        error=error,
        problems=problems or {},
    )


@router.get("/organisations/new", response_class=HTMLResponse, response_model=None)
async def new_organisation_form(
    request: Request, engine: Templates, services: Services
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    try:
        me = await _me(services, token)
    except SignedOutError:
        return to_login()
    except BackendUnavailableError:
        return _unreachable(engine, request)
    if me.get("role") != "admin":
        return _message(engine, request, 403, "Nicht erlaubt", ONLY_STAFF_REGISTER)
    return _form_page(engine, request, 200, form=OrganisationForm())


@router.post("/organisations/new", response_class=HTMLResponse, response_model=None)
async def register_organisation(
    request: Request, engine: Templates, services: Services
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    form = OrganisationForm.of(await request.form())
    try:
        answer = await services.post(
            "directory", "/organisations", json=form.create_body(), token=token
        )
    except BackendUnavailableError:
        return _form_page(engine, request, 503, form=form, error=DIRECTORY_UNREACHABLE)
    if answer.status == 401:
        return to_login()
    created = answer.body if isinstance(answer.body, dict) else {}
    if answer.ok and is_entity_id(str(created.get("id", ""))):
        return RedirectResponse(f"/organisations/{created['id']}", status_code=303)
    message, problems = organisation_refusal(answer, form, creating=True)
    status = answer.status if 400 <= answer.status < 500 else 502
    return _form_page(engine, request, status, form=form, error=message, problems=problems)


@router.get(
    "/organisations/{organisation_id}/edit", response_class=HTMLResponse, response_model=None
)
async def edit_organisation_form(
    organisation_id: OrganisationId, request: Request, engine: Templates, services: Services
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    try:
        me = await _me(services, token)
        organisation = await _organisation(services, organisation_id, token)
    except SignedOutError:
        return to_login()
    except BackendUnavailableError:
        return _unreachable(engine, request)
    if organisation is None:
        return _message(engine, request, 404, "Nicht gefunden", NO_SUCH_ORGANISATION)
    back = (f"/organisations/{organisation_id}", "Zurück zur Organisation")
    if not may_edit(me, organisation_id):
        return _message(engine, request, 403, "Nicht erlaubt", ONLY_MEMBERS_EDIT, back)
    if organisation.get("status") != "active":
        return _message(engine, request, 409, "Nicht mehr aktiv", NOT_ACTIVE, back)
    shown = OrganisationForm.of_organisation(organisation)
    return _form_page(
        engine, request, 200, form=shown, shown=shown, organisation_id=organisation_id
    )


@router.post(
    "/organisations/{organisation_id}/edit", response_class=HTMLResponse, response_model=None
)
async def change_organisation(
    organisation_id: OrganisationId, request: Request, engine: Templates, services: Services
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    posted = await request.form()
    form = OrganisationForm.of(posted)
    shown = OrganisationForm.of(posted, "shown.") if "shown.name" in posted else None
    try:
        answer = await services.call(
            "directory",
            "PATCH",
            f"/organisations/{organisation_id}",
            json=form.patch_body(shown),
            token=token,
        )
    except BackendUnavailableError:
        return _form_page(
            engine,
            request,
            503,
            form=form,
            shown=shown,
            organisation_id=organisation_id,
            error=DIRECTORY_UNREACHABLE,
        )
    if answer.status == 401:
        return to_login()
    if answer.ok:
        return RedirectResponse(f"/organisations/{organisation_id}", status_code=303)
    message, problems = organisation_refusal(answer, form, creating=False)
    status = answer.status if 400 <= answer.status < 500 else 502
    return _form_page(
        engine,
        request,
        status,
        form=form,
        shown=shown,
        organisation_id=organisation_id,
        error=message,
        problems=problems,
    )


# --- members --------------------------------------------------------------------------------


async def _members_page(
    engine: Jinja2Templates,
    request: Request,
    services: Backends,
    token: str,
    organisation_id: str,
    status_code: int = 200,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    problems: dict[str, str] | None = None,
    confirmation: str | None = None,
) -> HTMLResponse:
    """The organisation's members and the form to invite one more (as typed, after a refusal).
    What the directory cannot say right now is left out."""
    try:
        organisation = await _organisation(services, organisation_id, token)
    except BackendUnavailableError:
        organisation = None
    members = await _members(services, organisation_id, token)
    return page(
        engine,
        request,
        "organisation_members.html",
        status_code,
        organisation_id=organisation_id,
        organisation=organisation,
        members=members,
        values=values or {"name": "", "email": ""},
        labels=INVITE_LABELS,
        error=error,
        problems=problems or {},
        confirmation=confirmation,
    )


@router.get(
    "/organisations/{organisation_id}/members", response_class=HTMLResponse, response_model=None
)
async def members_page(
    organisation_id: OrganisationId,
    request: Request,
    engine: Templates,
    services: Services,
    eingeladen: Annotated[str | None, Query(max_length=100)] = None,
    hinzugefuegt: Annotated[str | None, Query(max_length=100)] = None,
    entfernt: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """Where an invitation lands: who belongs to the organisation, and who was just invited."""
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    members = await _members(services, organisation_id, token)
    if members is None:
        try:
            me = await _me(services, token)
        except SignedOutError:
            return to_login()
        except BackendUnavailableError:
            return _unreachable(engine, request)
        if not may_edit(me, organisation_id):
            back = (f"/organisations/{organisation_id}", "Zurück zur Organisation")
            message = "Die Mitglieder sehen nur die Mitglieder der Organisation und das Büro."
            return _message(engine, request, 403, "Nicht erlaubt", message, back)
    confirmation = "Das Mitglied gehört nicht mehr dazu." if entfernt else None
    for member in members or []:
        who = (member.get("name") or member.get("email")) if isinstance(member, dict) else None
        if not who:
            continue
        if member.get("person_id") == eingeladen:
            confirmation = f"Einladung an {who} ist unterwegs."
        elif member.get("person_id") == hinzugefuegt:
            confirmation = f"{who} gehört jetzt dazu und wurde per E-Mail benachrichtigt."
    return await _members_page(
        engine, request, services, token, organisation_id, confirmation=confirmation
    )


@router.post(
    "/organisations/{organisation_id}/members/new",
    response_class=HTMLResponse,
    response_model=None,
)
async def invite_member(
    organisation_id: OrganisationId, request: Request, engine: Templates, services: Services
) -> Response:
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    posted = await request.form()
    values = {}
    for name in INVITE_LABELS:
        typed = posted.get(name)
        values[name] = typed.strip() if isinstance(typed, str) else ""
    try:
        answer = await services.post(
            "directory", f"/organisations/{organisation_id}/members", json=values, token=token
        )
    except BackendUnavailableError:
        message = (
            "Das Verzeichnis ist gerade nicht erreichbar; die Einladung ist nicht verschickt. "
            "Bitte später noch einmal absenden."
        )
        return await _members_page(
            engine, request, services, token, organisation_id, 503, values=values, error=message
        )
    if answer.status == 401:
        return to_login()
    invited = answer.body if isinstance(answer.body, dict) else {}
    person_id = str(invited.get("person_id", ""))
    if answer.ok and is_entity_id(person_id):
        said = "eingeladen" if invited.get("invitation_sent") else "hinzugefuegt"
        return RedirectResponse(
            f"/organisations/{organisation_id}/members?{said}={person_id}#mitglieder",
            status_code=303,
        )
    message, problems = invitation_refusal(answer)
    status = answer.status if 400 <= answer.status < 500 else 502
    return await _members_page(
        engine,
        request,
        services,
        token,
        organisation_id,
        status,
        values=values,
        error=message,
        problems=problems,
    )


@router.post(
    "/organisations/{organisation_id}/members/{person_id}/remove",
    response_class=HTMLResponse,
    response_model=None,
)
async def remove_member(
    organisation_id: OrganisationId,
    person_id: OrganisationId,
    request: Request,
    engine: Templates,
    services: Services,
) -> Response:
    """The "Entfernen" button in the member list: the person no longer acts for it (their
    current log-in keeps its rights until it expires, at most an hour)."""
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    back = (f"/organisations/{organisation_id}/members", "Zurück zu den Mitgliedern")
    try:
        answer = await services.call(
            "directory",
            "DELETE",
            f"/organisations/{organisation_id}/members/{person_id}",
            token=token,
        )
    except BackendUnavailableError:
        return _unreachable(engine, request)
    if answer.status == 401:
        return to_login()
    if answer.ok:
        return RedirectResponse(
            f"/organisations/{organisation_id}/members?entfernt=1#mitglieder", status_code=303
        )
    messages = {
        403: "Mitglieder entfernen dürfen nur die Mitglieder der Organisation und das Büro.",
        404: "Diese Person gehört nicht (mehr) zur Organisation.",
    }
    message = messages.get(answer.status, answer.problem_detail())
    return _message(engine, request, answer.status, "Nicht entfernt", message, back)


def field_label(field: str) -> str:
    """A field of action in German (the directory's vocabulary), for the organisation page."""
    labels = {str(key): label for key, label in FIELD_OF_ACTION_LABELS.items()}
    return labels.get(field, field)


def install_template_helpers(engine: Jinja2Templates) -> None:
    engine.env.globals["field_label"] = field_label


# --- archiving ------------------------------------------------------------------------------


@router.post(
    "/organisations/{organisation_id}/archive", response_class=HTMLResponse, response_model=None
)
async def archive_organisation(
    organisation_id: OrganisationId, request: Request, engine: Templates, services: Services
) -> Response:
    """The "Archivieren" button: the organisation has left the network; its entry stays."""
    token = session_token(request)
    if token is None:
        return RedirectResponse("/login", status_code=303)
    back = (f"/organisations/{organisation_id}", "Zurück zur Organisation")
    if (await request.form()).get("confirmed") != "yes":
        message = "Bitte bestätigen Sie, dass die Organisation archiviert werden soll."
        return _message(engine, request, 422, "Nicht archiviert", message, back)
    try:
        answer = await services.call(
            "directory", "DELETE", f"/organisations/{organisation_id}", token=token
        )
    except BackendUnavailableError:
        return _unreachable(engine, request)
    if answer.status == 401:
        return to_login()
    if answer.ok:
        return RedirectResponse(f"/organisations/{organisation_id}", status_code=303)
    messages = {403: ONLY_STAFF_ARCHIVE, 404: NO_SUCH_ORGANISATION}
    message = messages.get(answer.status, "Das hat leider nicht geklappt.")
    return _message(engine, request, answer.status, "Nicht archiviert", message, back)


# --- accepting an invitation (an existing account) ------------------------------------------

InvitationToken = Annotated[str, Query(min_length=10, max_length=200)]


@router.get("/einladung", response_class=HTMLResponse, response_model=None)
async def invitation_page(request: Request, engine: Templates, token: InvitationToken) -> Response:
    """The link in the email: signed in, one click accepts; otherwise log in first."""
    if session_token(request) is None:
        return _message(
            engine,
            request,
            200,
            "Bitte zuerst anmelden",
            "Melden Sie sich mit der Adresse an, an die die Einladung ging, und öffnen Sie den "
            "Link aus der E-Mail danach noch einmal.",
            ("/login", "Zur Anmeldung"),
        )
    return page(engine, request, "accept_invitation.html", token=token)


@router.post("/einladung", response_class=HTMLResponse, response_model=None)
async def accept_invitation(request: Request, engine: Templates, services: Services) -> Response:
    session = session_token(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    posted = await request.form()
    token = posted.get("token")
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        return _message(engine, request, 400, "Ungültiger Link", INVALID_INVITATION)
    try:
        answer = await services.post(
            "directory", "/invitations/accept", json={"token": token}, token=session
        )
    except BackendUnavailableError:
        return _unreachable(engine, request)
    if answer.status == 401:
        return to_login()
    if answer.ok and isinstance(answer.body, dict):
        name = str(answer.body.get("name", "die Organisation"))
        return _message(
            engine,
            request,
            200,
            "Einladung angenommen",
            f"Sie vertreten jetzt {name}. Melden Sie sich einmal ab und wieder an, damit Sie "
            "die Organisation auch bearbeiten können.",
            ("/me", "Zu Mein Bereich"),
        )
    if answer.status == 403:
        message = (
            "Diese Einladung gilt für ein anderes Konto. Melden Sie sich mit der Adresse an, "
            "an die sie ging."
        )
        return _message(engine, request, 403, "Anderes Konto", message)
    if answer.status == 409:
        message = "Diese Organisation ist nicht mehr aktiv: es kann niemand mehr beitreten."
        return _message(engine, request, 409, "Nicht mehr möglich", message)
    status = answer.status if 400 <= answer.status < 500 else 502
    return _message(engine, request, status, "Ungültiger Link", INVALID_INVITATION)


INVALID_INVITATION = (
    "Dieser Einladungslink ist ungültig, abgelaufen, zurückgezogen oder wurde schon benutzt. "
    "Bitten Sie die Organisation um eine neue Einladung."
)
