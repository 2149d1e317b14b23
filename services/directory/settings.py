"""Configuration of the directory service."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

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
    #: Failed log-ins per address before it is locked for `login_lock_seconds`.
    login_max_failures: int = Field(5, ge=1, le=100)
    login_lock_seconds: int = Field(300, ge=1)

    def secrets_to_check(self) -> dict[str, str]:
        return {"admin_password": self.admin_password.get_secret_value()}

    @model_validator(mode="after")
    def _invitation_links_point_somewhere_reachable(self) -> DirectorySettings:
        require_public_urls(self.environment, {"PUBLIC_BASE_URL": self.public_base_url})
        return self
