"""Settings shared by every process: `WebSettings` for all (the portal uses only these),
`ServiceSettings` for the services with a database and a broker connection."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.topology import DELIVERY_LIMIT

Environment = Literal["development", "test", "production"]

#: Values that must never reach production.
DEVELOPMENT_SECRETS = frozenset({"", "change-me", "integrationsnetz-dev", "guest"})


def require_strong_secret(environment: str, name: str, secret: str, minimum: int) -> None:
    """Refuse a signing key shorter than `minimum` outside development (ValueError)."""
    if environment != "development" and len(secret) < minimum:
        raise ValueError(
            f"{name} needs at least {minimum} characters for ENVIRONMENT={environment}"
        )


class WebSettings(BaseSettings):
    """What every process of the platform reads from the environment (and an optional `.env`
    file): who it is, where it listens, how it logs, where the others are."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    service_name: str = "service"
    environment: Environment = "development"
    port: int = Field(8000, ge=1, le=65535)
    public_base_url: str = "http://127.0.0.1:8000"
    directory_url: str = "http://127.0.0.1:8001"
    log_level: str = "info"
    #: Largest accepted HTTP request body.
    max_body_bytes: int = Field(256 * 1024, ge=1024)

    @property
    def jwks_url(self) -> str:
        return f"{self.directory_url.rstrip('/')}/.well-known/jwks.json"

    def signing_secrets(self) -> dict[str, tuple[str, int]]:
        """Keys that sign links, each with the fewest characters it needs outside development;
        they are checked for development defaults as well."""
        return {}

    def secrets_to_check(self) -> dict[str, str]:
        """Secrets that must not keep a development default outside development."""
        return {name: secret for name, (secret, _) in self.signing_secrets().items()}

    def weak_secrets(self) -> list[str]:
        """The settings (upper case) that still hold a development default."""
        return [
            name.upper()
            for name, value in self.secrets_to_check().items()
            if value in DEVELOPMENT_SECRETS
        ]

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> Self:
        if self.environment == "development":
            return self
        weak = self.weak_secrets()
        if weak:
            raise ValueError(
                f"{', '.join(weak)} still has a development default; "
                f"set a real secret for ENVIRONMENT={self.environment}"
            )
        return self

    @model_validator(mode="after")
    def _strong_signing_secrets_outside_development(self) -> Self:
        for name, (secret, minimum) in self.signing_secrets().items():
            require_strong_secret(self.environment, name.upper(), secret, minimum)
        return self


class ServiceSettings(WebSettings):
    """A service with a database of its own and a broker connection (every one but the portal)."""

    mongodb_url: str = "mongodb://127.0.0.1:27017"
    mongodb_database: str = ""
    mongodb_timeout_ms: int = Field(
        3000,
        ge=50,
        le=60_000,
        description="How long a database operation waits for an unreachable server before the "
        "request answers 503 (server selection and connect timeout, milliseconds).",
    )
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    #: How many unacknowledged messages a consumer holds at once.
    prefetch_count: int = Field(50, ge=1, le=10_000)
    #: How many of them a queue's consumer handles at the same time (at most the prefetch).
    consumer_concurrency: int = Field(8, ge=1, le=256)
    #: Attempts at handling a message (counted by the consumer) before it is parked. At most the
    #: queues' `x-delivery-limit` (shared.topology.DELIVERY_LIMIT), the broker's backstop.
    delivery_limit: int = Field(DELIVERY_LIMIT, ge=1, le=DELIVERY_LIMIT)
    #: How long a handled event's id is kept to drop copies of it (redeliveries, double
    #: publishes, replays); a copy arriving later is handled again.
    inbox_retention_hours: float = Field(7 * 24.0, ge=1.0)
    #: How often handled ids older than the retention are deleted.
    inbox_sweep_seconds: float = Field(3600.0, gt=0)
    #: Declare other services' command queues too, so commands wait for a receiver that is not
    #: deployed yet. Off where the broker's definitions create them (least privilege).
    declare_shared_queues: bool = True
    parking_check_seconds: float = Field(30.0, gt=0)
    #: How often a relay lane looks for pending events when nothing woke it (a write in this
    #: process wakes it at once; the poll finds what a crashed replica left behind).
    outbox_poll_seconds: float = Field(5.0, gt=0)
    outbox_lease_seconds: float = Field(30.0, gt=0)

    @property
    def database_name(self) -> str:
        return self.mongodb_database or f"integrationsnetz_{self.service_name}"

    def weak_secrets(self) -> list[str]:
        weak = super().weak_secrets()
        if self.environment == "production" and "guest:guest@" in self.rabbitmq_url:
            weak.append("RABBITMQ_URL (guest account)")
        return weak
