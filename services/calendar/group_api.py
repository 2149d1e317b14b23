"""HTTP routes of working groups: each turns a request into one call of `Groups`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.calendar.api import AskedPage, Portal
from services.calendar.group_schemas import (
    GroupCreate,
    GroupPage,
    GroupPatch,
    GroupSummary,
    GroupView,
    OrganisationRef,
)
from services.calendar.group_service import Groups
from services.calendar.groups import Group
from services.calendar.inputs import OrganisationId
from services.calendar.schemas import EventPublic
from shared.auth import CurrentUser, OptionalUser, Principal
from shared.context import current_correlation_id as correlation_id
from shared.http import state_dependency
from shared.ids import EntityId
from shared.pages import Page

GroupService = Annotated[Groups, state_dependency("groups")]
GroupId = EntityId

router = APIRouter(tags=["working groups"])

#: A use case that changes one organisation's place in a group (asked, invited, accepted, gone).
MembershipChange = Callable[[str, str, Principal, str | None], Awaitable[Group]]


async def _membership(
    change: MembershipChange, group_id: str, organisation_id: str, user: Principal
) -> GroupView:
    """One change of an organisation's membership, and the group as the caller now sees it."""
    return GroupView.shown_to(await change(group_id, organisation_id, user, correlation_id()), user)


@router.post(
    "/groups",
    status_code=status.HTTP_201_CREATED,
    summary="Found a working group (members of the coordinating organisation, or office staff)",
)
async def found_group(
    data: GroupCreate, user: CurrentUser, groups: GroupService, response: Response
) -> GroupView:
    group = await groups.found(data, user, correlation_id())
    response.headers["Location"] = f"/groups/{group.id}"
    return GroupView.shown_to(group, user)


@router.get("/groups", summary="The working groups the caller may see, by name")
async def list_groups(user: OptionalUser, groups: GroupService, paged: AskedPage) -> GroupPage:
    found, total = await groups.seen_by(user, paged)
    return GroupPage.of([GroupSummary.of(group) for group in found], total, paged)


@router.get("/groups/{group_id}", responses={404: {"description": "No such group, or unseen"}})
async def get_group(group_id: GroupId, user: OptionalUser, groups: GroupService) -> GroupView:
    return GroupView.shown_to(await groups.visible_group(group_id, user), user)


@router.patch("/groups/{group_id}", summary="Change a group (its coordinator, or office staff)")
async def change_group(
    group_id: GroupId, patch: GroupPatch, user: CurrentUser, groups: GroupService
) -> GroupView:
    return GroupView.shown_to(await groups.change(group_id, patch, user, correlation_id()), user)


@router.post(
    "/groups/{group_id}/join-requests",
    summary="An organisation asks to join (its members); the coordinator is told by email",
    responses={409: {"description": "Already a member"}},
)
async def ask_to_join(
    group_id: GroupId, body: OrganisationRef, user: CurrentUser, groups: GroupService
) -> GroupView:
    return await _membership(groups.ask_to_join, group_id, body.organisation_id, user)


@router.post(
    "/groups/{group_id}/invitations",
    summary="The coordinator invites an organisation, which is told by email",
)
async def invite(
    group_id: GroupId, body: OrganisationRef, user: CurrentUser, groups: GroupService
) -> GroupView:
    return await _membership(groups.invite, group_id, body.organisation_id, user)


@router.post(
    "/groups/{group_id}/members/{organisation_id}/accept",
    summary="Accept a request (the coordinator) or an invitation (the invited organisation)",
)
async def accept(
    group_id: GroupId, organisation_id: OrganisationId, user: CurrentUser, groups: GroupService
) -> GroupView:
    return await _membership(groups.accept, group_id, organisation_id, user)


@router.delete(
    "/groups/{group_id}/members/{organisation_id}",
    summary="An organisation leaves, or the coordinator removes it or declines it",
    responses={409: {"description": "The coordinator cannot leave"}},
)
async def remove(
    group_id: GroupId, organisation_id: OrganisationId, user: CurrentUser, groups: GroupService
) -> GroupView:
    return await _membership(groups.remove, group_id, organisation_id, user)


@router.get(
    "/groups/{group_id}/meetings",
    summary="The group's meetings: coming ones soonest first, or past ones latest first",
)
async def meetings(
    group_id: GroupId,
    user: OptionalUser,
    groups: GroupService,
    portal: Portal,
    paged: AskedPage,
    past: Annotated[bool, Query(description="The meetings that are over")] = False,
) -> Page[EventPublic]:
    found, total = await groups.meetings(group_id, user, paged, past=past)
    return Page[EventPublic].of([EventPublic.of(e, portal) for e in found], total, paged)
