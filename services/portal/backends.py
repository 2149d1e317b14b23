"""The transport under the portal's typed clients (`clients/`): plain HTTP calls to the five
services.

A service that is down makes its part of a page say so; the rest of the page still works. A
page whose main content comes from a service that is down (or answers 5xx, or times out) is the
German 503 page (`BackendUnavailableError` left to the app's handler).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.portal.settings import PortalSettings

log = logging.getLogger("integrationsnetz.portal")


class BackendUnavailableError(Exception):
    """A service did not answer (or answered 5xx)."""


@dataclass
class BackendAnswer:
    status: int
    body: Any
    #: The answer's headers, kept for a file (`raw`): its type and name.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Backends:
    """The HTTP transport under the typed clients (`clients/`); `transport` replaces the
    network in tests."""

    def __init__(
        self, settings: PortalSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.urls = {
            "directory": settings.directory_url,
            "calendar": settings.calendar_url,
            "exchange": settings.exchange_url,
            "notifier": settings.notifier_url,
            "concept": settings.concept_url,
        }
        self._client = httpx.AsyncClient(timeout=5.0, transport=transport)

    async def close(self) -> None:
        await self._client.aclose()

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        token: str | None = None,
        raw: bool = False,
        **kwargs: Any,
    ) -> BackendAnswer:
        """`raw`: a 2xx body as bytes (a file), not read as JSON or text."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = self.urls[service].rstrip("/") + path
        try:
            response = await self._client.request(method, url, headers=headers, **kwargs)
        except httpx.InvalidURL:
            # an id from the address that no URL can carry names nothing the service holds
            return BackendAnswer(404, None)
        except httpx.HTTPError as exc:
            log.warning("%s unreachable: %s", service, exc)
            raise BackendUnavailableError(service) from exc
        if response.status_code >= 500:
            log.warning("%s answered %d on %s %s", service, response.status_code, method, path)
            raise BackendUnavailableError(service)
        if raw and response.is_success:
            return BackendAnswer(response.status_code, response.content, dict(response.headers))
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return BackendAnswer(response.status_code, body)
