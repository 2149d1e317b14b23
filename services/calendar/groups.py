"""Working groups: organisations that meet regularly on a topic, coordinated by one of them.
The group, its memberships and who may see and manage what — pure rules with `now` passed in.
No I/O here."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from shared.auth import Principal
from shared.contracts.base import Payload
from shared.contracts.calendar import (
    GroupCreated,
    GroupStatus,
    GroupUpdated,
    Visibility,
)


class GroupVisibility(StrEnum):
    """Who may see a group: the values of `Visibility`, and `office` (office staff and the
    group's own organisations only; never on the stream)."""

    PUBLIC = Visibility.PUBLIC.value
    NETWORK = Visibility.NETWORK.value
    OFFICE = "office"


#: How far each visibility reaches; an event of a group may reach no further than the group.
_REACH = {
    GroupVisibility.PUBLIC: 2,
    GroupVisibility.NETWORK: 1,
    GroupVisibility.OFFICE: 0,
}

MembershipState = Literal["member", "requested", "invited"]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Purpose = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
ContactText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_CONTACTS = 10


class GroupError(ValueError):
    """A change the group's state does not allow (answered with 409); `slug` says which."""

    def __init__(self, detail: str, slug: str) -> None:
        super().__init__(detail)
        self.slug = slug


class Contact(BaseModel):
    """Someone to talk to about the group (personal data: shown to its members and the office
    only)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: ContactText
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    role: Annotated[str, StringConstraints(max_length=200)] | None = None


class Membership(BaseModel):
    """An organisation's place in the group: a member, or asking to join, or invited."""

    model_config = ConfigDict(frozen=True)

    organisation_id: str
    state: MembershipState
    since: dt.datetime


class Group(BaseModel):
    """A working group as the calendar holds it; times in UTC."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    purpose: str = ""
    coordinator_id: str
    visibility: GroupVisibility
    status: GroupStatus = GroupStatus.ACTIVE
    contacts: list[Contact] = Field(default_factory=list)
    memberships: list[Membership] = Field(default_factory=list)
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def member_ids(self) -> list[str]:
        return [m.organisation_id for m in self.memberships if m.state == "member"]

    def state_of(self, organisation_id: str) -> MembershipState | None:
        for membership in self.memberships:
            if membership.organisation_id == organisation_id:
                return membership.state
        return None

    # who may do what ----------------------------------------------------------------------

    def may_manage(self, user: Principal | None) -> bool:
        """Office staff and members of the coordinating organisation."""
        return user is not None and user.may_edit(self.coordinator_id)

    def is_member(self, user: Principal | None) -> bool:
        """The caller belongs to a member organisation."""
        return user is not None and any(o in user.organisation_ids for o in self.member_ids)

    def concerns(self, user: Principal | None) -> bool:
        """The caller belongs to an organisation that is a member, asks to join or is
        invited."""
        ids = {m.organisation_id for m in self.memberships}
        return user is not None and bool(ids & user.organisation_ids)

    def visible_to(self, user: Principal | None) -> bool:
        if self.visibility is GroupVisibility.PUBLIC:
            return True
        if user is None:
            return False
        if self.visibility is GroupVisibility.NETWORK:
            return True
        return user.is_admin or self.concerns(user)

    def shows_contacts_to(self, user: Principal | None) -> bool:
        return user is not None and (user.is_admin or self.is_member(user))

    def reads_documents(self, user: Principal | None) -> bool:
        """Members of member organisations, the coordinator's members and the office."""
        return self.may_manage(user) or self.is_member(user)

    def allows_event_visibility(self, visibility: Visibility) -> bool:
        """An event of the group reaches no further than the group; a meeting of an office
        group is a network event (the narrowest an event has)."""
        reach = max(_REACH[self.visibility], _REACH[GroupVisibility.NETWORK])
        return _REACH[GroupVisibility(visibility.value)] <= reach


# --- transitions --------------------------------------------------------------------------


def facts_message(group: Group, created: bool) -> list[Payload]:
    """What the stream is told: public and network groups only, never their contacts."""
    if group.visibility is GroupVisibility.OFFICE:
        return []
    kind = GroupCreated if created else GroupUpdated
    return [
        kind(
            group_id=group.id,
            name=group.name,
            purpose=group.purpose,
            coordinator_id=group.coordinator_id,
            member_ids=group.member_ids,
            visibility=Visibility(group.visibility.value),
            status=group.status,
            updated_at=group.updated_at,
        )
    ]


def found_group(
    group_id: str,
    name: str,
    purpose: str,
    coordinator_id: str,
    visibility: GroupVisibility,
    contacts: list[Contact],
    now: dt.datetime,
) -> Group:
    """A new group; its coordinator is its first member."""
    return Group(
        id=group_id,
        name=name,
        purpose=purpose,
        coordinator_id=coordinator_id,
        visibility=visibility,
        contacts=contacts,
        memberships=[Membership(organisation_id=coordinator_id, state="member", since=now)],
        created_at=now,
        updated_at=now,
    )


def _with_state(
    group: Group, organisation_id: str, state: MembershipState, now: dt.datetime
) -> Group:
    kept = [m for m in group.memberships if m.organisation_id != organisation_id]
    entry = Membership(organisation_id=organisation_id, state=state, since=now)
    return group.model_copy(update={"memberships": [*kept, entry], "updated_at": now})


def _require_active(group: Group) -> None:
    if group.status is GroupStatus.ARCHIVED:
        raise GroupError("The group is archived.", "group-archived")


def _reach_out(
    group: Group,
    organisation_id: str,
    now: dt.datetime,
    state: MembershipState,
    answer: MembershipState,
) -> Group:
    """One side reaches out (`state`); if the other side already did (`answer`), the
    organisation is a member at once. Reaching out again changes nothing (the same group)."""
    _require_active(group)
    current = group.state_of(organisation_id)
    if current == "member":
        raise GroupError("The organisation is already a member of the group.", "already-member")
    if current == state:
        return group
    return _with_state(group, organisation_id, "member" if current == answer else state, now)


def ask_to_join(group: Group, organisation_id: str, now: dt.datetime) -> Group:
    """The organisation asks to join; an invited organisation asking becomes a member."""
    return _reach_out(group, organisation_id, now, "requested", "invited")


def invite(group: Group, organisation_id: str, now: dt.datetime) -> Group:
    """The coordinator invites an organisation; an organisation that asked becomes a member."""
    return _reach_out(group, organisation_id, now, "invited", "requested")


def accept(group: Group, organisation_id: str, now: dt.datetime) -> Group:
    """A request or an invitation is accepted: the organisation becomes a member."""
    _require_active(group)
    state = group.state_of(organisation_id)
    if state is None:
        raise LookupError("The organisation neither asked to join nor is invited.")
    if state == "member":
        return group
    return _with_state(group, organisation_id, "member", now)


def remove(group: Group, organisation_id: str, now: dt.datetime) -> Group:
    """The organisation leaves, or its request or invitation is declined."""
    if organisation_id == group.coordinator_id:
        raise GroupError(
            "The coordinating organisation cannot leave its group; archive the group instead.",
            "coordinator-cannot-leave",
        )
    if group.state_of(organisation_id) is None:
        raise LookupError("The organisation is not in the group.")
    kept = [m for m in group.memberships if m.organisation_id != organisation_id]
    return group.model_copy(update={"memberships": kept, "updated_at": now})
