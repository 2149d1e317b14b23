"""The directory's use cases, by responsibility: `organisations` (organisations.py), `members`
(members.py: memberships and invitations) and `accounts` (accounts.py: log-in, passwords),
sharing one repository, one clock and the one-time links (links.py)."""

from __future__ import annotations

import datetime as dt
import time

from argon2 import PasswordHasher

from services.directory.accounts import Accounts, EpochClock
from services.directory.links import OneTimeLinks
from services.directory.members import Members
from services.directory.organisations import Organisations
from services.directory.repository import DirectoryRepository
from services.directory.settings import DirectorySettings
from services.directory.tokens import TokenIssuer


class Directory:
    def __init__(
        self,
        store: DirectoryRepository,
        issuer: TokenIssuer,
        settings: DirectorySettings,
        *,
        clock: EpochClock = time.time,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.store = store
        self.issuer = issuer
        self.settings = settings
        #: epoch seconds; every use case's time, throttling windows and expiry follow it (tests
        #: move it by hand)
        self.clock = clock
        links = OneTimeLinks(store, settings)
        self.organisations = Organisations(store, self._now)
        self.members = Members(store, links, self._now)
        self.accounts = Accounts(
            store,
            issuer,
            settings,
            links,
            now=self._now,
            epoch=self._epoch_seconds,
            hasher=hasher or PasswordHasher(),
        )

    def _epoch_seconds(self) -> float:
        return self.clock()

    def _now(self) -> dt.datetime:
        """Now in UTC at whole seconds, by `clock`."""
        return dt.datetime.fromtimestamp(int(self.clock()), dt.UTC)

    async def ensure_first_admin(self) -> None:
        await self.accounts.ensure_first_admin()

    async def sweep_pass(self) -> None:
        await self.accounts.sweep_pass()
