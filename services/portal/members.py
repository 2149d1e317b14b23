"""Who is signed in to the portal, as far as the forms need it: the organisations they may act
for (their own; office staff any of the network's)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.portal.backends import BackendUnavailableError
from services.portal.clients.base import Problem, SignedOutError
from services.portal.i18n import _
from services.portal.web import ChosenOrganisation, Session, SignedIn


@dataclass
class Choices:
    """The organisations the signed-in person may act for, as (id, name) sorted by name."""

    organisations: list[tuple[str, str]]
    is_admin: bool

    def name_of(self, organisation_id: str) -> str | None:
        return dict(self.organisations).get(organisation_id)

    def preselect(self, organisation_id: str | None) -> str:
        """What a form offers chosen: the organisation a link named if the person may act for
        it, else their only one, else none ("")."""
        if organisation_id in dict(self.organisations):
            return organisation_id
        if len(self.organisations) == 1:
            return self.organisations[0][0]
        return ""


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


async def choices_again(session: Session, chosen: str) -> Choices:
    """The organisations to choose from when a refused form is shown again; while the
    directory cannot say, only the typed choice, kept all the same under a general name."""
    choices = await choices_if_any(session)
    if choices is None:
        return Choices([(chosen, _("Ihre gewählte Organisation"))], False)
    return choices


@dataclass
class Acting:
    """A page opened for the organisations the signed-in person may act for: the session,
    the choices, and the organisation the link named (`?organisation=…`, None without it)."""

    session: Session
    choices: Choices
    named: str | None


async def acting(session: SignedIn, organisation: ChosenOrganisation = None) -> Acting:
    return Acting(session, await organisation_choices(session), organisation)


ActingFor = Annotated[Acting, Depends(acting)]
