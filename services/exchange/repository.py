"""What the exchange's use cases ask of storage, in the exchange's own terms: listings, the
matches found between them, the organisations it knows and what a search asks for.
`ExchangeStore` answers on MongoDB, an in-memory twin in the use-case tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from services.exchange.domain import Listing
from services.exchange.matching import MatchResult
from shared.contracts.base import Payload
from shared.contracts.exchange import (
    ListingCategory,
    ListingKind,
    ListingStatus,
    MatchFound,
    MatchReason,
    MatchSide,
    MatchVerdict,
    RatingChannel,
)
from shared.pages import Paging
from shared.projection import KnownOrganisation

#: What a use case does to a listing: the changed listing and its events, or None.
ListingChange = Callable[[Listing], tuple[Listing, Sequence[Payload]] | None]
#: What a use case does to a match: the changed match and its events, or None.
MatchChange = Callable[["RecordedMatch"], tuple["RecordedMatch", Sequence[Payload]] | None]


@dataclass(frozen=True)
class ListingFilters:
    """What a search of the exchange's listings asks for; None means "any"."""

    kind: ListingKind
    status: ListingStatus = ListingStatus.OPEN
    category: ListingCategory | None = None
    tag: str | None = None
    district: str | None = None
    language: str | None = None
    organisation_id: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Rating:
    """What one side of a match said of it, and where and when (the latest counts)."""

    verdict: MatchVerdict
    via: RatingChannel
    rated_at: dt.datetime


@dataclass(frozen=True)
class RecordedMatch:
    """A match as the exchange keeps it: one per pair of listings, however often they are
    matched again."""

    pair_id: str
    match_id: str
    offer_id: str
    request_id: str
    offer_organisation_id: str
    request_organisation_id: str
    category: ListingCategory
    score: float
    reasons: list[str]
    offer_title: str
    request_title: str
    found_at: dt.datetime
    #: Each side's latest rating ("passt" / "passt nicht"), if it rated.
    ratings: Mapping[MatchSide, Rating] = field(default_factory=dict)

    @classmethod
    def of(cls, result: MatchResult, match_id: str, found_at: dt.datetime) -> RecordedMatch:
        offer, request = result.offer, result.request
        return cls(
            pair_id=result.pair_id,
            match_id=match_id,
            offer_id=offer.id,
            request_id=request.id,
            offer_organisation_id=offer.organisation_id,
            request_organisation_id=request.organisation_id,
            category=offer.category,
            score=result.score,
            reasons=list(result.reasons),
            offer_title=offer.title,
            request_title=request.title,
            found_at=found_at,
        )

    @property
    def organisation_ids(self) -> list[str]:
        return sorted({self.offer_organisation_id, self.request_organisation_id})

    def found(self, details: Sequence[MatchReason], *, rank: int | None = None) -> MatchFound:
        """The event that announces the match: its facts (all but the pair's key), why the two
        fit as data, and its place among the matches of the listing that found it."""
        facts = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del facts["pair_id"], facts["ratings"]
        return MatchFound(**facts, reason_details=list(details), rank=rank)

    def organisation_of(self, side: MatchSide) -> str:
        if side is MatchSide.OFFER:
            return self.offer_organisation_id
        return self.request_organisation_id

    @property
    def dismissed_by(self) -> list[str]:
        """The organisations whose side said "passt nicht": the match is no longer shown to
        them."""
        return sorted(
            {
                self.organisation_of(side)
                for side, rating in self.ratings.items()
                if rating.verdict is MatchVerdict.DOES_NOT_FIT
            }
        )

    @property
    def last_rated_at(self) -> dt.datetime | None:
        return max((rating.rated_at for rating in self.ratings.values()), default=None)


class ExchangeRepository(Protocol):
    """What the exchange's use cases need of storage."""

    async def add_listing(
        self, listing: Listing, events: Sequence[Payload], correlation_id: str | None
    ) -> None: ...

    async def update_listing(
        self, listing_id: str, change: ListingChange, correlation_id: str | None
    ) -> Listing | None: ...

    async def get_listing(self, listing_id: str) -> Listing | None: ...

    async def listings_by_id(self, listing_ids: Sequence[str]) -> dict[str, Listing]: ...

    async def find_listings(
        self, filters: ListingFilters, paging: Paging
    ) -> tuple[list[Listing], int]: ...

    async def match_candidates(self, listing: Listing) -> list[Listing]: ...

    async def open_listing_ids_of(self, organisation_id: str, limit: int) -> list[str]: ...

    async def listing_ids_due(self, now: dt.datetime, limit: int) -> list[str]: ...

    async def known_pairs(self, pair_ids: Sequence[str]) -> set[str]: ...

    async def add_match(
        self, match: RecordedMatch, events: Sequence[Payload], correlation_id: str | None
    ) -> bool: ...

    async def matches_of(
        self, organisation_id: str, paging: Paging
    ) -> tuple[list[RecordedMatch], int]: ...

    async def get_match(self, match_id: str) -> RecordedMatch | None: ...

    async def get_organisation(self, organisation_id: str) -> KnownOrganisation | None: ...

    async def project_organisation(self, organisation: KnownOrganisation) -> None: ...


class MatchFeedbackRepository(ExchangeRepository, Protocol):
    """What the feedback on matches and the office's figures need of storage besides the
    rest (the same store answers both)."""

    async def update_match(
        self, match_id: str, change: MatchChange, correlation_id: str | None
    ) -> RecordedMatch | None: ...

    async def matches_rated_since(self, since: dt.datetime) -> list[RecordedMatch]: ...

    async def listings_fulfilled_since(self, since: dt.datetime) -> list[Listing]: ...
