"""`/arbeitsgruppen`: the working groups of the network, each with its purpose, coordinator,
member organisations, contact people (to its members and the office), coming and past
meetings; members ask to join for their organisation, the coordinating organisation accepts or
declines, invites, plans meetings and changes the group. The calendar decides who sees and may
do what; the page offers what the calendar says the reader may do (`may_manage`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from services.portal import browse, forms, labels
from services.portal.clients.base import Problem, optional, unless_refused
from services.portal.clients.calendar import MEMBERSHIP_ACTIONS, Group
from services.portal.clients.directory import Person
from services.portal.concept_pages import organisation_names
from services.portal.group_forms import BACK_TO_GROUPS
from services.portal.i18n import _
from services.portal.pages import signed_in_person
from services.portal.refusals import NO_SUCH_GROUP
from services.portal.web import EntityPath, Portal, PortalRequest, SignedIn, see
from shared.ids import is_entity_id

router = APIRouter(default_response_class=HTMLResponse)
Named = list[tuple[str, str]]


@dataclass
class GroupView:
    """A group as its page shows it to the reader: the organisations by name, and what the
    reader may do for which of their organisations."""

    group: Group
    names: dict[str, str]
    #: The reader's organisations that may ask to join (none of them in the group as shown).
    may_ask: Named = field(default_factory=list)
    #: The reader's organisations the group has invited.
    invited_mine: Named = field(default_factory=list)
    #: The reader's member organisations that may leave (all but the coordinator).
    may_leave: Named = field(default_factory=list)
    #: Managers: the organisations of the network not yet in the group, to invite.
    may_invite: Named = field(default_factory=list)

    @classmethod
    def of(cls, group: Group, me: Person | None, names: dict[str, str]) -> GroupView:
        named = {**names, **{o.id: o.name for o in me.organisations}} if me else dict(names)
        view = cls(group, named)
        if me is None or group.status != "active":
            return view
        states = {m.organisation_id: m.state for m in group.members}
        for organisation in me.organisations:
            entry = (organisation.id, organisation.name)
            state = states.get(organisation.id)
            if state is None:
                view.may_ask.append(entry)
            elif state == "invited":
                view.invited_mine.append(entry)
            elif state == "member" and organisation.id != group.coordinator_id:
                view.may_leave.append(entry)
        if group.may_manage:
            others = [(id_, name) for id_, name in names.items() if id_ not in states]
            view.may_invite = sorted(others, key=lambda entry: entry[1].casefold())
        return view

    def name(self, organisation_id: str) -> str:
        return self.names.get(organisation_id) or _("eine Organisation")

    @property
    def members(self) -> list[str]:
        """The member organisations, the coordinator first."""
        ids = self.group.in_state("member")
        return sorted(ids, key=lambda id_: (id_ != self.group.coordinator_id, self.name(id_)))

    @property
    def requested(self) -> list[str]:
        return self.group.in_state("requested")

    @property
    def invited(self) -> list[str]:
        return self.group.in_state("invited")


def _back(group_id: str) -> tuple[str, str]:
    return (f"/arbeitsgruppen/{group_id}", _("Zurück zur Arbeitsgruppe"))


@router.get("/arbeitsgruppen")
async def groups_page(portal: Portal) -> HTMLResponse:
    listed = browse.Listed.read(portal, "/arbeitsgruppen", {})
    if isinstance(listed, HTMLResponse):
        return listed
    found, names, me = await asyncio.gather(
        portal.calendar.groups(portal.token, **listed.paging),
        organisation_names(portal),
        signed_in_person(portal),  # members are offered to found a group
    )
    return listed.page(
        portal,
        "groups/list.html",
        found.total,
        groups=found,
        names=names,
        may_found=me is not None and bool(me.organisations or me.is_admin),
        visibilities=labels.GROUP_VISIBILITIES,
        statuses=labels.GROUP_STATUSES,
    )


@router.get("/arbeitsgruppen/{group_id}")
async def group_page(group_id: EntityPath, portal: Portal) -> HTMLResponse:
    token = portal.token
    group = await unless_refused(portal.calendar.group(group_id, token))
    if group is None:
        return portal.not_found(NO_SUCH_GROUP, BACK_TO_GROUPS)
    coming, past, names, me = await asyncio.gather(
        optional(portal.calendar.meetings(group_id, token)),
        optional(portal.calendar.meetings(group_id, token, past=True)),
        organisation_names(portal),
        signed_in_person(portal),
    )
    return portal.page(
        "groups/group.html",
        view=GroupView.of(group, me, names),
        group=group,
        coming=coming,
        past=past,
        visibilities=labels.GROUP_VISIBILITIES,
        statuses=labels.GROUP_STATUSES,
    )


async def _asked_organisation(portal: PortalRequest) -> tuple[str, str]:
    """The organisation a membership form names ("" for none that can be one), and the
    action it asks for."""
    form = await portal.form()
    organisation_id = forms.text_of(form, "organisation_id", strip=True)
    action = forms.text_of(form, "action")
    return (organisation_id if is_entity_id(organisation_id) else "", action)


def _incomplete(portal: PortalRequest, group_id: str) -> HTMLResponse:
    return portal.message(
        422,
        title=_("Ungültige Eingabe"),
        message=_("Bitte wählen Sie eine Organisation."),
        link=_back(group_id),
    )


async def _refused_or(
    portal: PortalRequest, group_id: str, action: str, call: Awaitable[object]
) -> HTMLResponse | None:
    """None when the calendar did it; else the page saying why not."""
    try:
        await call
    except Problem as problem:
        return portal.refused(problem, action, title=_("Nicht möglich"), link=_back(group_id))
    return None


@router.post("/arbeitsgruppen/{group_id}/beitreten")
async def ask_to_join(group_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    """Asks to join for an organisation; one the group had invited is a member at once."""
    organisation_id, _action = await _asked_organisation(portal)
    if not organisation_id:
        return _incomplete(portal, group_id)
    try:
        group = await portal.calendar.ask_to_join(group_id, organisation_id, session.token)
    except Problem as problem:
        return portal.refused(problem, "group.join", title=_("Nicht möglich"), link=_back(group_id))
    if organisation_id in group.in_state("member"):
        return see(f"/arbeitsgruppen/{group_id}#mitglieder")
    return portal.message(
        title=_("Beitritt angefragt"),
        message=_(
            "Die koordinierende Organisation bekommt eine E-Mail und entscheidet über Ihre "
            "Anfrage. Sobald sie zustimmt, gehört Ihre Organisation zur Arbeitsgruppe und "
            "bekommt die Einladungen zu den Treffen."
        ),
        link=_back(group_id),
    )


@router.post("/arbeitsgruppen/{group_id}/einladen")
async def invite(group_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    organisation_id, _action = await _asked_organisation(portal)
    if not organisation_id:
        return _incomplete(portal, group_id)
    call = portal.calendar.invite_to_group(group_id, organisation_id, session.token)
    refused = await _refused_or(portal, group_id, "group.invite", call)
    return refused or see(f"/arbeitsgruppen/{group_id}#anfragen")


@router.post("/arbeitsgruppen/{group_id}/mitglieder")
async def answer_membership(group_id: EntityPath, portal: Portal, session: SignedIn) -> Response:
    """Accept a request or an invitation, decline one, leave, or remove a member."""
    organisation_id, action = await _asked_organisation(portal)
    if not organisation_id or action not in MEMBERSHIP_ACTIONS:
        return _incomplete(portal, group_id)
    call = portal.calendar.answer_membership(group_id, organisation_id, action, session.token)
    refused = await _refused_or(portal, group_id, "group.membership", call)
    return refused or see(f"/arbeitsgruppen/{group_id}#mitglieder")
