"""The exchange's rules without I/O: posting, editing and closing listings, and their expiry
(matching: test_exchange_matching.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from services.exchange.domain import (
    MAX_LIFETIME,
    ListingClosedError,
    ListingCreate,
    ListingPatch,
    ListingRejectedError,
    edit_listing,
    expire_listing,
    fulfil_listing,
    is_due_to_expire,
    post_listing,
    withdraw_listing,
)
from shared.contracts.exchange import (
    ListingKind,
    ListingStatus,
    OfferFulfilled,
    OfferPosted,
    RequestPosted,
    RequestUpdated,
    RequestWithdrawn,
    WithdrawalReason,
)
from tests.support.listings import MRIYA, NOW, OFFER_ID, REQUEST_ID, a_request, an_offer, days

LATER = NOW + dt.timedelta(hours=1)


# --- posting, editing, closing --------------------------------------------------------------


def a_create(**changes: Any) -> ListingCreate:
    values: dict[str, Any] = {
        "organisation_id": MRIYA,
        "category": "language_partner",
        "title": "Sprachpartner zum Deutschüben",
        "languages": ["de"],
    }
    values.update(changes)
    return ListingCreate.model_validate(values)


def test_a_posted_listing_is_open_for_sixty_days_by_default() -> None:
    listing, event = post_listing(REQUEST_ID, ListingKind.REQUEST, a_create(), NOW)

    assert listing.status is ListingStatus.OPEN
    assert listing.expires_at == NOW + days(60)
    assert isinstance(event, RequestPosted)
    assert event.listing_id == REQUEST_ID
    assert event.revision == 1


def test_an_offer_posts_an_offer_event() -> None:
    _, event = post_listing(OFFER_ID, ListingKind.OFFER, a_create(), NOW)
    assert isinstance(event, OfferPosted)
    assert event.listing_kind is ListingKind.OFFER


@pytest.mark.parametrize(
    ("expires_at", "problem"),
    [
        (NOW, "future"),
        (NOW - days(1), "future"),
        (NOW + MAX_LIFETIME + dt.timedelta(seconds=1), "365 days"),
    ],
)
def test_an_expiry_in_the_past_or_more_than_a_year_ahead_is_rejected(
    expires_at: dt.datetime, problem: str
) -> None:
    with pytest.raises(ListingRejectedError, match=problem):
        post_listing(REQUEST_ID, ListingKind.REQUEST, a_create(expires_at=expires_at), NOW)


def test_a_window_that_has_already_ended_is_rejected_when_posting_or_editing() -> None:
    ended = a_create(available_until=NOW - dt.timedelta(seconds=1))
    with pytest.raises(ListingRejectedError, match="available_until"):
        post_listing(REQUEST_ID, ListingKind.REQUEST, ended, NOW)
    with pytest.raises(ListingRejectedError, match="available_until"):
        edit_listing(a_request(), ListingPatch(available_until=NOW), LATER)


def test_an_expiry_a_year_ahead_is_accepted() -> None:
    listing, _ = post_listing(
        REQUEST_ID, ListingKind.REQUEST, a_create(expires_at=NOW + MAX_LIFETIME), NOW
    )
    assert listing.expires_at == NOW + days(365)


def test_times_are_stored_in_utc_whole_seconds() -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    data = a_create(available_from="2026-06-01T18:00:00.750+02:00")
    assert data.available_from == dt.datetime(2026, 6, 1, 16, 0, tzinfo=dt.UTC)
    assert data.available_from.tzinfo == dt.UTC
    assert dt.datetime(2026, 6, 1, 18, 0, tzinfo=berlin) == data.available_from


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"available_from": "2026-06-01T18:00:00"}, id="time-without-offset"),
        pytest.param(
            {"available_from": "2026-06-02T00:00:00Z", "available_until": "2026-06-01T00:00:00Z"},
            id="window-backwards",
        ),
        pytest.param({"category": "car"}, id="unknown-category"),
        pytest.param({"title": "  x "}, id="title-too-short"),
        pytest.param({"languages": ["deutsch!"]}, id="not-a-language-tag"),
        pytest.param({"quantity": 0}, id="quantity-zero"),
        pytest.param({"tags": [f"tag {n}" for n in range(21)]}, id="too-many-tags"),
        pytest.param({"status": "fulfilled"}, id="unknown-field"),
        pytest.param({"organisation_id": "mriya"}, id="organisation-not-an-id"),
    ],
)
def test_invalid_listings_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        a_create(**changes)


def test_tags_that_differ_only_in_case_or_accents_are_kept_once() -> None:
    assert a_create(tags=["Sprachcafé", "sprachcafe", " Küche "]).tags == ["Sprachcafé", "Küche"]


def test_an_edit_names_the_changed_fields_and_raises_the_revision() -> None:
    request = a_request()
    patch = ListingPatch(description="Samstags", languages=["de"], district="Nordstadt")

    edited, event = edit_listing(request, patch, LATER)

    assert isinstance(event, RequestUpdated)
    assert event.changed_fields == ["description", "district"]
    assert edited.revision == 2
    assert edited.updated_at == LATER
    assert edited.description == "Samstags"


def test_an_edit_that_changes_nothing_publishes_nothing() -> None:
    request = a_request()
    assert edit_listing(request, ListingPatch(languages=["de"]), LATER) == (request, None)


def test_an_edit_may_clear_optional_fields_but_not_required_ones() -> None:
    request = a_request(district="Nordstadt")
    edited, _ = edit_listing(request, ListingPatch(district=None), LATER)
    assert edited.district is None
    with pytest.raises(ListingRejectedError, match="title"):
        edit_listing(request, ListingPatch(title=None), LATER)


def test_an_edit_may_not_turn_the_window_backwards() -> None:
    request = a_request(available_until=NOW + days(5))
    with pytest.raises(ListingRejectedError, match="before"):
        edit_listing(request, ListingPatch(available_from=NOW + days(6)), LATER)


def test_an_edit_may_renew_the_expiry_up_to_a_year_from_now() -> None:
    request = a_request()
    renewed, _ = edit_listing(request, ListingPatch(expires_at=LATER + days(365)), LATER)
    assert renewed.expires_at == LATER + days(365)
    with pytest.raises(ListingRejectedError):
        edit_listing(request, ListingPatch(expires_at=LATER + days(366)), LATER)


@pytest.mark.parametrize(
    "status", [ListingStatus.FULFILLED, ListingStatus.WITHDRAWN, ListingStatus.EXPIRED]
)
def test_a_closed_listing_cannot_be_edited_withdrawn_or_fulfilled(status: ListingStatus) -> None:
    closed = a_request(status=status)
    with pytest.raises(ListingClosedError):
        edit_listing(closed, ListingPatch(title="Neu und anders"), LATER)
    with pytest.raises(ListingClosedError):
        withdraw_listing(closed, WithdrawalReason.WITHDRAWN_BY_OWNER, LATER)
    with pytest.raises(ListingClosedError):
        fulfil_listing(closed, LATER)


def test_fulfilling_an_offer_closes_it_with_an_offer_fulfilled_event() -> None:
    fulfilled, event = fulfil_listing(an_offer(), LATER)

    assert fulfilled.status is ListingStatus.FULFILLED
    assert isinstance(event, OfferFulfilled)
    assert event.status is ListingStatus.FULFILLED
    assert event.revision == 2


def test_withdrawing_names_the_reason() -> None:
    withdrawn, event = withdraw_listing(a_request(), WithdrawalReason.ORGANISATION_ARCHIVED, LATER)
    assert withdrawn.status is ListingStatus.WITHDRAWN
    assert withdrawn.closed_reason is WithdrawalReason.ORGANISATION_ARCHIVED
    assert isinstance(event, RequestWithdrawn)
    assert event.reason is WithdrawalReason.ORGANISATION_ARCHIVED


# --- expiry -------------------------------------------------------------------------------


def test_an_open_listing_expires_at_its_expiry_and_is_withdrawn_with_reason_expired() -> None:
    request = a_request(expires_at=LATER)

    assert expire_listing(request, LATER - dt.timedelta(seconds=1)) is None
    expired = expire_listing(request, LATER)

    assert expired is not None
    listing, event = expired
    assert listing.status is ListingStatus.EXPIRED
    assert isinstance(event, RequestWithdrawn)
    assert event.reason is WithdrawalReason.EXPIRED
    assert event.status is ListingStatus.EXPIRED


def test_a_closed_listing_never_expires_again() -> None:
    withdrawn = a_request(status=ListingStatus.WITHDRAWN, expires_at=NOW)
    assert not is_due_to_expire(withdrawn, LATER)
    assert expire_listing(withdrawn, LATER) is None
