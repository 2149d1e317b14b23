"""Who is signed in to the portal, as far as the forms need it: the organisations they may act
for (their own; office staff any of the network's)."""

from __future__ import annotations

from dataclasses import dataclass

from services.portal.backends import Backends, BackendUnavailableError

#: The directory's largest page, and how many pages of organisations office staff choose from.
PAGE_SIZE = 100
MAX_PAGES = 20


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
    offset: int | None = 0
    for _ in range(MAX_PAGES if is_admin else 0):  # office staff: every active organisation
        if offset is None:
            break
        params = {"limit": PAGE_SIZE, "offset": offset}
        everyone = await services.get("directory", "/organisations", params=params, token=token)
        if not everyone.ok or not isinstance(everyone.body, dict):
            break
        for organisation in everyone.body.get("items", []):
            names.setdefault(organisation["id"], organisation["name"])
        offset = everyone.body.get("next_offset")
    ordered = sorted(names.items(), key=lambda item: item[1].casefold())
    return Choices(ordered, is_admin)
