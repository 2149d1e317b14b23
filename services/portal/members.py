"""Who is signed in to the portal, as far as the forms need it: the organisations they may act
for (their own; office staff any of the network's)."""

from __future__ import annotations

from dataclasses import dataclass

from services.portal.backends import Backends, BackendUnavailableError

#: Office staff pick from this many organisations (the directory's largest page).
ADMIN_CHOICES = 100


class SignedOutError(Exception):
    """The session is no longer valid (expired, or the person is gone)."""


@dataclass
class Choices:
    """The organisations the signed-in person may act for, as (id, name) sorted by name."""

    organisations: list[tuple[str, str]]
    is_admin: bool


async def organisation_choices(services: Backends, token: str) -> Choices:
    """Raises SignedOutError when the directory does not accept the session, and
    BackendUnavailableError when it cannot say."""
    answer = await services.get("directory", "/me", token=token)
    if answer.status in (401, 403, 404):
        raise SignedOutError
    if not answer.ok or not isinstance(answer.body, dict):
        raise BackendUnavailableError("directory")
    me = answer.body
    names = {o["id"]: o["name"] for o in me.get("organisations", [])}
    is_admin = me.get("role") == "admin"
    if is_admin:
        everyone = await services.get(
            "directory", "/organisations", params={"limit": ADMIN_CHOICES}, token=token
        )
        if everyone.ok and isinstance(everyone.body, dict):
            for organisation in everyone.body.get("items", []):
                names.setdefault(organisation["id"], organisation["name"])
    ordered = sorted(names.items(), key=lambda item: item[1].casefold())
    return Choices(ordered, is_admin)
