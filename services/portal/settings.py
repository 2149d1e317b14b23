"""Configuration of the portal, the web UI for people (backend-for-frontend of the services)."""

from __future__ import annotations

from typing import ClassVar

from shared.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    uses_broker: ClassVar[bool] = False

    service_name: str = "portal"
    port: int = 8000
    calendar_url: str = "http://127.0.0.1:8002"
    exchange_url: str = "http://127.0.0.1:8003"
    notifier_url: str = "http://127.0.0.1:8004"
    #: Send the session cookie only over HTTPS (on in production behind TLS).
    cookie_secure: bool = False
