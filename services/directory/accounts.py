"""Use cases of accounts: the first office account, log-in with its throttling, setting a
password with a link, asking for a reset link, and who is logged in."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.directory.domain import Organisation
from services.directory.links import OneTimeLinks
from services.directory.people import Person, ThrottleRule, TokenPurpose, password_problem
from services.directory.repository import AddressTakenError, DirectoryRepository
from services.directory.settings import DirectorySettings
from services.directory.tokens import TokenIssuer
from shared.clock import Clock
from shared.errors import (
    MalformedError,
    RateLimitedError,
    RejectedError,
    UnauthenticatedError,
)
from shared.ids import new_id

log = logging.getLogger("integrationsnetz.directory")


#: Epoch seconds with their fraction: throttling windows follow it.
EpochClock = Callable[[], float]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _verify(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def login_rules(settings: DirectorySettings) -> tuple[ThrottleRule, ThrottleRule, ThrottleRule]:
    """Failed log-ins counted per address and client, per client, and per address (README)."""
    return (
        ThrottleRule(
            "login-address-client", settings.login_max_failures, settings.login_lock_seconds
        ),
        ThrottleRule(
            "login-client", settings.login_client_max_failures, settings.login_client_window_seconds
        ),
        ThrottleRule(
            "login-address",
            settings.login_address_max_failures,
            settings.login_address_window_seconds,
        ),
    )


def reset_rules(settings: DirectorySettings) -> tuple[ThrottleRule, ThrottleRule]:
    """Reset requests counted per client and per address."""
    window = settings.reset_window_seconds
    return (
        ThrottleRule("reset-client", settings.reset_max_per_client, window),
        ThrottleRule("reset-address", settings.reset_max_per_address, window),
    )


@dataclass(frozen=True)
class Account:
    """Who is logged in, with the organisations they belong to."""

    person: Person
    organisations: list[Organisation]


class Accounts:
    def __init__(
        self,
        store: DirectoryRepository,
        issuer: TokenIssuer,
        settings: DirectorySettings,
        links: OneTimeLinks,
        *,
        now: Clock,
        epoch: EpochClock,
        hasher: PasswordHasher,
    ) -> None:
        self.store = store
        self.issuer = issuer
        self.settings = settings
        self.links = links
        self._now = now
        self.epoch = epoch
        self.hasher = hasher
        # Verified against when the address is unknown, so both cases take the same time.
        self._dummy_hash = hasher.hash("not a real password, only for constant timing")
        self._reset_tasks: set[asyncio.Task[None]] = set()
        self.login_rules = login_rules(settings)
        self.reset_rules = reset_rules(settings)

    def _now_ms(self) -> int:
        return int(self.epoch() * 1000)

    async def _count_attempts(
        self, counted: list[tuple[ThrottleRule, str]], now_ms: int, refusal: str
    ) -> list[str]:
        """Count one attempt against each rule in turn, before any work is done; refuse at the
        first rule over its limit (later, wider counters are then left alone, so one client
        hammering an address does not use up the address's shared allowance)."""
        keys = []
        for rule, subject in counted:
            key = rule.key(subject, now_ms)
            count = await self.store.count_attempt(key, rule.window(now_ms)[1])
            keys.append(key)
            wait = rule.wait_seconds(count, now_ms)
            if wait:
                raise RateLimitedError(
                    refusal,
                    slug="rate-limited",
                    headers={"Retry-After": str(wait)},
                    retry_after_seconds=wait,
                )
        return keys

    async def ensure_first_admin(self) -> None:
        """The office account from the settings, when there is no office account yet."""
        if await self.store.any_admin():
            return
        email = self.settings.admin_email.strip().lower()
        password_hash = await asyncio.to_thread(
            self.hasher.hash, self.settings.admin_password.get_secret_value()
        )
        now = self._now()
        existing = await self.store.find_person_by_email(email)
        if existing is not None:
            await self.store.update_person(
                existing.id, lambda person: (person.promoted(now), []), None
            )
            return
        admin = Person.first_admin(new_id(), email, password_hash, now)
        with contextlib.suppress(AddressTakenError):  # another replica created it first
            await self.store.add_person(admin, [], None)

    async def log_in(self, email: str, password: str, client: str = "unknown") -> tuple[str, int]:
        """An access token and its lifetime in seconds. A wrong password and an unknown address
        are refused alike, after the same work."""
        email = email.strip().lower()
        address, source = _digest(email), _digest(client)
        address_client, client_only, address_only = self.login_rules
        keys = await self._count_attempts(
            [
                (address_client, f"{address}:{source}"),
                (client_only, source),
                (address_only, address),
            ],
            self._now_ms(),
            "Too many failed log-ins; try again later.",
        )
        person = await self.store.find_person_by_email(email)
        stored_hash = (person.password_hash if person else None) or self._dummy_hash
        verified = await asyncio.to_thread(_verify, self.hasher, stored_hash, password)
        if not verified or person is None or not person.has_password:
            raise UnauthenticatedError(
                "The email address or the password is wrong.",
                slug="wrong-credentials",
                headers={"WWW-Authenticate": "Bearer"},
            )
        for key in keys:  # only failures use up the allowance
            await self.store.uncount_attempt(key)
        token = self.issuer.issue(person.id, person.role, list(person.organisation_ids))
        return token, self.issuer.ttl_seconds

    async def set_password(self, token: str, password: str) -> None:
        """Set a password with an invitation or reset link."""
        record = await self.links.redeem(
            token,
            self._now(),
            sets_password=True,
            expired="This link has expired; ask for a new one.",
        )
        person = await self.store.get_person(record.person_id)
        if person is None:
            raise MalformedError("This link is not valid.", slug="bad-token")
        problem = password_problem(password, person.email)
        if problem:
            # Let the person try again with the same link.
            await self.store.reopen_one_time_token(record.token_hash)
            raise RejectedError(problem.detail, slug="weak-password", reason=problem.reason)
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        now = self._now()
        await self.store.update_person(
            person.id, lambda current: (current.with_password(password_hash, now), []), None
        )
        # a new password voids every link sent before it (other resets, old invitations)
        await self.store.forget_tokens_of(person.id)

    async def request_password_reset(
        self, email: str, correlation_id: str | None, client: str = "unknown"
    ) -> None:
        """Send a reset link if the address is known; say nothing either way.

        The request itself does the same for every address (count, hand over); looking the
        address up and sending happen after the answer, so its timing tells nothing."""
        email = email.strip().lower()
        client_only, address_only = self.reset_rules
        await self._count_attempts(
            [(client_only, _digest(client)), (address_only, _digest(email))],
            self._now_ms(),
            "Too many password-reset requests; try again later.",
        )
        task = asyncio.create_task(self._send_reset_link(email, correlation_id))
        self._reset_tasks.add(task)
        task.add_done_callback(self._reset_tasks.discard)

    async def reset_requests_handled(self) -> None:
        """Wait until every accepted reset request has been handled (tests, shutdown)."""
        while self._reset_tasks:
            await asyncio.gather(*self._reset_tasks, return_exceptions=True)

    async def _send_reset_link(self, email: str, correlation_id: str | None) -> None:
        try:
            await self._reset_link(email, correlation_id)
        except Exception:  # the caller has its answer already; the person may ask again
            log.exception("a password-reset request could not be handled")

    async def _reset_link(self, email: str, correlation_id: str | None) -> None:
        person = await self.store.find_person_by_email(email)
        if person is None:
            return
        token, expires = await self.links.new(person.id, TokenPurpose.PASSWORD_RESET, self._now())
        language = "de"
        if person.organisation_ids:
            organisation = await self.store.get_organisation(person.organisation_ids[0])
            if organisation is not None:
                language = organisation.preferred_language
        reset = self.links.password_reset(person.email, person.name, language, token, expires)
        await self.links.send(person.id, reset, correlation_id)

    async def sweep(self) -> int:
        """Delete expired attempt counters, one-time tokens and invitations."""
        return await self.store.sweep(self._now(), self._now_ms())

    async def sweep_pass(self) -> None:
        """One `sweep` of the collections that would otherwise only grow (the runtime runs it
        every `sweep_seconds`)."""
        removed = await self.sweep()
        if removed:
            log.info("swept %d expired counters and one-time tokens", removed)

    async def choose_language(self, person_id: str, language: str) -> Account:
        """Saves the language the person chose for the portal."""
        now = self._now()
        changed = await self.store.update_person(
            person_id, lambda current: (current.speaking(language, now), []), None
        )
        if changed is None:
            raise UnauthenticatedError("This account no longer exists.", slug="unknown-account")
        return await self.me(person_id)

    async def me(self, person_id: str) -> Account:
        person = await self.store.get_person(person_id)
        if person is None:
            raise UnauthenticatedError("This account no longer exists.", slug="unknown-account")
        organisations = [
            organisation
            for organisation_id in person.organisation_ids
            if (organisation := await self.store.get_organisation(organisation_id)) is not None
        ]
        return Account(person, organisations)
