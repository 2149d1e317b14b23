"""Configuration of the notifier service."""

from __future__ import annotations

import zoneinfo
from email.headerregistry import Address
from email.utils import parseaddr

from pydantic import Field, SecretStr, field_validator, model_validator

from shared.match_feedback import MatchFeedbackSettings
from shared.public_links import require_public_urls
from shared.settings import ServiceSettings

#: The signing secret's development default (it is in shared.settings.DEVELOPMENT_SECRETS).
DEVELOPMENT_SIGNING_SECRET = "change-me"  # noqa: S105 (a placeholder refused outside development)
MIN_SIGNING_SECRET_LENGTH = 32


class NotifierSettings(ServiceSettings, MatchFeedbackSettings):
    service_name: str = "notifier"
    port: int = 8004

    #: Where outgoing mail goes (a relay of the city's mail system; Mailpit in compose).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_tls: bool = Field(
        False, description="Implicit TLS from the first byte (SMTPS, usually port 465)."
    )
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(15.0, gt=0)
    #: SMTP connections kept open and reused for many emails (each sends at most one at a time).
    smtp_connections: int = Field(4, ge=1, le=32)
    mail_from: str = "Integrationsnetz <noreply@integrationsnetz.local>"

    #: Where the notifier's own links (unsubscribe, confirm) point: NOTIFIER_PUBLIC_URL.
    notifier_public_url: str = "http://127.0.0.1:8004"
    #: Signs unsubscribe and confirmation links (HMAC-SHA256).
    signing_secret: SecretStr = SecretStr(DEVELOPMENT_SIGNING_SECRET)
    unsubscribe_token_days: int = Field(365, ge=1, le=3650)
    #: How long the "passt" / "passt nicht" links in a match email work (MATCH_FEEDBACK_SECRET
    #: signs them; the exchange checks them).
    match_feedback_token_days: int = Field(30, ge=1, le=365)
    confirmation_token_hours: int = Field(72, ge=1, le=24 * 30)
    #: Unconfirmed subscriptions one address may have at once (each sends a confirmation mail).
    pending_subscriptions_per_address: int = Field(5, ge=1, le=100)

    #: SMTP retries: the n-th failed attempt waits min(base · 2^(n-1), max) seconds.
    retry_base_seconds: float = Field(30.0, gt=0)
    retry_max_seconds: float = Field(3600.0, gt=0)
    max_attempts: int = Field(8, ge=1, le=50)
    #: How long one sender owns a claimed delivery; longer than an SMTP conversation.
    delivery_lease_seconds: float = Field(60.0, gt=0)
    #: How often the sender looks for due deliveries when nothing woke it (planning one wakes it
    #: at once; the poll finds retries that came due and what a crashed replica left behind).
    sender_poll_seconds: float = Field(5.0, gt=0)
    sender_batch_size: int = Field(50, ge=1, le=1000)
    #: Due deliveries one sender works on at once (writing, sending, recording).
    sender_concurrency: int = Field(8, ge=1, le=64)

    #: Of the matches found for a new or edited listing, only this many (the best) are emailed;
    #: the others are shown in the portal. An organisation gets at most one match email per
    #: listing of its own and day; further matches of that listing go into the next day's summary.
    match_emails_per_listing: int = Field(3, ge=1, le=50)

    #: Digests go out at this hour (local time in `digest_timezone`); weekly ones on Mondays.
    digest_hour: int = Field(7, ge=0, le=23)
    digest_timezone: str = "Europe/Berlin"
    digest_check_seconds: float = Field(60.0, gt=0)

    #: Days a finished delivery keeps its address and content, and an ended subscription its
    #: address; then only the facts stay (DSGVO). Subscriptions never confirmed are deleted
    #: once their confirmation link (`confirmation_token_hours`) has expired.
    delivery_retention_days: int = Field(180, ge=1, le=3650)
    #: How often the retention pass looks for deliveries and subscriptions to redact or delete.
    retention_check_seconds: float = Field(3600.0, gt=0)

    def signing_secrets(self) -> dict[str, tuple[str, int]]:
        return {
            **super().signing_secrets(),
            "signing_secret": (self.signing_secret.get_secret_value(), MIN_SIGNING_SECRET_LENGTH),
        }

    @field_validator("mail_from")
    @classmethod
    def _mail_from_is_an_address(cls, value: str) -> str:
        _name, address = parseaddr(value)
        if "@" not in address:
            raise ValueError(f"MAIL_FROM {value!r} holds no email address")
        return value

    @field_validator("digest_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _credentials_only_over_tls_in_production(self) -> NotifierSettings:
        if self.smtp_starttls and self.smtp_tls:
            raise ValueError("set SMTP_STARTTLS or SMTP_TLS, not both")
        credentials = self.smtp_username is not None or self.smtp_password is not None
        encrypted = self.smtp_starttls or self.smtp_tls
        if self.environment == "production" and credentials and not encrypted:
            raise ValueError(
                "SMTP_USERNAME/SMTP_PASSWORD would go over an unencrypted connection: "
                "set SMTP_STARTTLS=true or SMTP_TLS=true (ENVIRONMENT=production)"
            )
        return self

    @model_validator(mode="after")
    def _links_in_emails_point_somewhere_reachable(self) -> NotifierSettings:
        require_public_urls(
            self.environment,
            {
                "PUBLIC_BASE_URL": self.public_base_url,
                "NOTIFIER_PUBLIC_URL": self.notifier_public_url,
            },
        )
        return self

    @property
    def sender_address(self) -> Address:
        name, address = parseaddr(self.mail_from)
        username, _, domain = address.rpartition("@")
        return Address(display_name=name, username=username, domain=domain)

    @property
    def timezone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.digest_timezone)
