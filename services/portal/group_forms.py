"""Founding a working group and changing it: name, purpose, the coordinating organisation,
who sees it, its contact people (shown to its members and the office only) and, once founded,
whether it is still active. The calendar judges (see `forms` for how a form answers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.portal import forms, labels, refusals
from services.portal.clients.base import Problem, unless_refused
from services.portal.clients.calendar import Group
from services.portal.i18n import N_, Labels, _
from services.portal.members import ActingFor, Choices, choices_again
from services.portal.web import EntityPath, Portal, PortalRequest, SignedIn, see

router = APIRouter(default_response_class=HTMLResponse)

#: The calendar takes at most this many contact people per group.
MOST_CONTACTS = 10
#: The form's fields, named as in the calendar's group, in the order of the form.
FIELD_LABELS = Labels(
    {
        "name": N_("Name der Arbeitsgruppe"),
        "purpose": N_("Wozu die Gruppe da ist"),
        "coordinator_id": N_("Koordinierende Organisation"),
        "visibility": N_("Wer sieht die Gruppe?"),
        "status": N_("Status"),
        "contacts": N_("Ansprechpersonen"),
    }
)
#: What a field must hold, said when the calendar refuses it.
FIELD_HINTS = Labels(
    {
        "name": N_("Bitte 1 bis 200 Zeichen."),
        "purpose": N_("Höchstens 4000 Zeichen."),
        "coordinator_id": N_("Bitte wählen Sie eine Ihrer Organisationen."),
        "visibility": N_("Bitte wählen Sie, wer die Gruppe sieht."),
        "status": N_("Bitte wählen Sie aktiv oder archiviert."),
        "contacts": N_(
            "Jede Ansprechperson braucht einen Namen; die E-Mail-Adresse muss gültig sein "
            "(höchstens 10 Personen)."
        ),
    }
)
BACK_TO_GROUPS = ("/arbeitsgruppen", N_("Zu den Arbeitsgruppen"))


@dataclass
class ContactRow:
    """One contact person as typed (each field may be empty)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    role: str = ""

    @property
    def blank(self) -> bool:
        return not (self.name or self.email or self.phone or self.role)

    def calendar_body(self) -> dict[str, str]:
        """The calendar's contact: its name, and what else was filled in."""
        optional = {"email": self.email, "phone": self.phone, "role": self.role}
        return {"name": self.name, **{key: value for key, value in optional.items() if value}}


def contacts_of(form: FormData) -> list[ContactRow]:
    """The contact rows that were filled in (`contacts.{i}.name`, `.email`, `.phone`,
    `.role`), in the order of the form."""
    rows = [
        forms.read_form(ContactRow, form, prefix=f"contacts.{index}.")
        for index in range(MOST_CONTACTS)
    ]
    return [row for row in rows if not row.blank]


@dataclass
class GroupForm:
    """What was typed into the group form, kept as typed so it can be shown again."""

    name: str = ""
    purpose: str = ""
    coordinator_id: str = ""
    visibility: str = "network"
    status: str = "active"
    contacts: list[ContactRow] = field(default_factory=list)

    @classmethod
    def of(cls, form: FormData) -> GroupForm:
        return forms.read_form(cls, form, contacts=contacts_of(form))

    @classmethod
    def of_group(cls, group: Group) -> GroupForm:
        """The form filled in with a group as the calendar shows it to a manager."""
        return cls(
            name=group.name,
            purpose=group.purpose,
            coordinator_id=group.coordinator_id,
            visibility=group.visibility,
            status=group.status,
            contacts=[
                ContactRow(c.name, c.email or "", c.phone or "", c.role or "")
                for c in group.contacts
            ],
        )

    @property
    def contact_rows(self) -> list[ContactRow]:
        """The rows the form shows: those typed and room for two more (at most 10)."""
        return [*self.contacts, ContactRow(), ContactRow()][:MOST_CONTACTS]

    def calendar_body(self, *, founding: bool) -> dict[str, Any]:
        """The body of the calendar's POST /groups (`founding`) or PATCH /groups/{id}."""
        body: dict[str, Any] = {
            "name": self.name,
            "purpose": self.purpose,
            "visibility": self.visibility,
            "contacts": [row.calendar_body() for row in self.contacts],
        }
        if founding:
            body["coordinator_id"] = self.coordinator_id
        else:
            body["status"] = self.status
        return body


def group_refusal(problem: Problem, *, founding: bool) -> tuple[str, dict[str, str]]:
    """The message for a 4xx of the calendar on founding or changing a group, and the fields
    concerned."""
    action = "group.found" if founding else "group.change"
    said = problem.generic in ("forbidden", "not-found") or refusals.knows(action, problem)
    problems = forms.field_problems(problem, FIELD_HINTS, rules_in_messages=True)
    return forms.refused_fields(action, problem, problems, FIELD_LABELS, said=said)


# --- pages ----------------------------------------------------------------------------------


def _form_page(
    portal: PortalRequest,
    *,
    form: GroupForm,
    choices: Choices | None = None,
    group_id: str | None = None,
    refused: forms.Refused | None = None,
) -> HTMLResponse:
    """The form to found a group (with the organisations to choose from), or, with its id,
    to change it."""
    return forms.form_page(
        portal,
        "groups/form.html",
        refused,
        form=form,
        choices=choices,
        group_id=group_id,
        visibilities=labels.GROUP_VISIBILITIES,
        statuses=labels.GROUP_STATUSES,
        labels=FIELD_LABELS,
    )


@router.get("/arbeitsgruppen/neu")
async def new_group_form(portal: Portal, acting: ActingFor) -> Response:
    form = GroupForm(coordinator_id=acting.choices.preselect(acting.named))
    return _form_page(portal, form=form, choices=acting.choices)


@router.post("/arbeitsgruppen/neu")
async def found_group(portal: Portal, session: SignedIn) -> Response:
    form = GroupForm.of(await portal.form())
    outcome = await forms.submit(
        portal.calendar.found_group(form.calendar_body(founding=True), session.token),
        unreachable=labels.unreachable_form_kept("calendar"),
        refusal=lambda problem: group_refusal(problem, founding=True),
    )
    if isinstance(outcome, forms.Refused):
        choices = await choices_again(session, form.coordinator_id)
        return _form_page(portal, form=form, choices=choices, refused=outcome)
    return see(f"/arbeitsgruppen/{outcome.id}")


async def managed_group(portal: PortalRequest, group_id: str, token: str) -> Group | HTMLResponse:
    """The group, if the signed-in person manages it; else the page that says why not."""
    group = await unless_refused(portal.calendar.group(group_id, token))
    if group is None:
        return portal.not_found(refusals.NO_SUCH_GROUP, BACK_TO_GROUPS)
    if not group.may_manage:
        back = (f"/arbeitsgruppen/{group_id}", _("Zurück zur Arbeitsgruppe"))
        return portal.message(
            403, title=_("Nicht erlaubt"), message=refusals.ONLY_COORDINATORS, link=back
        )
    return group


@router.get("/arbeitsgruppen/{group_id}/bearbeiten")
async def edit_group_form(group_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    group = await managed_group(portal, group_id, session.token)
    if isinstance(group, HTMLResponse):
        return group
    return _form_page(portal, form=GroupForm.of_group(group), group_id=group_id)


@router.post("/arbeitsgruppen/{group_id}/bearbeiten")
async def change_group(group_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    form = GroupForm.of(await portal.form())
    outcome = await forms.submit(
        portal.calendar.change_group(group_id, form.calendar_body(founding=False), session.token),
        unreachable=labels.unreachable_form_kept("calendar"),
        refusal=lambda problem: group_refusal(problem, founding=False),
    )
    if isinstance(outcome, forms.Refused):
        return _form_page(portal, form=form, group_id=group_id, refused=outcome)
    return see(f"/arbeitsgruppen/{group_id}")
