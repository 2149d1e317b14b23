"""Configuration of the portal, the web UI for people (backend-for-frontend of the services)."""

from __future__ import annotations

from pydantic import model_validator

from shared.settings import WebSettings


class PortalSettings(WebSettings):
    service_name: str = "portal"
    port: int = 8000
    calendar_url: str = "http://127.0.0.1:8002"
    exchange_url: str = "http://127.0.0.1:8003"
    notifier_url: str = "http://127.0.0.1:8004"
    concept_url: str = "http://127.0.0.1:8005"
    #: Largest spreadsheet the concept import takes through the portal (the concept service's
    #: own limit, 5 MiB, plus room for the form around it); larger uploads get a German page.
    import_max_bytes: int = 5 * 1024 * 1024 + 64 * 1024
    #: Largest meeting document uploaded through the portal (the calendar's own limit, 10 MiB,
    #: plus room for the form around it).
    document_max_bytes: int = 10 * 1024 * 1024 + 64 * 1024
    #: Send the session cookie only over HTTPS; required outside development (a session
    #: cookie sent over plain http can be read on the way).
    cookie_secure: bool = False
    #: The office people write to about the portal's accessibility (the "Erklärung zur
    #: Barrierefreiheit" names it as the feedback contact); each city sets its own.
    office_name: str = "Amt für Integration"
    office_address: str = "Rathaus, Friedensplatz 1, 12345 Musterstadt"
    office_email: str = "integration@stadt.example"
    office_phone: str | None = None

    @model_validator(mode="after")
    def _secure_cookie_outside_development(self) -> PortalSettings:
        if self.environment != "development" and not self.cookie_secure:
            raise ValueError(
                f"COOKIE_SECURE must be true for ENVIRONMENT={self.environment}: the session "
                "cookie may only travel over HTTPS"
            )
        return self
