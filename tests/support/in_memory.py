"""In-memory twins of the services' repositories, for use-case tests that need no database
(cosmicpython's fake repository): the same questions, answered from dictionaries, and every
event a write caused kept in `published` in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services.exchange.domain import Listing
from services.exchange.repository import (
    ListingChange,
    ListingFilters,
    MatchChange,
    RecordedMatch,
)
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.contracts.directory import OrganisationArchived, OrganisationKind, OrganisationStatus
from shared.contracts.exchange import ListingKind, ListingStatus
from shared.pages import Paging
from shared.projection import KnownOrganisation
from tests.support.in_memory_base import PublishingStore


def archiving(organisation_id: str, name: str, *, revision: int) -> OrganisationArchived:
    """What the directory publishes when an organisation leaves the network."""
    return OrganisationArchived(
        organisation_id=organisation_id,
        name=name,
        kind=OrganisationKind.ASSOCIATION,
        status=OrganisationStatus.ARCHIVED,
        revision=revision,
        updated_at=utc_now(),
    )


class InMemoryExchangeStore(PublishingStore):
    """Listings, matches and the projection of organisations, as the exchange's use cases
    see them (`services.exchange.repository.ExchangeRepository`)."""

    def __init__(self) -> None:
        self.listings: dict[str, Listing] = {}
        self.matches: dict[str, RecordedMatch] = {}
        self.organisations: dict[str, KnownOrganisation] = {}
        super().__init__()

    async def add_listing(
        self, listing: Listing, events: Sequence[Payload], correlation_id: str | None
    ) -> None:
        self._added(self.listings, listing.id, listing, events)

    async def update_listing(
        self, listing_id: str, change: ListingChange, correlation_id: str | None
    ) -> Listing | None:
        return self._changed(self.listings, listing_id, change)

    async def get_listing(self, listing_id: str) -> Listing | None:
        return self.listings.get(listing_id)

    async def listings_by_id(self, listing_ids: Sequence[str]) -> dict[str, Listing]:
        return {i: self.listings[i] for i in listing_ids if i in self.listings}

    async def find_listings(
        self, filters: ListingFilters, paging: Paging
    ) -> tuple[list[Listing], int]:
        found = [
            listing
            for listing in self.listings.values()
            if listing.kind is filters.kind
            and listing.status is filters.status
            and filters.category in (None, listing.category)
            and filters.organisation_id in (None, listing.organisation_id)
        ]
        found.sort(key=lambda listing: listing.created_at, reverse=True)
        return paging.page_of(found)

    async def match_candidates(self, listing: Listing) -> list[Listing]:
        other = ListingKind.REQUEST if listing.kind is ListingKind.OFFER else ListingKind.OFFER
        return [
            candidate
            for candidate in self.listings.values()
            if candidate.kind is other
            and candidate.status is ListingStatus.OPEN
            and candidate.category is listing.category
        ]

    async def open_listing_ids_of(self, organisation_id: str, limit: int) -> list[str]:
        return [
            listing.id
            for listing in self.listings.values()
            if listing.organisation_id == organisation_id and listing.status is ListingStatus.OPEN
        ][:limit]

    async def listing_ids_due(self, now: dt.datetime, limit: int) -> list[str]:
        due = [
            listing
            for listing in self.listings.values()
            if listing.status is ListingStatus.OPEN and listing.expires_at <= now
        ]
        return [listing.id for listing in sorted(due, key=lambda item: item.expires_at)][:limit]

    async def known_pairs(self, pair_ids: Sequence[str]) -> set[str]:
        return {pair for pair in pair_ids if pair in self.matches}

    async def add_match(
        self, match: RecordedMatch, events: Sequence[Payload], correlation_id: str | None
    ) -> bool:
        if match.pair_id in self.matches:
            return False
        self.matches[match.pair_id] = match
        self.published.extend(events)
        return True

    async def matches_of(
        self, organisation_id: str, paging: Paging
    ) -> tuple[list[RecordedMatch], int]:
        found = [
            m
            for m in self.matches.values()
            if organisation_id in m.organisation_ids and organisation_id not in m.dismissed_by
        ]
        found.sort(key=lambda m: (m.found_at, m.match_id), reverse=True)
        return paging.page_of(found)

    async def get_match(self, match_id: str) -> RecordedMatch | None:
        return next((m for m in self.matches.values() if m.match_id == match_id), None)

    async def update_match(
        self, match_id: str, change: MatchChange, correlation_id: str | None
    ) -> RecordedMatch | None:
        current = await self.get_match(match_id)
        return None if current is None else self._changed(self.matches, current.pair_id, change)

    async def matches_rated_since(self, since: dt.datetime) -> list[RecordedMatch]:
        return [
            m
            for m in self.matches.values()
            if m.last_rated_at is not None and m.last_rated_at >= since
        ]

    async def listings_fulfilled_since(self, since: dt.datetime) -> list[Listing]:
        return [
            listing
            for listing in self.listings.values()
            if listing.status is ListingStatus.FULFILLED and listing.updated_at >= since
        ]

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None:
        return self.organisations.get(organisation_id)

    async def project_organisation(self, organisation: KnownOrganisation) -> None:
        known = self.organisations.get(organisation.id)
        if known is None or known.revision < organisation.revision:
            self.organisations[organisation.id] = organisation
