"""The directory's people: accounts, memberships, pending invitations, one-time links, and the
rules of log-in and passwords. No I/O here."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal, TypeVar

from shared.auth import Role
from shared.contracts.directory import MemberJoined, MemberLeft, MemberRole

#: The name of the first office account, created from the settings.
OFFICE_STAFF_NAME = "Office staff"

Membership = TypeVar("Membership", MemberJoined, MemberLeft)


@dataclass(frozen=True)
class Person:
    """Someone with an account, or invited to one: office staff (`is_admin`) or a member of
    partner organisations. `password_hash` is None until the person has set a password."""

    id: str
    email: str
    name: str | None
    password_hash: str | None
    is_admin: bool
    organisation_ids: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    #: The language the person chose for the portal (a language tag), None until they choose.
    language: str | None = None

    @classmethod
    def invited(
        cls, person_id: str, email: str, name: str, organisation_id: str, now: dt.datetime
    ) -> tuple[Person, MemberJoined]:
        """A new address invited to an organisation: a member at once, without a password."""
        person = cls(person_id, email, name, None, False, (organisation_id,), now, now)
        return person, person.membership_event(MemberJoined, organisation_id, now)

    @classmethod
    def first_admin(
        cls, person_id: str, email: str, password_hash: str, now: dt.datetime
    ) -> Person:
        return cls(person_id, email, OFFICE_STAFF_NAME, password_hash, True, (), now, now)

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def role(self) -> Role:
        return "admin" if self.is_admin else "editor"

    def is_member_of(self, organisation_id: str) -> bool:
        return organisation_id in self.organisation_ids

    def membership_event(
        self, event: type[Membership], organisation_id: str, now: dt.datetime
    ) -> Membership:
        return event(
            organisation_id=organisation_id,
            person_id=self.id,
            role=MemberRole.EDITOR,
            occurred_at=now,
        )

    def join(self, organisation_id: str, now: dt.datetime) -> tuple[Person, MemberJoined | None]:
        """Become a member; no event when already one."""
        if self.is_member_of(organisation_id):
            return self, None
        joined = replace(
            self, organisation_ids=(*self.organisation_ids, organisation_id), updated_at=now
        )
        return joined, self.membership_event(MemberJoined, organisation_id, now)

    def leave(self, organisation_id: str, now: dt.datetime) -> tuple[Person, MemberLeft | None]:
        """Stop being a member; no event when not one."""
        if not self.is_member_of(organisation_id):
            return self, None
        remaining = tuple(o for o in self.organisation_ids if o != organisation_id)
        left = replace(self, organisation_ids=remaining, updated_at=now)
        return left, self.membership_event(MemberLeft, organisation_id, now)

    def promoted(self, now: dt.datetime) -> Person:
        return replace(self, is_admin=True, updated_at=now)

    def with_password(self, password_hash: str, now: dt.datetime) -> Person:
        return replace(self, password_hash=password_hash, updated_at=now)

    def speaking(self, language: str, now: dt.datetime) -> Person:
        """The person with the portal language they chose."""
        if language == self.language:
            return self
        return replace(self, language=language, updated_at=now)


@dataclass(frozen=True)
class PendingInvitation:
    """An existing account asked to join an organisation; it joins only by accepting. Until
    then the organisation sees it under the name it typed."""

    id: str
    organisation_id: str
    person_id: str
    email: str
    name: str
    expires_at: dt.datetime
    created_at: dt.datetime


@dataclass(frozen=True)
class Member:
    """A line of an organisation's members list: a member, or a pending invitation (listed
    under the invitation's id, without a password)."""

    person_id: str
    name: str | None
    email: str
    has_password: bool

    @classmethod
    def of(cls, person: Person) -> Member:
        return cls(person.id, person.name, person.email, person.has_password)

    @classmethod
    def pending(cls, invitation: PendingInvitation) -> Member:
        return cls(invitation.id, invitation.name, invitation.email, has_password=False)


class TokenPurpose(StrEnum):
    """What a one-time link is for."""

    INVITATION = "invitation"  # set the first password of an invited address
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)
    MEMBERSHIP = "membership"  # an existing account accepts an invitation

    @property
    def sets_password(self) -> bool:
        return self is not TokenPurpose.MEMBERSHIP


@dataclass(frozen=True)
class OneTimeToken:
    """A one-time link as stored: only the hash of the token the email carries."""

    token_hash: str
    person_id: str
    purpose: TokenPurpose
    expires_at: dt.datetime
    invitation_id: str | None = None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at <= now


# --- log-in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleRule:
    """At most `limit` counted attempts of one kind (`scope`) per subject in a fixed window."""

    scope: str
    limit: int
    window_seconds: int

    def window(self, now_ms: int) -> tuple[int, int]:
        """The number of the window `now_ms` falls in, and when it ends (epoch ms)."""
        length = self.window_seconds * 1000
        number = now_ms // length
        return number, (number + 1) * length

    def key(self, subject: str, now_ms: int) -> str:
        """The counter's `_id`: a new window starts a new counter."""
        return f"{self.scope}:{subject}:{self.window(now_ms)[0]}"

    def wait_seconds(self, count: int, now_ms: int) -> int:
        """0 if the `count`-th attempt in this window is allowed, else the seconds until it ends."""
        if count <= self.limit:
            return 0
        return max(1, (self.window(now_ms)[1] - now_ms + 999) // 1000)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """Who sent a request: the peer, or, when the peer is a trusted proxy, the nearest address
    in X-Forwarded-For that is not a trusted proxy (the left-most ones are the client's claims)."""
    networks = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in networks)

    client = (peer or "unknown").strip() or "unknown"
    if not forwarded_for or not is_trusted(client):
        return client
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        client = hop
        if not is_trusted(hop):
            break
    return client


# --- passwords ------------------------------------------------------------------------------

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000

PasswordReason = Literal["too-short", "too-long", "the-email-address", "too-simple"]


@dataclass(frozen=True)
class PasswordProblem:
    """Why a new password is not acceptable: a stable `reason` to translate, and the English
    `detail`."""

    reason: PasswordReason
    detail: str


def password_problem(password: str, email: str) -> PasswordProblem | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordProblem(
            "too-short", f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordProblem("too-long", "The password is too long.")
    if password.strip().lower() == email.strip().lower():
        return PasswordProblem("the-email-address", "The password must not be the email address.")
    if len(set(password)) < 4:
        return PasswordProblem("too-simple", "The password is too simple.")
    return None
