"""The portal for a test, in front of services served over real HTTP — or of none: a service not
given is a closed port, as if it were down. In-process (`portal_client`) or served over real
HTTP for a browser (`served_portal`). For tests without services, the transport alone is
replaced (`mocked_clients`, `mocked_portal`)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from fastapi import FastAPI

from services.portal.app import create_app
from services.portal.backends import Backends
from services.portal.clients import Clients
from services.portal.settings import PortalSettings
from tests.support.infra import free_port
from tests.support.services import serving

PORTAL = "http://portal.test"
#: Where each service is when a test answers the portal's calls itself (`mocked_clients`).
MOCKED = {
    f"{service}_url": f"http://{service}.test"
    for service in ("directory", "calendar", "exchange", "notifier", "concept")
}
Handler = Callable[[httpx.Request], httpx.Response]
#: What a browser sends with a form that a page of another site posted.
ANOTHER_SITE = {"Origin": "https://evil.example"}


def portal_settings(
    *,
    directory_url: str | None = None,
    calendar_url: str | None = None,
    exchange_url: str | None = None,
    notifier_url: str | None = None,
    concept_url: str | None = None,
    **settings: Any,
) -> PortalSettings:
    """Settings of a portal that calls the services given; the others are down."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    return PortalSettings(
        _env_file=None,
        directory_url=directory_url or nowhere,
        calendar_url=calendar_url or nowhere,
        exchange_url=exchange_url or nowhere,
        notifier_url=notifier_url or nowhere,
        concept_url=concept_url or nowhere,
        **settings,
    )


def portal_app(**services_and_settings: Any) -> FastAPI:
    """The portal's app, with `portal_settings` of the keyword arguments."""
    return create_app(portal_settings(**services_and_settings))


def portal_client(**services_and_settings: Any) -> httpx.AsyncClient:
    """An HTTP client of the portal in-process, sending what a browser sends."""
    return _client_of(portal_app(**services_and_settings))


def _client_of(portal: FastAPI) -> httpx.AsyncClient:
    # a browser names the page a form came from; the portal refuses a POST that names none
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=portal), base_url=PORTAL, headers={"Origin": PORTAL}
    )


def mocked_clients(handler: Handler) -> Clients:
    """The portal's clients of the services, each at http://<service>.test (`MOCKED`), every
    call answered by `handler`."""
    settings = portal_settings(**MOCKED)
    return Clients.over(Backends(settings, transport=httpx.MockTransport(handler)))


@contextlib.asynccontextmanager
async def mocked_portal(handler: Handler) -> AsyncIterator[httpx.AsyncClient]:
    """`portal_client` of a portal whose calls to the services `handler` answers."""
    portal = portal_app(**MOCKED)
    portal.state.clients = mocked_clients(handler)
    async with _client_of(portal) as client:
        yield client


@contextlib.asynccontextmanager
async def served_portal(**services_and_settings: Any) -> AsyncIterator[str]:
    """The portal served over real HTTP (for a browser); yields its URL."""
    async with serving(portal_app(**services_and_settings)) as url:
        yield url


def session_of(headers: dict[str, str]) -> str:
    """The portal's session cookie holds the same token as an Authorization header."""
    return headers["Authorization"].removeprefix("Bearer ")


@contextlib.asynccontextmanager
async def signed_in_portal(session: str, **services: Any) -> AsyncIterator[httpx.AsyncClient]:
    """`portal_client` of the services, with the session cookie of someone signed in."""
    async with portal_client(**services) as client:
        client.cookies.set("inx_session", session)
        yield client


async def refused_from_another_site(*forms: tuple[str, Any]) -> None:
    """The portal (no service behind it) refuses each form, a (path, form data or None) pair,
    that a signed-in person's browser posts from a page of another site, and says why."""
    async with signed_in_portal("a-session-token") as client:
        for path, data in forms:
            answer = await client.post(path, data=data, headers=ANOTHER_SITE)
            assert answer.status_code == 403, path
            assert "nicht vom Portal" in answer.text, path
