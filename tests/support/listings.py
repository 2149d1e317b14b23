"""Listings of the exchange as the unit tests build them: a seniors' club offering language
partners and a Ukrainian self-help group asking for one, posted at `NOW`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.exchange.domain import DEFAULT_LIFETIME, Listing
from shared.contracts.exchange import ListingCategory, ListingKind

NOW = dt.datetime(2026, 5, 16, 10, 0, tzinfo=dt.UTC)
MRIYA = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
SENIORS = "01a20175-6e13-7012-9a1c-8de746c2ce99"
OFFER_ID = "01a20175-6d8a-7156-84fd-a785183d790f"
REQUEST_ID = "01a20175-6df1-7fe3-97ab-ab3800dc37cb"


def a_listing(kind: ListingKind = ListingKind.OFFER, **changes: Any) -> Listing:
    values: dict[str, Any] = {
        "id": OFFER_ID if kind is ListingKind.OFFER else REQUEST_ID,
        "kind": kind,
        "organisation_id": SENIORS if kind is ListingKind.OFFER else MRIYA,
        "category": ListingCategory.LANGUAGE_PARTNER,
        "title": "Senioren als Sprachpartner"
        if kind is ListingKind.OFFER
        else "Sprachpartner zum Deutschüben",
        "languages": ["de"],
        "expires_at": NOW + DEFAULT_LIFETIME,
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(changes)
    return Listing(**values)


def an_offer(**changes: Any) -> Listing:
    return a_listing(ListingKind.OFFER, **changes)


def a_request(**changes: Any) -> Listing:
    return a_listing(ListingKind.REQUEST, **changes)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
