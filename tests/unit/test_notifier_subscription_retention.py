"""What the notifier keeps of a subscription: one never confirmed is deleted once its link has
expired, one that ended keeps its id and what it followed but not its address."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifier.api import SubscriptionPublic
from services.notifier.domain import (
    Cadence,
    DeliveryStatus,
    Subscription,
    SubscriptionFilters,
    SubscriptionStatus,
    Template,
    Topic,
    delivery_id,
    email_recipient,
)
from services.notifier.records import Delivery
from services.notifier.retention import (
    RetentionCounts,
    confirmation_delivery_id,
    confirmation_expired,
    log_pass,
)
from services.notifier.settings import NotifierSettings
from services.notifier.subscription_store import (
    redacted_subscription_document,
    subscription_from_document,
    subscription_written,
)
from services.notifier.tokens import InvalidTokenError, Links, LinkSigner, TokenPurpose

CREATED = dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.UTC)
HOURS = 72
LIFETIME = dt.timedelta(hours=HOURS)
ADDRESS = "olena.koval@example.org"
SUBSCRIPTION_ID = "0190f2c4-7a1e-7b3c-9d2e-5f6a7b8c9d0e"


def ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def a_subscription(**changes: object) -> Subscription:
    values: dict[str, object] = {
        "id": SUBSCRIPTION_ID,
        "email": ADDRESS,
        "language": "uk",
        "topics": [Topic.OFFERS, Topic.EVENTS],
        "filters": SubscriptionFilters(districts=["Nordstadt"], languages=["uk"]),
        "cadence": Cadence.DAILY,
        "status": SubscriptionStatus.ACTIVE,
        "last_digest_ms": ms(CREATED),
        "created_at": CREATED,
    }
    values.update(changes)
    return Subscription.model_validate(values)


def a_confirmation(status: DeliveryStatus, sent_at: dt.datetime | None = None) -> Delivery:
    return Delivery(
        id=confirmation_delivery_id(SUBSCRIPTION_ID, ADDRESS),
        template=Template.SUBSCRIPTION_CONFIRMATION,
        recipient=email_recipient(ADDRESS),
        reason="transactional",
        subscription_id=SUBSCRIPTION_ID,
        address=ADDRESS,
        cause_event_id=SUBSCRIPTION_ID,
        cause_type="notifier.subscription.requested",
        status=status,
        created_at=CREATED,
        updated_at=sent_at or CREATED,
        sent_at=sent_at,
    )


def expired(confirmation: Delivery | None, now: dt.datetime) -> bool:
    return confirmation_expired(CREATED, confirmation, token_hours=HOURS, now=now)


# --- when an unconfirmed subscription can go ------------------------------------------------


def test_the_confirmation_key_is_the_one_subscribing_plans_the_email_under() -> None:
    assert confirmation_delivery_id(SUBSCRIPTION_ID, ADDRESS) == delivery_id(
        SUBSCRIPTION_ID, email_recipient(ADDRESS), Template.SUBSCRIPTION_CONFIRMATION.value
    )


def test_a_sent_link_expires_the_token_lifetime_after_it_was_sent() -> None:
    sent = CREATED + dt.timedelta(seconds=3)
    confirmation = a_confirmation(DeliveryStatus.SENT, sent)

    assert not expired(confirmation, sent + LIFETIME - dt.timedelta(seconds=1))
    assert expired(confirmation, sent + LIFETIME)


def test_a_link_sent_late_after_an_smtp_outage_counts_from_when_it_was_sent() -> None:
    sent = CREATED + dt.timedelta(hours=5)
    confirmation = a_confirmation(DeliveryStatus.SENT, sent)

    assert not expired(confirmation, CREATED + LIFETIME + dt.timedelta(hours=1))
    assert expired(confirmation, sent + LIFETIME)


def test_while_the_confirmation_email_waits_for_its_next_try_the_subscription_stays() -> None:
    confirmation = a_confirmation(DeliveryStatus.PENDING)

    assert not expired(confirmation, CREATED + 100 * LIFETIME)


@pytest.mark.parametrize("status", [DeliveryStatus.FAILED, DeliveryStatus.SKIPPED])
def test_a_link_that_never_went_out_counts_from_the_subscription(status: DeliveryStatus) -> None:
    confirmation = a_confirmation(status)

    assert not expired(confirmation, CREATED + LIFETIME - dt.timedelta(seconds=1))
    assert expired(confirmation, CREATED + LIFETIME)


def test_without_a_confirmation_email_the_lifetime_counts_from_the_subscription() -> None:
    assert not expired(None, CREATED + LIFETIME - dt.timedelta(seconds=1))
    assert expired(None, CREATED + LIFETIME)


@given(
    issued_before_sending=st.integers(min_value=0, max_value=120),
    sent_after=st.integers(min_value=0, max_value=10 * 86_400),
    checked_after=st.integers(min_value=0, max_value=20 * 86_400),
)
def test_whenever_a_subscription_counts_as_expired_its_link_is_refused_as_expired(
    issued_before_sending: int, sent_after: int, checked_after: int
) -> None:
    """The sender signs the link just before it hands the email over and records `sent_at`
    after; whenever the rule lets the subscription go, that link says `expired`."""
    sent = CREATED + dt.timedelta(seconds=sent_after)
    now = CREATED + dt.timedelta(seconds=checked_after)
    signer = LinkSigner("a-signing-secret-for-the-notifier-tests-only")
    links = Links(signer, "https://n.example", unsubscribe_days=365, confirmation_hours=HOURS)
    issued = max(int(CREATED.timestamp()), int(sent.timestamp()) - issued_before_sending)
    url = links.confirmation_url(SUBSCRIPTION_ID, "de", now=issued)
    token = url.split("token=", 1)[1]

    if expired(a_confirmation(DeliveryStatus.SENT, sent), now):
        with pytest.raises(InvalidTokenError) as refused:
            signer.verify(token, TokenPurpose.CONFIRM, now=int(now.timestamp()))
        assert refused.value.reason == "expired"


# --- the stored document: when it ended, when it was redacted -------------------------------


def test_a_new_subscription_is_stored_with_its_retention_fields_unset() -> None:
    doc = subscription_written(None, a_subscription(status=SubscriptionStatus.PENDING), 1234)

    assert (doc["ended_ms"], doc["redacted_ms"], doc["redacted_at"]) == (0, 0, None)
    assert doc["_id"] == SUBSCRIPTION_ID
    assert doc["email"] == ADDRESS


def test_the_write_that_ends_a_subscription_stamps_when_and_later_writes_keep_it() -> None:
    active = {**subscription_written(None, a_subscription(), 1000), "version": 3}
    ended = subscription_written(active, a_subscription(status=SubscriptionStatus.ENDED), 5000)

    assert ended["ended_ms"] == 5000
    assert ended["version"] == 3  # the rest of the document is carried over
    again = subscription_written(ended, a_subscription(status=SubscriptionStatus.ENDED), 9000)
    assert again["ended_ms"] == 5000


def test_a_subscription_that_has_not_ended_has_no_end() -> None:
    active = subscription_written(None, a_subscription(), 1000)

    changed = a_subscription(last_digest_ms=ms(CREATED) + 86_400_000)
    assert subscription_written(active, changed, 5000)["ended_ms"] == 0


def test_a_subscription_ended_before_the_field_existed_gets_it_on_its_next_write() -> None:
    legacy = subscription_written(None, a_subscription(status=SubscriptionStatus.ENDED), 1)
    del legacy["ended_ms"], legacy["redacted_ms"], legacy["redacted_at"]

    doc = subscription_written(legacy, a_subscription(status=SubscriptionStatus.ENDED), 7000)
    assert (doc["ended_ms"], doc["redacted_ms"], doc["redacted_at"]) == (7000, 0, None)


# --- redacting an ended subscription --------------------------------------------------------

ENDED = CREATED + dt.timedelta(days=20)
REDACTED = ENDED + dt.timedelta(days=181)


def an_ended_document(**changes: object) -> dict[str, object]:
    active = subscription_written(None, a_subscription(**changes), ms(CREATED))
    ended = a_subscription(**{**changes, "status": SubscriptionStatus.ENDED})
    return {**subscription_written(active, ended, ms(ENDED)), "version": 4}


def test_a_redacted_subscription_holds_no_address() -> None:
    doc = redacted_subscription_document(an_ended_document(), REDACTED)

    assert doc["email"] is None
    assert ADDRESS not in repr(doc)
    assert (doc["redacted_at"], doc["redacted_ms"]) == (REDACTED, ms(REDACTED))


def test_a_redacted_subscription_keeps_its_id_what_it_followed_and_when_it_ended() -> None:
    before = an_ended_document()
    doc = redacted_subscription_document(before, REDACTED)

    changed = {key for key in before if before[key] != doc[key]}
    assert changed == {"email", "redacted_at", "redacted_ms"}
    assert doc["ended_ms"] == ms(ENDED)
    assert subscription_from_document(doc) == a_subscription(
        status=SubscriptionStatus.ENDED, email=None
    )


def test_a_redacted_subscription_is_listed_without_an_address() -> None:
    shown = SubscriptionPublic.of(
        subscription_from_document(redacted_subscription_document(an_ended_document(), REDACTED))
    )

    assert (shown.id, shown.email, shown.status) == (
        SUBSCRIPTION_ID,
        None,
        SubscriptionStatus.ENDED,
    )
    assert ADDRESS not in shown.model_dump_json()


def test_a_subscription_of_an_organisation_is_only_marked() -> None:
    before = an_ended_document(email=None, organisation_id="org-1", language="de")
    doc = redacted_subscription_document(before, REDACTED)

    assert {key for key in before if before[key] != doc[key]} == {"redacted_at", "redacted_ms"}
    assert doc["organisation_id"] == "org-1"


# --- what a pass reports ----------------------------------------------------------------------


def test_the_pass_counts_every_kind() -> None:
    counts = RetentionCounts(
        deliveries_redacted=5, unconfirmed_deleted=2, ended_redacted=1, digest_items_deleted=3
    )

    assert counts.total == 11
    assert RetentionCounts().total == 0


def test_the_loop_logs_one_line_per_kind_it_touched(caplog: pytest.LogCaptureFixture) -> None:
    settings = NotifierSettings(
        _env_file=None,
        environment="development",
        delivery_retention_days=180,
        confirmation_token_hours=72,
    )
    with caplog.at_level(logging.INFO, logger="integrationsnetz.notifier.retention"):
        log_pass(RetentionCounts(), settings)
        assert caplog.messages == []
        log_pass(RetentionCounts(unconfirmed_deleted=2, ended_redacted=1), settings)

    assert caplog.messages == [
        "deleted 2 subscriptions never confirmed within 72 hours",
        "redacted 1 subscriptions ended more than 180 days ago",
    ]
