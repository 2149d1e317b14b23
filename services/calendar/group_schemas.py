"""What the working groups' HTTP API accepts and answers. Contacts (personal data) are shown to
members of member organisations and office staff only; requests and invitations only to those
who manage the group."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.calendar.groups import (
    MAX_CONTACTS,
    Contact,
    Group,
    GroupVisibility,
    MembershipState,
    Name,
    Purpose,
)
from services.calendar.inputs import OrganisationId
from services.calendar.schemas import BerlinTime
from shared.auth import Principal
from shared.contracts.calendar import GroupStatus
from shared.pages import Page
from shared.views import View


class GroupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(examples=["Netzwerk der migrantischen Communitys"])
    purpose: Purpose = ""
    coordinator_id: OrganisationId = Field(description="The coordinating organisation.")
    visibility: GroupVisibility = Field(
        GroupVisibility.NETWORK,
        description="`public`, `network` (signed-in partners) or `office` (office staff and the "
        "group's own organisations).",
    )
    contacts: list[Contact] = Field(default_factory=list, max_length=MAX_CONTACTS)


class GroupPatch(BaseModel):
    """A partial change: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    purpose: Purpose | None = None
    visibility: GroupVisibility | None = None
    contacts: list[Contact] | None = Field(None, max_length=MAX_CONTACTS)
    status: GroupStatus | None = None


class OrganisationRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: OrganisationId


class GroupSummary(View):
    id: str
    name: str
    purpose: str
    coordinator_id: str
    visibility: GroupVisibility
    status: GroupStatus
    member_count: int

    @classmethod
    def of(cls, group: Group) -> GroupSummary:
        return cls.read(group, member_count=len(group.member_ids))


GroupPage = Page[GroupSummary]


class MemberView(View):
    organisation_id: str
    state: MembershipState
    since: BerlinTime


class GroupView(GroupSummary):
    members: list[MemberView] = Field(
        description="Members; organisations asking to join or invited only for those who "
        "manage the group."
    )
    contacts: list[Contact] = Field(
        description="Only for members of member organisations and office staff, else empty."
    )
    may_manage: bool = Field(description="The caller coordinates the group (or is office staff).")
    is_member: bool = Field(description="The caller belongs to a member organisation.")
    created_at: BerlinTime
    updated_at: BerlinTime

    @classmethod
    def shown_to(cls, group: Group, user: Principal | None) -> GroupView:
        manages = group.may_manage(user)
        members = [MemberView.read(m) for m in group.memberships if manages or m.state == "member"]
        return cls.read(
            group,
            member_count=len(group.member_ids),
            members=members,
            contacts=group.contacts if group.shows_contacts_to(user) else [],
            may_manage=manages,
            is_member=group.is_member(user),
        )
