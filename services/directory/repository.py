"""What the directory's use cases need of storage, in domain terms: `DirectoryStore` on MongoDB,
or an in-memory twin in the use-case tests. Documents exist only behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from services.directory.domain import Organisation
from services.directory.people import OneTimeToken, PendingInvitation, Person
from shared.contracts.base import Payload
from shared.contracts.directory import OrganisationKind, OrganisationStatus
from shared.contracts.vocabulary import FieldOfAction
from shared.pages import Paging

Entity = TypeVar("Entity")

#: How a stored entity changes: (current) → its new state and the messages the change causes,
#: or None to write nothing. The store writes both at once (outbox) and retries on a lost race.
Change = Callable[[Entity], tuple[Entity, Sequence[Payload]] | None]


class AddressTakenError(Exception):
    """Another write for this email address got there first: a person added, or the address
    invited to the organisation, at the same moment."""


@dataclass(frozen=True)
class OrganisationQuery:
    """A search of the directory's organisations; None means "any"."""

    status: OrganisationStatus = OrganisationStatus.ACTIVE
    text: str | None = None
    kind: OrganisationKind | None = None
    language: str | None = None
    field: FieldOfAction | None = None
    district: str | None = None
    community: str | None = None


class DirectoryRepository(Protocol):
    # organisations -----------------------------------------------------------------------

    async def add_organisation(
        self, organisation: Organisation, events: Sequence[Payload], correlation_id: str | None
    ) -> None: ...

    async def get_organisation(self, organisation_id: str) -> Organisation | None: ...

    async def update_organisation(
        self, organisation_id: str, change: Change[Organisation], correlation_id: str | None
    ) -> Organisation | None: ...

    async def find_organisations(
        self, query: OrganisationQuery, paging: Paging
    ) -> tuple[list[Organisation], int]: ...

    async def every_organisation(self, query: OrganisationQuery) -> list[Organisation]:
        """Every organisation the query finds (a directory holds hundreds, not millions)."""
        ...

    # people ------------------------------------------------------------------------------

    async def add_person(
        self, person: Person, messages: Sequence[Payload], correlation_id: str | None
    ) -> None:
        """Raises AddressTakenError when the address has a person already."""

    async def get_person(self, person_id: str) -> Person | None: ...

    async def find_person_by_email(self, email: str) -> Person | None: ...

    async def update_person(
        self, person_id: str, change: Change[Person], correlation_id: str | None
    ) -> Person | None: ...

    async def any_admin(self) -> bool: ...

    async def members_of(self, organisation_id: str) -> list[Person]: ...

    # one-time tokens ---------------------------------------------------------------------

    async def add_one_time_token(self, token: OneTimeToken) -> None: ...

    async def use_one_time_token(self, token_hash: str) -> OneTimeToken | None:
        """Mark a token used; returns it, or None if unknown or already used."""

    async def reopen_one_time_token(self, token_hash: str) -> None: ...

    async def forget_one_time_token(self, token_hash: str) -> None: ...

    async def forget_tokens_of(self, person_id: str) -> None: ...

    # invitations of existing accounts ----------------------------------------------------

    async def replace_invitation(self, invitation: PendingInvitation) -> None:
        """Store a pending invitation, replacing an earlier one of the same address; raises
        AddressTakenError when another one was stored at the same moment."""

    async def get_invitation(self, invitation_id: str) -> PendingInvitation | None: ...

    async def invitations_to(self, organisation_id: str) -> list[PendingInvitation]: ...

    async def forget_invitation(self, invitation_id: str) -> None: ...

    # attempt counters and expiry ---------------------------------------------------------

    async def count_attempt(self, key: str, expires_at_ms: int) -> int:
        """Count one attempt atomically; returns the count including it."""

    async def uncount_attempt(self, key: str) -> None: ...

    async def sweep(self, now: dt.datetime, now_ms: int) -> int:
        """Delete expired attempt counters, one-time tokens and invitations; how many."""
