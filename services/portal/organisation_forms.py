"""The office's and the members' side of an organisation's entry in the portal: registering a
partner organisation, changing its entry, and archiving it when it leaves. The directory judges
(see `forms` for how a form answers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.portal import forms, labels, refusals
from services.portal.clients.base import Problem
from services.portal.clients.directory import Organisation
from services.portal.i18n import N_, Labels, _
from services.portal.web import EntityPath, Portal, PortalRequest, SignedIn, see

router = APIRouter(default_response_class=HTMLResponse)

#: The form's fields, named as in the directory's `OrganisationCreate`, in the order of the form.
FIELD_LABELS = Labels(
    {
        "name": N_("Name"),
        "kind": N_("Art der Organisation"),
        "description": N_("Beschreibung"),
        "languages": N_("Sprachen"),
        "communities": N_("Communities"),
        "fields": N_("Handlungsfelder"),
        "district": N_("Stadtteil"),
        "address": N_("Adresse"),
        "website": N_("Website"),
        "email": N_("Kontakt-E-Mail"),
        "phone": N_("Telefon"),
        "preferred_language": N_("Bevorzugte Sprache"),
    }
)
#: What a field must hold, said when the directory refuses it.
FIELD_HINTS = Labels(
    {
        "name": N_("Bitte 2 bis 200 Zeichen."),
        "kind": N_("Bitte wählen Sie die Art der Organisation."),
        "description": N_("Höchstens 5000 Zeichen."),
        "languages": N_("Sprachkürzel wie de, uk oder ar, durch Komma getrennt (höchstens 30)."),
        "communities": N_("Höchstens 30 Angaben mit je bis zu 100 Zeichen, durch Komma getrennt."),
        "fields": N_("Bitte nur Handlungsfelder aus der Liste wählen."),
        "district": N_("Höchstens 100 Zeichen."),
        "address": N_("Höchstens 300 Zeichen."),
        "website": N_("Eine Webadresse wie https://www.verein-beispiel.de."),
        "email": N_("Eine gültige E-Mail-Adresse wie info@verein-beispiel.de."),
        "phone": N_("Ziffern, Leerzeichen und + ( ) / -, 4 bis 30 Zeichen."),
        "preferred_language": N_("Bitte wählen Sie eine Sprache."),
    }
)
#: Optional text the directory clears with null; the other fields are never null.
OPTIONAL_TEXT = ("district", "address", "website", "email", "phone")
BACK_TO_LIST = ("/organisations", N_("Zu den Organisationen"))


def back_to(organisation_id: str) -> tuple[str, str]:
    return (f"/organisations/{organisation_id}", _("Zurück zur Organisation"))


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
        return forms.read_form(cls, form, prefix=prefix, strip=False, defaults=False)

    @classmethod
    def of_organisation(cls, organisation: Organisation) -> OrganisationForm:
        """The form filled in with an organisation as the directory shows it."""
        return cls(
            name=organisation.name,
            kind=organisation.kind,
            description=organisation.description,
            languages=", ".join(organisation.languages),
            communities=", ".join(organisation.communities),
            fields=list(organisation.fields),
            district=organisation.district or "",
            address=organisation.address or "",
            website=organisation.website or "",
            email=organisation.email or "",
            phone=organisation.phone or "",
            preferred_language=organisation.preferred_language or "de",
        )

    def directory_fields(self) -> dict[str, Any]:
        """Every field as the directory's JSON; an emptied optional field is null."""
        values: dict[str, Any] = {
            "name": self.name.strip(),
            "kind": self.kind.strip(),
            "description": self.description.strip(),
            "languages": forms.languages_of(self.languages),
            "communities": forms.split_list(self.communities),
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


def organisation_refusal(
    problem: Problem, form: OrganisationForm, *, creating: bool
) -> tuple[str, dict[str, str]]:
    """The German message for a 4xx of the directory on registering or changing an
    organisation, and the fields concerned (`cannot-clear` names them in `fields`)."""
    action = "organisation.register" if creating else "organisation.change"
    problems = forms.field_problems(
        problem,
        FIELD_HINTS,
        typed_languages=forms.languages_of(form.languages),
        fields_say=_("Darf nicht leer sein."),
    )
    said = problem.generic in ("forbidden", "not-found")
    return forms.refused_fields(action, problem, problems, FIELD_LABELS, said=said)


# --- pages ----------------------------------------------------------------------------------


def _form_page(
    portal: PortalRequest,
    *,
    form: OrganisationForm,
    organisation_id: str | None = None,
    shown: OrganisationForm | None = None,
    refused: forms.Refused | None = None,
) -> HTMLResponse:
    """The form to register an organisation, or, with its id, to change it."""
    languages = dict(labels.PREFERRED_LANGUAGES)
    for chosen in (form.preferred_language, shown.preferred_language if shown else ""):
        if chosen and chosen not in languages:
            languages[chosen] = chosen
    return forms.form_page(
        portal,
        "organisation_form.html",
        refused,
        form=form,
        shown=shown,
        organisation_id=organisation_id,
        kinds=labels.ORGANISATION_KINDS,
        fields_of_action=labels.FIELDS_OF_ACTION,
        preferred_languages=languages,
        labels=FIELD_LABELS,
    )


def _not_allowed(portal: PortalRequest, message: str, link: tuple[str, str]) -> HTMLResponse:
    return portal.message(403, title=_("Nicht erlaubt"), message=message, link=link)


@router.get("/organisations/new")
async def new_organisation_form(portal: Portal, session: SignedIn) -> Response:
    if not (await session.person()).is_admin:
        return _not_allowed(portal, refusals.ONLY_STAFF_REGISTER, BACK_TO_LIST)
    return _form_page(portal, form=OrganisationForm())


@router.post("/organisations/new")
async def register_organisation(portal: Portal, session: SignedIn) -> Response:
    form = OrganisationForm.of(await portal.form())
    outcome = await forms.submit(
        portal.directory.register(form.create_body(), session.token),
        unreachable=labels.unreachable_form_kept("directory"),
        refusal=lambda problem: organisation_refusal(problem, form, creating=True),
    )
    if isinstance(outcome, forms.Refused):
        return _form_page(portal, form=form, refused=outcome)
    return see(f"/organisations/{outcome.id}")


@router.get("/organisations/{organisation_id}/edit")
async def edit_organisation_form(
    organisation_id: EntityPath,
    portal: Portal,
    session: SignedIn,
) -> Response:
    me = await session.person()
    try:
        organisation = await portal.directory.organisation(organisation_id, session.token)
    except Problem:
        return portal.not_found(refusals.NO_SUCH_ORGANISATION, BACK_TO_LIST)
    back = back_to(organisation_id)
    if not me.may_act_for(organisation_id):
        return _not_allowed(portal, refusals.ONLY_MEMBERS_EDIT, back)
    if organisation.status != "active":
        return portal.message(
            409, title=_("Nicht mehr aktiv"), message=refusals.NOT_ACTIVE, link=back
        )
    shown = OrganisationForm.of_organisation(organisation)
    return _form_page(portal, form=shown, shown=shown, organisation_id=organisation_id)


@router.post("/organisations/{organisation_id}/edit")
async def change_organisation(
    organisation_id: EntityPath,
    portal: Portal,
    session: SignedIn,
) -> Response:
    posted = await portal.form()
    form = OrganisationForm.of(posted)
    shown = OrganisationForm.of(posted, "shown.") if "shown.name" in posted else None
    outcome = await forms.submit(
        portal.directory.change(organisation_id, form.patch_body(shown), session.token),
        unreachable=labels.unreachable_form_kept("directory"),
        refusal=lambda problem: organisation_refusal(problem, form, creating=False),
    )
    if isinstance(outcome, forms.Refused):
        return _form_page(
            portal, form=form, shown=shown, organisation_id=organisation_id, refused=outcome
        )
    return see(f"/organisations/{organisation_id}")


@router.post("/organisations/{organisation_id}/archive")
async def archive_organisation(
    organisation_id: EntityPath,
    portal: Portal,
    session: SignedIn,
) -> Response:
    """The "Archivieren" button: the organisation has left the network; its entry stays."""
    back = back_to(organisation_id)
    if (await portal.form()).get("confirmed") != "yes":
        message = _("Bitte bestätigen Sie, dass die Organisation archiviert werden soll.")
        return portal.message(422, title=_("Nicht archiviert"), message=message, link=back)
    try:
        await portal.directory.archive(organisation_id, session.token)
    except Problem as problem:
        return portal.refused(
            problem, "organisation.archive", title=_("Nicht archiviert"), link=back
        )
    return see(f"/organisations/{organisation_id}")
