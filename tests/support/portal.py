"""The portal in-process for a test, in front of services served over real HTTP — or of none:
a service not given is a closed port, as if it were down."""

from __future__ import annotations

from typing import Any

import httpx

from services.portal.app import create_app
from services.portal.settings import PortalSettings
from tests.support.infra import free_port

PORTAL = "http://portal.test"


def portal_client(
    *,
    directory_url: str | None = None,
    calendar_url: str | None = None,
    exchange_url: str | None = None,
    notifier_url: str | None = None,
    **settings: Any,
) -> httpx.AsyncClient:
    nowhere = f"http://127.0.0.1:{free_port()}"
    portal = create_app(
        PortalSettings(
            _env_file=None,
            directory_url=directory_url or nowhere,
            calendar_url=calendar_url or nowhere,
            exchange_url=exchange_url or nowhere,
            notifier_url=notifier_url or nowhere,
            **settings,
        )
    )
    # a browser names the page a form came from; the portal refuses a POST that names none
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=portal), base_url=PORTAL, headers={"Origin": PORTAL}
    )
