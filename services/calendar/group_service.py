"""The use cases of working groups: founding and changing a group, organisations asking to
join, being invited, accepted and leaving (each telling whom it concerns by email), the group's
meetings, and the rules an event must keep to be a group's meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence

from services.calendar import groups as rules
from services.calendar.domain import Event
from services.calendar.group_repository import GroupRepository
from services.calendar.group_schemas import GroupCreate, GroupPatch
from services.calendar.groups import Group, GroupError
from services.calendar.meetings import MeetingNotices
from shared.auth import Principal
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.contracts.calendar import GroupStatus
from shared.contracts.notifier import EmailTemplate, SendEmail
from shared.errors import ConflictError, ForbiddenError, NotFoundError, RejectedError
from shared.ids import new_id
from shared.outbox import ConcurrentUpdateError
from shared.pages import Paging

#: Checks that organisations are known to the calendar and active (`Calendar.require_active`).
RequireActive = Callable[[Sequence[str]], Awaitable[None]]
#: A change of a group: the changed group and the emails it causes.
Change = Callable[[Group], Awaitable[tuple[Group, list[SendEmail]]]]


def group_not_found() -> NotFoundError:
    return NotFoundError("No working group with this id.", slug="group-not-found")


def _forbidden(detail: str) -> ForbiddenError:
    return ForbiddenError(detail, slug="forbidden")


def _public_facts(group: Group) -> tuple[object, ...]:
    return (
        group.name,
        group.purpose,
        group.member_ids,
        group.visibility,
        group.status,
    )


class Groups:
    def __init__(
        self,
        store: GroupRepository,
        notices: MeetingNotices,
        require_active: RequireActive,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.clock = clock
        self.store = store
        self.notices = notices
        self.mail = notices.mail
        self.require_active = require_active

    # reading -----------------------------------------------------------------------------

    async def members_of(self, group_id: str) -> frozenset[str]:
        """The member organisations of a group (the coordinator among them); none for a group
        the calendar does not hold. Registrations for a group's meetings ask this."""
        group = await self.store.get_group(group_id)
        return frozenset(group.member_ids) if group is not None else frozenset()

    async def name_of(self, group_id: str) -> str | None:
        group = await self.store.get_group(group_id)
        return group.name if group is not None else None

    async def visible_group(self, group_id: str, user: Principal | None) -> Group:
        group = await self.store.get_group(group_id)
        if group is None or not group.visible_to(user):
            raise group_not_found()
        return group

    async def seen_by(self, user: Principal | None, paging: Paging) -> tuple[list[Group], int]:
        return await self.store.groups_seen_by(user, paging)

    async def meetings(
        self, group_id: str, user: Principal | None, paging: Paging, *, past: bool = False
    ) -> tuple[list[Event], int]:
        group = await self.visible_group(group_id, user)
        meetings, total = await self.store.meetings_of(group.id, self.clock(), paging, past=past)
        return meetings, total

    # founding and changing ---------------------------------------------------------------

    async def found(self, data: GroupCreate, user: Principal, correlation_id: str | None) -> Group:
        if not user.may_edit(data.coordinator_id):
            raise _forbidden("Only members of the coordinating organisation may found the group.")
        await self.require_active([data.coordinator_id])
        group = rules.found_group(
            new_id(),
            data.name,
            data.purpose,
            data.coordinator_id,
            data.visibility,
            list(data.contacts),
            self.clock(),
        )
        await self.store.add_group(group, rules.facts_message(group, True), correlation_id)
        return group

    async def change(
        self, group_id: str, patch: GroupPatch, user: Principal, correlation_id: str | None
    ) -> Group:
        async def apply(group: Group) -> tuple[Group, list[SendEmail]]:
            self._require_manager(group, user)
            update = {name: getattr(patch, name) for name in patch.model_fields_set}
            if any(value is None for value in update.values()):
                raise RejectedError("Fields of a group cannot be cleared.", slug="invalid-group")
            changed = group.model_copy(update=update)
            if changed == group:
                return group, []
            return changed.model_copy(update={"updated_at": self.clock()}), []

        return await self._write(group_id, user, apply, correlation_id)

    # membership --------------------------------------------------------------------------

    async def ask_to_join(
        self, group_id: str, organisation_id: str, user: Principal, correlation_id: str | None
    ) -> Group:
        """An organisation asks to join; the coordinator is told by email."""
        if not user.may_edit(organisation_id):
            raise _forbidden("Only members of the organisation may ask for it to join.")
        await self.require_active([organisation_id])

        async def apply(group: Group) -> tuple[Group, list[SendEmail]]:
            changed = rules.ask_to_join(group, organisation_id, self.clock())
            if changed.state_of(organisation_id) == "member":
                return changed, await self._joined(changed, organisation_id)
            if changed is group:
                return group, []
            return changed, await self._tell_coordinator(changed, organisation_id)

        return await self._write(group_id, user, apply, correlation_id)

    async def invite(
        self, group_id: str, organisation_id: str, user: Principal, correlation_id: str | None
    ) -> Group:
        """The coordinator invites an organisation, which is told by email."""
        await self.require_active([organisation_id])

        async def apply(group: Group) -> tuple[Group, list[SendEmail]]:
            self._require_manager(group, user)
            changed = rules.invite(group, organisation_id, self.clock())
            if changed is group:
                return group, []
            if changed.state_of(organisation_id) == "member":
                return changed, await self._joined(changed, organisation_id)
            return changed, await self._tell_invited(changed, organisation_id)

        return await self._write(group_id, user, apply, correlation_id)

    async def accept(
        self, group_id: str, organisation_id: str, user: Principal, correlation_id: str | None
    ) -> Group:
        """A request is accepted by the coordinator, an invitation by the invited
        organisation; the new member gets the group's coming meetings."""

        async def apply(group: Group) -> tuple[Group, list[SendEmail]]:
            state = group.state_of(organisation_id)
            if state == "requested":
                self._require_manager(group, user)
            elif state == "invited" and not user.may_edit(organisation_id):
                raise _forbidden("Only members of the invited organisation may accept.")
            elif state == "member" and not (
                group.may_manage(user) or user.may_edit(organisation_id)
            ):
                raise _forbidden("Only the organisation itself or the coordinator may do this.")
            changed = rules.accept(group, organisation_id, self.clock())
            if changed is group:
                return group, []
            return changed, await self._joined(changed, organisation_id)

        return await self._write(group_id, user, apply, correlation_id)

    async def remove(
        self, group_id: str, organisation_id: str, user: Principal, correlation_id: str | None
    ) -> Group:
        """The organisation leaves, or the coordinator removes it or declines its request; a
        member that leaves gets its coming meetings cancelled."""

        async def apply(group: Group) -> tuple[Group, list[SendEmail]]:
            if not (user.may_edit(organisation_id) or group.may_manage(user)):
                raise _forbidden("Only the organisation itself or the coordinator may do this.")
            was_member = group.state_of(organisation_id) == "member"
            changed = rules.remove(group, organisation_id, self.clock())
            if not was_member:
                return changed, []
            coming = await self.store.coming_meetings(group.id, self.clock())
            emails = await self.notices.emails_for(
                EmailTemplate.MEETING_CANCELLED, changed, coming, [organisation_id]
            )
            return changed, emails

        return await self._write(group_id, user, apply, correlation_id)

    # meetings ----------------------------------------------------------------------------

    async def check_meeting(self, before: Event | None, after: Event, user: Principal) -> None:
        """An event of a group is planned by the group's coordinator, by those who manage the
        group, and reaches no further than the group. A meeting stays its group's meeting: its
        members hold it in their calendars, and taking it out of the group would leave it
        there (it is called off instead, which sends them the cancellation)."""
        if before is not None and before.group_id not in (None, after.group_id):
            raise ConflictError(
                "A group's meeting stays the group's meeting; call it off and plan a new one.",
                slug="meeting-stays-in-its-group",
            )
        if after.group_id is None:
            return
        if before is not None and (before.group_id, before.visibility, before.organisation_id) == (
            after.group_id,
            after.visibility,
            after.organisation_id,
        ):
            return
        group = await self.store.get_group(after.group_id)
        if group is None or not group.visible_to(user):
            raise group_not_found()
        if not group.may_manage(user):
            raise _forbidden("Only those who coordinate the group may plan its meetings.")
        if group.status is GroupStatus.ARCHIVED:
            raise ConflictError("The group is archived.", slug="group-archived")
        if after.organisation_id != group.coordinator_id:
            raise RejectedError(
                "A group's meeting is organised by the group's coordinating organisation.",
                slug="group-meeting-organiser",
                fields=["organisation_id"],
            )
        if not group.allows_event_visibility(after.visibility):
            raise RejectedError(
                "The meeting may not be visible to more people than the group.",
                slug="visibility-wider-than-group",
                fields=["visibility"],
            )

    # helpers -----------------------------------------------------------------------------

    @staticmethod
    def _require_manager(group: Group, user: Principal) -> None:
        if not group.may_manage(user):
            raise _forbidden("Only those who coordinate the group may do this.")

    async def _joined(self, group: Group, organisation_id: str) -> list[SendEmail]:
        coming = await self.store.coming_meetings(group.id, self.clock())
        return await self.notices.emails_for(
            EmailTemplate.MEETING_INVITATION, group, coming, [organisation_id]
        )

    async def _tell_coordinator(self, group: Group, organisation_id: str) -> list[SendEmail]:
        coordinator = await self.store.get_organisation(group.coordinator_id)
        asking = await self.store.get_organisation(organisation_id)
        if coordinator is None or not coordinator.email or asking is None:
            return []
        params = {
            "group_name": group.name,
            "organisation_name": asking.name,
            "group_link": self.mail.group_link(group.id),
        }
        return [self.mail.email(EmailTemplate.GROUP_JOIN_REQUESTED, coordinator, params)]

    async def _tell_invited(self, group: Group, organisation_id: str) -> list[SendEmail]:
        coordinator = await self.store.get_organisation(group.coordinator_id)
        invited = await self.store.get_organisation(organisation_id)
        if coordinator is None or invited is None or not invited.email:
            return []
        params = {
            "group_name": group.name,
            "coordinator_name": coordinator.name,
            "group_link": self.mail.group_link(group.id),
        }
        return [self.mail.email(EmailTemplate.GROUP_INVITATION, invited, params)]

    async def _write(
        self, group_id: str, user: Principal, apply: Change, correlation_id: str | None
    ) -> Group:
        """Change a group the user sees and write it with the emails and facts it causes."""

        async def change(group: Group) -> tuple[Group, list[Payload]] | None:
            if not group.visible_to(user):
                raise group_not_found()
            try:
                changed, emails = await apply(group)
            except GroupError as exc:
                raise ConflictError(str(exc), slug=exc.slug) from exc
            except LookupError as exc:
                raise NotFoundError(str(exc), slug="membership-not-found") from exc
            if changed is group:
                return None
            messages: list[Payload] = [*emails]
            if _public_facts(changed) != _public_facts(group):
                messages.extend(rules.facts_message(changed, False))
            return changed, messages

        try:
            written = await self.store.update_group(group_id, change, correlation_id)
        except ConcurrentUpdateError as exc:
            raise ConflictError(
                "The group is being changed by someone else; try again.", slug="concurrent-change"
            ) from exc
        if written is None:
            raise group_not_found()
        return written
