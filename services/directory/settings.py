"""Configuration of the directory service."""

from __future__ import annotations

import ipaddress

from pydantic import Field, SecretStr, field_validator, model_validator

from shared.public_links import require_public_urls
from shared.settings import ServiceSettings


class DirectorySettings(ServiceSettings):
    service_name: str = "directory"
    port: int = 8001
    #: The first office-staff account, created at start if no admin exists.
    admin_email: str = "admin@integrationsnetz.local"
    admin_password: SecretStr = SecretStr("integrationsnetz-dev")
    #: PEM file of the Ed25519 signing key. In development it is created when missing.
    signing_key_file: str = "var/keys/directory-ed25519.pem"
    #: Extra PEM files of retired keys whose public halves stay in the JWKS during rotation.
    previous_signing_key_files: list[str] = Field(default_factory=list)
    token_ttl_seconds: int = Field(3600, ge=60, le=86_400)
    invitation_ttl_days: int = Field(7, ge=1, le=30)
    #: Failed log-ins per address *from one client* within `login_lock_seconds`; beyond, that
    #: client must wait until the window ends.
    login_max_failures: int = Field(5, ge=1, le=100)
    login_lock_seconds: int = Field(300, ge=1)
    #: Failed log-ins per address from all clients together within a short window: much higher
    #: than the per-client limit, so one stranger cannot lock a member out, and short-lived.
    login_address_max_failures: int = Field(50, ge=1)
    login_address_window_seconds: int = Field(60, ge=1)
    #: Failed log-ins from one client, for any addresses, within `login_client_window_seconds`.
    login_client_max_failures: int = Field(100, ge=1)
    login_client_window_seconds: int = Field(300, ge=1)
    #: Password-reset requests per address, and per client, within `reset_window_seconds`.
    reset_max_per_address: int = Field(3, ge=1)
    reset_max_per_client: int = Field(20, ge=1)
    reset_window_seconds: int = Field(3600, ge=1)
    #: Proxies (addresses or networks, e.g. the portal's) whose X-Forwarded-For names the client.
    trusted_proxies: list[str] = Field(default_factory=list)
    #: How often expired throttle counters and one-time tokens are deleted.
    sweep_seconds: float = Field(600.0, gt=0)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # a ValueError names the bad entry
        return value

    def secrets_to_check(self) -> dict[str, str]:
        return {"admin_password": self.admin_password.get_secret_value()}

    @model_validator(mode="after")
    def _invitation_links_point_somewhere_reachable(self) -> DirectorySettings:
        require_public_urls(self.environment, {"PUBLIC_BASE_URL": self.public_base_url})
        return self
