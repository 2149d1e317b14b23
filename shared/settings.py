"""Settings shared by every service; each service subclasses `ServiceSettings`."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.topology import DELIVERY_LIMIT

Environment = Literal["development", "test", "production"]

#: Values that must never reach production.
DEVELOPMENT_SECRETS = frozenset({"", "change-me", "integrationsnetz-dev", "guest"})


class ServiceSettings(BaseSettings):
    """Configuration read from the environment (and an optional `.env` file)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    #: A service without a broker connection (the portal) is not held to RABBITMQ_URL's secret.
    uses_broker: ClassVar[bool] = True

    service_name: str = "service"
    environment: Environment = "development"
    port: int = Field(8000, ge=1, le=65535)
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
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(1025, ge=1, le=65535)
    public_base_url: str = "http://127.0.0.1:8000"
    directory_url: str = "http://127.0.0.1:8001"
    log_level: str = "info"
    #: How many unacknowledged messages a consumer holds at once.
    prefetch_count: int = Field(50, ge=1, le=10_000)
    #: Attempts at handling a message (counted by the consumer) before it is parked. At most the
    #: queues' `x-delivery-limit` (shared.topology.DELIVERY_LIMIT), the broker's backstop.
    delivery_limit: int = Field(DELIVERY_LIMIT, ge=1, le=DELIVERY_LIMIT)
    #: How long a handled event's id is kept to drop copies of it (redeliveries, double
    #: publishes, replays); a copy arriving later is handled again.
    inbox_retention_hours: float = Field(7 * 24.0, ge=1.0)
    #: How often handled ids older than the retention are deleted.
    inbox_sweep_seconds: float = Field(3600.0, gt=0)
    #: Largest accepted HTTP request body.
    max_body_bytes: int = Field(256 * 1024, ge=1024)
    #: Declare other services' command queues too, so commands wait for a receiver that is not
    #: deployed yet. Off where the broker's definitions create them (least privilege).
    declare_shared_queues: bool = True
    parking_check_seconds: float = Field(30.0, gt=0)
    outbox_poll_seconds: float = Field(1.0, gt=0)
    outbox_lease_seconds: float = Field(30.0, gt=0)

    @property
    def database_name(self) -> str:
        return self.mongodb_database or f"integrationsnetz_{self.service_name}"

    @property
    def jwks_url(self) -> str:
        return f"{self.directory_url.rstrip('/')}/.well-known/jwks.json"

    def secrets_to_check(self) -> dict[str, str]:
        """Secrets that must not keep a development default outside development."""
        return {}

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> ServiceSettings:
        if self.environment == "development":
            return self
        weak = [
            name.upper()
            for name, value in self.secrets_to_check().items()
            if value in DEVELOPMENT_SECRETS
        ]
        guest = "guest:guest@" in self.rabbitmq_url
        if guest and self.uses_broker and self.environment == "production":
            weak.append("RABBITMQ_URL (guest account)")
        if weak:
            raise ValueError(
                f"{', '.join(weak)} still has a development default; "
                f"set a real secret for ENVIRONMENT={self.environment}"
            )
        return self
