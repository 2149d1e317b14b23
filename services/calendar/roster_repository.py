"""What the registration use cases ask of storage: the roster of each event (written whole
with its version, retried on a lost race), the index of the links' tokens, and whether an
organisation is a member of a working group. `RosterStore` answers on MongoDB, an in-memory
twin in the use-case tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from services.calendar.roster import Roster
from shared.contracts.base import Payload
from shared.link_tokens import new_one_time_token
from shared.pages import Paging

TokenPurpose = Literal["opt_in", "cancel"]


@dataclass(frozen=True)
class TokenEntry:
    """What a link's token stands for; stored under the token's SHA-256, never the token."""

    hash: str
    event_id: str
    registration_id: str
    purpose: TokenPurpose
    #: None: good until the roster's personal data is deleted.
    expires_at: dt.datetime | None


@dataclass
class TokenBook:
    """The tokens one use case hands out: made once (a retried write mails the same links),
    stored before the roster that mails them."""

    event_id: str
    issued: dict[tuple[str, TokenPurpose], tuple[str, TokenEntry]] = field(default_factory=dict)
    saved: set[str] = field(default_factory=set)

    def issue(
        self, registration_id: str, purpose: TokenPurpose, expires_at: dt.datetime | None = None
    ) -> tuple[str, str]:
        """(token, its hash) for the registration's link."""
        key = (registration_id, purpose)
        if key not in self.issued:
            token, hash_ = new_one_time_token()
            entry = TokenEntry(hash_, self.event_id, registration_id, purpose, expires_at)
            self.issued[key] = (token, entry)
        token, entry = self.issued[key]
        return token, entry.hash

    def unsaved(self) -> list[TokenEntry]:
        return [entry for _, entry in self.issued.values() if entry.hash not in self.saved]


#: A change of a roster: the new roster and its messages, or None to write nothing. It may
#: raise to refuse (the error reaches the caller).
RosterChange = Callable[[Roster | None], tuple[Roster, Sequence[Payload]] | None]


class RosterRepository(Protocol):
    async def get_roster(self, event_id: str) -> Roster | None: ...

    async def write_roster(
        self,
        event_id: str,
        change: RosterChange,
        tokens: TokenBook | None = None,
        *,
        correlation_id: str | None = None,
    ) -> Roster | None:
        """Apply `change` to the stored roster (None when there is none yet) and write it
        whole over the version it was read at, its messages in its outbox; on a concurrent
        write read it again and apply again. The tokens issued are stored first. Returns the
        roster as written (the stored one when `change` wrote nothing)."""

    async def find_token(self, hash_: str) -> TokenEntry | None: ...

    async def delete_tokens(self, event_id: str, registration_ids: Sequence[str] | None) -> int:
        """Delete the token entries of these registrations (None: of every registration)."""

    async def rosters_of_person(self, person_id: str) -> list[Roster]: ...

    async def rosters_page(self, paging: Paging) -> tuple[list[Roster], int]:
        """Set-up rosters by their event's start, the latest first."""

    async def all_rosters(self) -> list[Roster]: ...

    async def starting_between(self, start: dt.datetime, end: dt.datetime) -> list[str]: ...

    async def open_with_deadline_before(self, moment: dt.datetime) -> list[str]: ...

    async def ended_before(self, moment: dt.datetime) -> list[str]:
        """Rosters of events over before `moment` that still hold personal data."""

    async def with_pending_before(self, moment: dt.datetime) -> list[str]:
        """Rosters holding pending registrations made before `moment`."""


class GroupMembership(Protocol):
    """Which organisations are members of a working group (the coordinator among them)."""

    async def members_of(self, group_id: str) -> frozenset[str]: ...

    async def name_of(self, group_id: str) -> str | None:
        """The group's name; none for a group the calendar does not hold."""
