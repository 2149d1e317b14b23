"""An in-memory twin of the directory's repository (`DirectoryRepository`), for use-case tests
that need no database: the same questions answered from dictionaries, and every message a
write caused kept in `published`, in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.directory.domain import Organisation
from services.directory.people import OneTimeToken, PendingInvitation, Person
from services.directory.repository import AddressTakenError, Change, OrganisationQuery
from shared.contracts.base import Payload
from shared.pages import Paging
from shared.text import fold, query_terms, search_terms
from tests.support.in_memory_base import PublishingStore


def _matches(organisation: Organisation, query: OrganisationQuery) -> bool:
    words = search_terms(
        organisation.name, organisation.description, " ".join(organisation.communities)
    )
    district = fold(organisation.district) if organisation.district else None
    return (
        organisation.status is query.status
        and set(query_terms(query.text) if query.text else []) <= set(words)
        and query.kind in (None, organisation.kind)
        and (query.language is None or query.language in organisation.languages)
        and (query.field is None or query.field in organisation.fields)
        and (query.district is None or fold(query.district.strip()) == district)
        and (query.community is None or query.community.strip() in organisation.communities)
    )


class InMemoryDirectoryStore(PublishingStore):
    def __init__(self) -> None:
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, Person] = {}
        self.tokens: dict[str, OneTimeToken] = {}
        self.used_tokens: set[str] = set()
        self.invitations: dict[str, PendingInvitation] = {}
        self.attempts: dict[str, int] = {}
        self.attempts_expire_ms: dict[str, int] = {}
        super().__init__()

    # organisations -----------------------------------------------------------------------

    async def add_organisation(
        self, organisation: Organisation, events: Sequence[Payload], correlation_id: str | None
    ) -> None:
        self._added(self.organisations, organisation.id, organisation, events)

    async def get_organisation(self, organisation_id: str) -> Organisation | None:
        return self.organisations.get(organisation_id)

    async def update_organisation(
        self, organisation_id: str, change: Change[Organisation], correlation_id: str | None
    ) -> Organisation | None:
        return self._changed(self.organisations, organisation_id, change)

    async def find_organisations(
        self, query: OrganisationQuery, paging: Paging
    ) -> tuple[list[Organisation], int]:
        found = sorted(
            (o for o in self.organisations.values() if _matches(o, query)),
            key=lambda o: (fold(o.name), o.id),
        )
        return paging.page_of(found)

    async def every_organisation(self, query: OrganisationQuery) -> list[Organisation]:
        found = (o for o in self.organisations.values() if _matches(o, query))
        return sorted(found, key=lambda o: (fold(o.name), o.id))

    # people ------------------------------------------------------------------------------

    async def add_person(
        self, person: Person, messages: Sequence[Payload], correlation_id: str | None
    ) -> None:
        if any(known.email == person.email for known in self.people.values()):
            raise AddressTakenError(person.email)
        self._added(self.people, person.id, person, messages)

    async def get_person(self, person_id: str) -> Person | None:
        return self.people.get(person_id)

    async def find_person_by_email(self, email: str) -> Person | None:
        return next((p for p in self.people.values() if p.email == email), None)

    async def update_person(
        self, person_id: str, change: Change[Person], correlation_id: str | None
    ) -> Person | None:
        return self._changed(self.people, person_id, change)

    async def any_admin(self) -> bool:
        return any(person.is_admin for person in self.people.values())

    async def members_of(self, organisation_id: str) -> list[Person]:
        members = [p for p in self.people.values() if p.is_member_of(organisation_id)]
        return sorted(members, key=lambda person: person.email)

    # one-time tokens ---------------------------------------------------------------------

    async def add_one_time_token(self, token: OneTimeToken) -> None:
        assert token.token_hash not in self.tokens, "token hashes are unique"
        self.tokens[token.token_hash] = token

    async def use_one_time_token(self, token_hash: str) -> OneTimeToken | None:
        if token_hash not in self.tokens or token_hash in self.used_tokens:
            return None
        self.used_tokens.add(token_hash)
        return self.tokens[token_hash]

    async def reopen_one_time_token(self, token_hash: str) -> None:
        self.used_tokens.discard(token_hash)

    async def forget_one_time_token(self, token_hash: str) -> None:
        self.tokens.pop(token_hash, None)
        self.used_tokens.discard(token_hash)

    async def forget_tokens_of(self, person_id: str) -> None:
        for token in [t for t in self.tokens.values() if t.person_id == person_id]:
            await self.forget_one_time_token(token.token_hash)

    # invitations of existing accounts ----------------------------------------------------

    async def replace_invitation(self, invitation: PendingInvitation) -> None:
        for earlier in list(self.invitations.values()):
            if (earlier.email, earlier.organisation_id) == (
                invitation.email,
                invitation.organisation_id,
            ):
                del self.invitations[earlier.id]
        self.invitations[invitation.id] = invitation

    async def get_invitation(self, invitation_id: str) -> PendingInvitation | None:
        return self.invitations.get(invitation_id)

    async def invitations_to(self, organisation_id: str) -> list[PendingInvitation]:
        pending = [i for i in self.invitations.values() if i.organisation_id == organisation_id]
        return sorted(pending, key=lambda invitation: invitation.email)

    async def forget_invitation(self, invitation_id: str) -> None:
        self.invitations.pop(invitation_id, None)

    # attempt counters and expiry ---------------------------------------------------------

    async def count_attempt(self, key: str, expires_at_ms: int) -> int:
        self.attempts[key] = self.attempts.get(key, 0) + 1
        self.attempts_expire_ms[key] = expires_at_ms
        return self.attempts[key]

    async def uncount_attempt(self, key: str) -> None:
        self.attempts[key] = self.attempts.get(key, 0) - 1

    async def sweep(self, now: dt.datetime, now_ms: int) -> int:
        expired = [t.token_hash for t in self.tokens.values() if t.expires_at < now]
        for token_hash in expired:
            await self.forget_one_time_token(token_hash)
        gone = [i.id for i in self.invitations.values() if i.expires_at < now]
        for invitation_id in gone:
            del self.invitations[invitation_id]
        counters = [key for key, ms in self.attempts_expire_ms.items() if ms < now_ms]
        for key in counters:
            del self.attempts[key], self.attempts_expire_ms[key]
        return len(counters) + len(expired) + len(gone)
