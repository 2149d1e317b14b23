"""Who is signed in to the portal, as far as the forms need it: the organisations they may act
for (their own; office staff any of the network's)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

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


async def organisation_pages(
    services: Backends, token: str, *, status: str = "active", max_pages: int = MAX_PAGES
) -> AsyncIterator[list[dict[str, Any]]]:
    """The directory's organisations page by page (it hands out at most `PAGE_SIZE` at once).
    Raises BackendUnavailableError when a page cannot be had."""
    offset: int | None = 0
    for _ in range(max_pages):
        if offset is None:
            return
        params = {"status": status, "limit": PAGE_SIZE, "offset": offset}
        answer = await services.get("directory", "/organisations", params=params, token=token)
        if not answer.ok or not isinstance(answer.body, dict):
            raise BackendUnavailableError("directory")
        yield answer.body.get("items", [])
        offset = answer.body.get("next_offset")


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
    if is_admin:  # office staff: every active organisation (as many as the directory gives)
        with contextlib.suppress(BackendUnavailableError):
            async for items in organisation_pages(services, token):
                for organisation in items:
                    names.setdefault(organisation["id"], organisation["name"])
    ordered = sorted(names.items(), key=lambda item: item[1].casefold())
    return Choices(ordered, is_admin)
