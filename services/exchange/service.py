"""The exchange's use cases: posting, editing and closing listings, matching them, keeping the
projection of organisations, and taking expired listings down."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from services.exchange.domain import (
    Listing,
    ListingClosedError,
    ListingCreate,
    ListingPatch,
    ListingRejectedError,
    edit_listing,
    expire_listing,
    fulfil_listing,
    post_listing,
    withdraw_listing,
)
from services.exchange.matching import MatchResult, find_matches, is_matchable
from services.exchange.settings import ExchangeSettings
from services.exchange.store import (
    ListingChange,
    ListingFilters,
    ProjectedOrganisation,
    match_document,
)
from shared.auth import Principal
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.contracts.directory import OrganisationFacts, OrganisationStatus
from shared.contracts.exchange import (
    ListingCategory,
    ListingFacts,
    ListingKind,
    ListingStatus,
    MatchFound,
    WithdrawalReason,
)
from shared.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RejectedError,
)
from shared.ids import new_id
from shared.mongo import Document

log = logging.getLogger("integrationsnetz.exchange")

#: How a listing is closed: (current, now) → its new state and the event.
Closing = Callable[[Listing, dt.datetime], tuple[Listing, ListingFacts]]


@dataclass(frozen=True)
class StoredMatch:
    """A match as shown to the organisations concerned, with both listings as they are now."""

    id: str
    offer: Listing
    request: Listing
    category: ListingCategory
    score: float
    reasons: list[str]
    found_at: dt.datetime


def _not_found(kind: ListingKind) -> ApplicationError:
    return NotFoundError(f"No {kind.value} with this id.")


class ExchangeRepository(Protocol):
    """What the exchange's use cases need of storage: `ExchangeStore` on MongoDB, or an
    in-memory twin in the use-case tests."""

    async def add_listing(
        self, listing: Listing, events: Sequence[Payload], correlation_id: str | None
    ) -> None: ...

    async def update_listing(
        self, listing_id: str, change: ListingChange, correlation_id: str | None
    ) -> Listing | None: ...

    async def get_listing(self, listing_id: str) -> Listing | None: ...

    async def listings_by_id(self, listing_ids: Sequence[str]) -> dict[str, Listing]: ...

    async def find_listings(
        self, filters: ListingFilters, *, limit: int, offset: int
    ) -> tuple[list[Listing], int]: ...

    async def match_candidates(self, listing: Listing) -> list[Listing]: ...

    async def open_listing_ids_of(self, organisation_id: str, limit: int) -> list[str]: ...

    async def listing_ids_due(self, now: dt.datetime, limit: int) -> list[str]: ...

    async def known_pairs(self, pair_ids: Sequence[str]) -> set[str]: ...

    async def add_match(
        self, doc: Document, events: Sequence[Payload], correlation_id: str | None
    ) -> bool: ...

    async def matches_of(
        self, organisation_id: str, *, limit: int, offset: int
    ) -> tuple[list[Document], int]: ...

    async def get_organisation(self, organisation_id: str) -> ProjectedOrganisation | None: ...

    async def project_organisation(self, organisation: ProjectedOrganisation) -> None: ...


class Exchange:
    def __init__(self, store: ExchangeRepository, settings: ExchangeSettings) -> None:
        self.store = store
        self.settings = settings

    # listings ----------------------------------------------------------------------------

    async def post(
        self,
        kind: ListingKind,
        data: ListingCreate,
        user: Principal,
        correlation_id: str | None,
    ) -> Listing:
        self._require_editor(data.organisation_id, user)
        organisation = await self.store.get_organisation(data.organisation_id)
        if organisation is None:
            raise RejectedError(
                "The exchange does not know this organisation (yet): it must be registered in "
                "the directory; a new registration arrives here within seconds.",
                slug="unknown-organisation",
            )
        if organisation.status is OrganisationStatus.ARCHIVED:
            raise ConflictError(
                "This organisation has left the network; it cannot post listings.",
                slug="organisation-archived",
            )
        try:
            listing, event = post_listing(new_id(), kind, data, utc_now())
        except ListingRejectedError as exc:
            raise RejectedError(str(exc), slug=exc.slug, fields=exc.fields) from exc
        await self.store.add_listing(listing, [event], correlation_id)
        return listing

    async def find(
        self, filters: ListingFilters, *, limit: int, offset: int
    ) -> tuple[list[Listing], int]:
        return await self.store.find_listings(filters, limit=limit, offset=offset)

    async def listing(self, kind: ListingKind, listing_id: str) -> Listing:
        listing = await self.store.get_listing(listing_id)
        if listing is None or listing.kind is not kind:
            raise _not_found(kind)
        return listing

    async def edit(
        self,
        kind: ListingKind,
        listing_id: str,
        patch: ListingPatch,
        user: Principal,
        correlation_id: str | None,
    ) -> Listing:
        listing = await self.listing(kind, listing_id)
        self._require_editor(listing.organisation_id, user)
        now = utc_now()

        def apply(current: Listing) -> tuple[Listing, list[Payload]] | None:
            try:
                edited, event = edit_listing(current, patch, now)
            except ListingClosedError as exc:
                raise ConflictError(str(exc), slug="listing-closed") from exc
            except ListingRejectedError as exc:
                raise RejectedError(str(exc), slug=exc.slug, fields=exc.fields) from exc
            return None if event is None else (edited, [event])

        return await self._write(kind, listing_id, apply, correlation_id)

    async def withdraw(
        self, kind: ListingKind, listing_id: str, user: Principal, correlation_id: str | None
    ) -> Listing:
        def by_owner(current: Listing, now: dt.datetime) -> tuple[Listing, ListingFacts]:
            return withdraw_listing(current, WithdrawalReason.WITHDRAWN_BY_OWNER, now)

        return await self._close(kind, listing_id, user, by_owner, correlation_id)

    async def fulfil(
        self, kind: ListingKind, listing_id: str, user: Principal, correlation_id: str | None
    ) -> Listing:
        return await self._close(kind, listing_id, user, fulfil_listing, correlation_id)

    async def _close(
        self,
        kind: ListingKind,
        listing_id: str,
        user: Principal,
        closing: Closing,
        correlation_id: str | None,
    ) -> Listing:
        listing = await self.listing(kind, listing_id)
        self._require_editor(listing.organisation_id, user)
        now = utc_now()

        def apply(current: Listing) -> tuple[Listing, list[Payload]]:
            try:
                closed, event = closing(current, now)
            except ListingClosedError as exc:
                raise ConflictError(str(exc), slug="listing-closed") from exc
            return closed, [event]

        return await self._write(kind, listing_id, apply, correlation_id)

    async def _write(
        self,
        kind: ListingKind,
        listing_id: str,
        apply: ListingChange,
        correlation_id: str | None,
    ) -> Listing:
        stored = await self.store.update_listing(listing_id, apply, correlation_id)
        if stored is None:
            raise _not_found(kind)
        return stored

    async def _withdraw_on_behalf_of_the_network(
        self,
        listing_id: str,
        reason: WithdrawalReason,
        now: dt.datetime,
        correlation_id: str | None,
    ) -> bool:
        """Close a listing the owner did not close (expired, organisation archived); False
        when it was closed already, or is not due to expire."""
        closed = False

        def apply(current: Listing) -> tuple[Listing, list[Payload]] | None:
            nonlocal closed
            if reason is WithdrawalReason.EXPIRED:
                change = expire_listing(current, now)
            elif current.status is ListingStatus.OPEN:
                change = withdraw_listing(current, reason, now)
            else:
                change = None
            closed = change is not None
            if change is None:
                return None
            return change[0], [change[1]]

        await self.store.update_listing(listing_id, apply, correlation_id)
        return closed

    @staticmethod
    def _require_editor(organisation_id: str, user: Principal) -> None:
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may post or change its "
                "listings.",
            )

    # matching ----------------------------------------------------------------------------

    async def match_listing(self, listing_id: str, correlation_id: str | None) -> list[MatchResult]:
        """Match a posted or edited listing against the open listings of the other kind;
        returns the pairs matched for the first time (each published once as MatchFound)."""
        now = utc_now()
        listing = await self.store.get_listing(listing_id)
        if listing is None or not is_matchable(listing, now):
            return []
        organisation = await self.store.get_organisation(listing.organisation_id)
        if organisation is not None and organisation.status is OrganisationStatus.ARCHIVED:
            # posted while the archiving was being handled: close it like the others
            await self._withdraw_on_behalf_of_the_network(
                listing.id, WithdrawalReason.ORGANISATION_ARCHIVED, now, correlation_id
            )
            return []
        results = find_matches(listing, await self.store.match_candidates(listing), now)
        if not results:
            return []
        known = await self.store.known_pairs([result.pair_id for result in results])
        matched = []
        for result in results:
            if result.pair_id in known:
                continue
            match_id = new_id()
            event = MatchFound(
                match_id=match_id,
                offer_id=result.offer.id,
                request_id=result.request.id,
                offer_organisation_id=result.offer.organisation_id,
                request_organisation_id=result.request.organisation_id,
                category=result.offer.category,
                score=result.score,
                reasons=list(result.reasons),
                reason_details=list(result.details),
                offer_title=result.offer.title,
                request_title=result.request.title,
                found_at=now,
            )
            document = match_document(result, match_id, now)
            if await self.store.add_match(document, [event], correlation_id):
                matched.append(result)
        return matched

    async def matches_of(
        self, organisation_id: str, user: Principal, *, limit: int, offset: int
    ) -> tuple[list[StoredMatch], int]:
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may see its matches."
            )
        docs, total = await self.store.matches_of(organisation_id, limit=limit, offset=offset)
        listing_ids = [doc[key] for doc in docs for key in ("offer_id", "request_id")]
        listings = await self.store.listings_by_id(listing_ids)
        matches = [
            StoredMatch(
                id=doc["match_id"],
                offer=listings[doc["offer_id"]],
                request=listings[doc["request_id"]],
                category=ListingCategory(doc["category"]),
                score=float(doc["score"]),
                reasons=list(doc["reasons"]),
                found_at=doc["found_at"],
            )
            for doc in docs
        ]
        return matches, total

    # the projection of organisations -----------------------------------------------------

    async def apply_organisation(
        self, facts: OrganisationFacts, correlation_id: str | None
    ) -> None:
        """Keep the newest state of an organisation; once it is archived, withdraw its open
        listings (again on redelivery, so an interrupted run finishes)."""
        await self.store.project_organisation(
            ProjectedOrganisation(
                id=facts.organisation_id,
                name=facts.name,
                status=facts.status,
                revision=facts.revision,
            )
        )
        current = await self.store.get_organisation(facts.organisation_id)
        if current is not None and current.status is OrganisationStatus.ARCHIVED:
            await self.withdraw_open_listings_of(facts.organisation_id, correlation_id)

    async def withdraw_open_listings_of(
        self, organisation_id: str, correlation_id: str | None
    ) -> int:
        now = utc_now()
        withdrawn = 0
        while True:
            batch = await self.store.open_listing_ids_of(
                organisation_id, self.settings.closing_batch_size
            )
            closed = 0
            for listing_id in batch:
                closed += await self._withdraw_on_behalf_of_the_network(
                    listing_id, WithdrawalReason.ORGANISATION_ARCHIVED, now, correlation_id
                )
            withdrawn += closed
            if not closed:
                return withdrawn

    # expiry ------------------------------------------------------------------------------

    async def expire_due(self, now: dt.datetime | None = None) -> int:
        """Take down every open listing past its `expires_at`; returns how many."""
        now = now or utc_now()
        batch_size = self.settings.closing_batch_size
        expired = 0
        while True:
            batch = await self.store.listing_ids_due(now, batch_size)
            closed = 0
            for listing_id in batch:
                closed += await self._withdraw_on_behalf_of_the_network(
                    listing_id, WithdrawalReason.EXPIRED, now, None
                )
            expired += closed
            if len(batch) < batch_size or not closed:
                return expired

    async def expiry_pass(self) -> None:
        """One sweep for expired listings (the runtime runs it every `expiry_sweep_seconds`)."""
        expired = await self.expire_due()
        if expired:
            log.info("expired %d listings", expired)
