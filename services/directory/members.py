"""Use cases of memberships: who belongs to an organisation, inviting people, accepting an
invitation, and removing a member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from services.directory.domain import Organisation
from services.directory.links import OneTimeLinks
from services.directory.organisations import (
    organisation_not_found,
    require_active,
    require_editor,
)
from services.directory.people import (
    Member,
    PendingInvitation,
    Person,
    TokenPurpose,
)
from services.directory.repository import AddressTakenError, DirectoryRepository
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.base import Payload
from shared.errors import ConflictError, ForbiddenError, MalformedError, NotFoundError
from shared.ids import new_id

#: How often an invitation is tried again when another one of the same address got there first.
INVITATION_ATTEMPTS = 5


@dataclass(frozen=True)
class Invitation:
    """What inviting someone did: `person_id` is whom the members list shows for it."""

    person_id: str
    organisation_id: str
    invited: bool


def _written(change: tuple[Person, Payload | None]) -> tuple[Person, Sequence[Payload]] | None:
    """A membership change to store with its event, or nothing to write without one."""
    person, event = change
    return None if event is None else (person, [event])


class Members:
    def __init__(self, store: DirectoryRepository, links: OneTimeLinks, now: Clock) -> None:
        self.store = store
        self.links = links
        self.now = now

    async def of(self, organisation_id: str, user: Principal) -> list[Member]:
        """The members and the pending invitations of an organisation, by address."""
        require_editor(organisation_id, user)
        if await self.store.get_organisation(organisation_id) is None:
            raise organisation_not_found()
        members = [Member.of(person) for person in await self.store.members_of(organisation_id)]
        pending = [Member.pending(i) for i in await self.store.invitations_to(organisation_id)]
        return sorted(members + pending, key=lambda member: member.email)

    async def invite(
        self,
        organisation_id: str,
        email: str,
        name: str,
        user: Principal,
        correlation_id: str | None,
    ) -> Invitation:
        require_editor(organisation_id, user)
        organisation = await self.store.get_organisation(organisation_id)
        if organisation is None:
            raise organisation_not_found()
        require_active(organisation)
        now = self.now()
        for _ in range(INVITATION_ATTEMPTS):
            existing = await self.store.find_person_by_email(email)
            try:
                if existing is None:
                    return await self._invite_new_person(
                        organisation, email, name, now, correlation_id
                    )
                if existing.has_password:
                    return await self._invite_existing_account(
                        organisation, existing, name, now, correlation_id
                    )
                return await self._invite_again(organisation, existing, now, correlation_id)
            except AddressTakenError:
                continue  # invited twice at the same moment: the other won, use that person
        raise ConflictError(
            "This address is being invited right now; try again.", slug="invitation-in-progress"
        )

    async def _invite_new_person(
        self,
        organisation: Organisation,
        email: str,
        name: str,
        now: dt.datetime,
        correlation_id: str | None,
    ) -> Invitation:
        """A new address is a member at once and gets a link to set its password."""
        person_id = new_id()
        token, expires = await self.links.new(person_id, TokenPurpose.INVITATION, now)
        person, joined = Person.invited(person_id, email, name, organisation.id, now)
        email_ = self.links.invitation(organisation, email, name, token, expires)
        await self.store.add_person(person, [joined, email_], correlation_id)
        return Invitation(person_id, organisation.id, invited=True)

    async def _invite_existing_account(
        self,
        organisation: Organisation,
        person: Person,
        name: str,
        now: dt.datetime,
        correlation_id: str | None,
    ) -> Invitation:
        """Someone who can log in joins only by accepting: until then the organisation sees a
        pending invitation under the name it typed, exactly like one of a new address."""
        if person.is_member_of(organisation.id):
            raise ConflictError(
                "This person is already a member of the organisation.", slug="already-a-member"
            )
        invitation_id = new_id()
        token, expires = await self.links.new(
            person.id, TokenPurpose.MEMBERSHIP, now, invitation_id=invitation_id
        )
        await self.store.replace_invitation(
            PendingInvitation(
                invitation_id, organisation.id, person.id, person.email, name, expires, now
            )
        )
        email = self.links.membership_invitation(organisation, person.email, name, token, expires)
        await self.links.send(person.id, email, correlation_id)
        return Invitation(invitation_id, organisation.id, invited=True)

    async def _invite_again(
        self,
        organisation: Organisation,
        person: Person,
        now: dt.datetime,
        correlation_id: str | None,
    ) -> Invitation:
        """An address invited before that has not set a password yet: it joins (if it is not a
        member already) and gets a new link to set its password."""
        token, expires = await self.links.new(person.id, TokenPurpose.INVITATION, now)

        def apply(current: Person) -> tuple[Person, Sequence[Payload]]:
            joined, event = current.join(organisation.id, now)
            email = self.links.invitation(organisation, current.email, current.name, token, expires)
            return joined, [event, email] if event else [email]

        await self.store.update_person(person.id, apply, correlation_id)
        return Invitation(person.id, organisation.id, invited=True)

    async def accept(self, token: str, user: Principal, correlation_id: str | None) -> Organisation:
        """The invited account agrees to join; only then it becomes a member."""
        record = await self.links.redeem(
            token,
            self.now(),
            sets_password=False,
            expired="This invitation has expired; ask for a new one.",
        )
        if record.person_id != user.person_id:
            await self.store.reopen_one_time_token(record.token_hash)
            raise ForbiddenError(
                "This invitation is for another account: log in with the invited address.",
                slug="invitation-for-another-account",
            )
        invitation = (
            await self.store.get_invitation(record.invitation_id) if record.invitation_id else None
        )
        if invitation is None:
            await self.store.forget_one_time_token(record.token_hash)
            raise MalformedError("This invitation was withdrawn or replaced.", slug="bad-token")
        organisation = require_active(await self.store.get_organisation(invitation.organisation_id))
        now = self.now()
        await self.store.update_person(
            user.person_id,
            lambda person: _written(person.join(organisation.id, now)),
            correlation_id,
        )
        await self.store.forget_invitation(invitation.id)
        await self.store.forget_one_time_token(record.token_hash)
        return organisation

    async def remove(
        self, organisation_id: str, person_id: str, user: Principal, correlation_id: str | None
    ) -> None:
        """Remove a member, or withdraw a pending invitation (listed under its own id)."""
        require_editor(organisation_id, user)
        invitation = await self.store.get_invitation(person_id)
        if invitation is not None and invitation.organisation_id == organisation_id:
            await self.store.forget_invitation(person_id)  # withdrawn before it was accepted
            return
        person = await self.store.get_person(person_id)
        if person is None or not person.is_member_of(organisation_id):
            raise NotFoundError(
                "This person is not a member of the organisation.", slug="no-such-member"
            )
        now = self.now()
        await self.store.update_person(
            person_id,
            lambda current: _written(current.leave(organisation_id, now)),
            correlation_id,
        )
