"""What the delivery log keeps of an email after the retention period: why it was sent and what
became of it, never to whom or what it said."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from services.notifier.api import DeliveryPublic
from services.notifier.delivery_store import delivery_document, delivery_from_document
from services.notifier.domain import DeliveryStatus, Template, delivery_id, email_recipient
from services.notifier.records import REDACTED_RECIPIENT, Delivery, redacted
from services.notifier.settings import NotifierSettings

CREATED = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
SENT = CREATED + dt.timedelta(seconds=4)
REDACTED = dt.datetime(2026, 7, 4, 3, 0, tzinfo=dt.UTC)
ADDRESS = "jana.petrenko@example.org"


def settings(**values: object) -> NotifierSettings:
    return NotifierSettings(_env_file=None, environment="development", **values)  # type: ignore[arg-type]


def an_invitation(**changes: object) -> Delivery:
    values: dict[str, object] = {
        "id": delivery_id("cmd-1", email_recipient(ADDRESS), Template.INVITATION.value),
        "template": Template.INVITATION,
        "recipient": email_recipient(ADDRESS),
        "reason": "transactional",
        "organisation_id": "org-1",
        "subscription_id": None,
        "address": ADDRESS,
        "recipient_name": "Jana Petrenko",
        "language": "uk",
        "params": {"link": "https://portal.example.org/set-password?token=secret"},
        "cause_event_id": "cmd-1",
        "cause_type": "integrationsnetz.notifier.email.send.v1",
        "correlation_id": "corr-1",
        "status": DeliveryStatus.SENT,
        "attempts": 2,
        "last_error": f"450 <{ADDRESS}>: mailbox busy",
        "created_at": CREATED,
        "updated_at": SENT,
        "sent_at": SENT,
        "created_ms": int(CREATED.timestamp() * 1000),
    }
    values.update(changes)
    return Delivery.model_validate(values)


def test_a_redacted_delivery_holds_no_address_name_content_or_error_text() -> None:
    delivery = redacted(an_invitation(), REDACTED)

    assert delivery.address is None
    assert delivery.recipient_name is None
    assert delivery.params == {}
    assert delivery.last_error is None
    assert delivery.recipient == REDACTED_RECIPIENT
    assert ADDRESS not in repr(delivery)
    assert "Jana" not in repr(delivery)
    assert "token" not in repr(delivery)


def test_a_redacted_delivery_keeps_its_key_cause_outcome_and_times() -> None:
    original = an_invitation()
    delivery = redacted(original, REDACTED)

    kept = {
        "id",
        "template",
        "reason",
        "organisation_id",
        "subscription_id",
        "cause_event_id",
        "cause_type",
        "correlation_id",
        "status",
        "attempts",
        "created_at",
        "updated_at",
        "sent_at",
        "created_ms",
    }
    assert {field: getattr(delivery, field) for field in kept} == {
        field: getattr(original, field) for field in kept
    }
    assert delivery.redacted_at == REDACTED
    assert delivery.redacted_ms == int(REDACTED.timestamp() * 1000) > 0


def test_a_redacted_delivery_survives_the_round_trip_through_its_document() -> None:
    delivery = redacted(an_invitation(), REDACTED)

    assert delivery_from_document(delivery_document(delivery)) == delivery


def test_a_delivery_stored_before_retention_existed_counts_as_not_redacted() -> None:
    document = delivery_document(an_invitation())
    del document["redacted_at"], document["redacted_ms"]

    stored = delivery_from_document(document)
    assert (stored.redacted_at, stored.redacted_ms) == (None, 0)


@pytest.mark.parametrize("status", [DeliveryStatus.SENT, DeliveryStatus.FAILED])
def test_the_log_shows_a_redacted_entry_with_the_moment_of_redaction(
    status: DeliveryStatus,
) -> None:
    entry = DeliveryPublic.of(redacted(an_invitation(status=status), REDACTED))

    assert entry.recipient is None
    assert entry.last_error is None
    assert entry.redacted_at == REDACTED
    assert entry.status is status
    assert ADDRESS not in entry.model_dump_json()


def test_the_log_shows_no_redaction_for_an_entry_within_the_retention_period() -> None:
    entry = DeliveryPublic.of(an_invitation())

    assert entry.recipient == ADDRESS
    assert entry.redacted_at is None


def test_the_retention_period_is_half_a_year_unless_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DELIVERY_RETENTION_DAYS", raising=False)
    assert settings().delivery_retention_days == 180
    monkeypatch.setenv("DELIVERY_RETENTION_DAYS", "30")
    assert settings().delivery_retention_days == 30


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_a_retention_period_outside_one_day_to_ten_years_refuses_to_start(days: int) -> None:
    with pytest.raises(ValidationError, match="delivery_retention_days"):
        settings(delivery_retention_days=days)
