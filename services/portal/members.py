"""Who is signed in to the portal, as far as the forms need it: the organisations they may act
for (their own; office staff any of the network's)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, SignedOutError
from services.portal.web import Session


@dataclass
class Choices:
    """The organisations the signed-in person may act for, as (id, name) sorted by name."""

    organisations: list[tuple[str, str]]
    is_admin: bool

    def name_of(self, organisation_id: str) -> str | None:
        return dict(self.organisations).get(organisation_id)


async def organisation_choices(session: Session) -> Choices:
    """Raises SignedOutError when the directory does not accept the session, and
    BackendUnavailableError when it cannot say."""
    me = await session.person()
    names = {o.id: o.name for o in me.organisations}
    if me.is_admin:  # office staff: every active organisation (as many as the directory gives)
        with contextlib.suppress(BackendUnavailableError, Problem):
            async for items in session.directory.all_organisations(session.token):
                for organisation in items:
                    names.setdefault(organisation.id, organisation.name)
    ordered = sorted(names.items(), key=lambda item: item[1].casefold())
    return Choices(ordered, me.is_admin)


async def choices_if_any(session: Session) -> Choices | None:
    """The organisations to choose from again after a refusal; None when the directory cannot
    say right now or no longer accepts the session (the typed choice is kept all the same)."""
    try:
        return await organisation_choices(session)
    except (BackendUnavailableError, Problem, SignedOutError):
        return None
