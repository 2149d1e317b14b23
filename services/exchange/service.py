"""The exchange's use cases: posting, editing and closing listings, matching them, keeping the
projection of organisations, and taking expired listings down."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

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
from services.exchange.posted_matching import PostedMatching
from services.exchange.repository import (
    ExchangeRepository,
    ListingFilters,
    Rating,
    RecordedMatch,
)
from services.exchange.settings import ExchangeSettings
from shared.auth import Principal
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.contracts.directory import OrganisationFacts, OrganisationStatus
from shared.contracts.exchange import (
    ListingCategory,
    ListingFacts,
    ListingKind,
    ListingStatus,
    MatchSide,
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
from shared.pages import Paging
from shared.projection import KnownOrganisation

log = logging.getLogger("integrationsnetz.exchange")

#: What an editor does to a listing: (current, now) → its new state and the event, or no event
#: when nothing changed.
OwnerChange = Callable[[Listing, dt.datetime], tuple[Listing, ListingFacts | None]]


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
    #: Each side's latest rating ("passt" / "passt nicht").
    ratings: Mapping[MatchSide, Rating] = field(default_factory=dict)


def _not_found(kind: ListingKind) -> ApplicationError:
    return NotFoundError(f"No {kind.value} with this id.", slug=f"no-such-{kind.value}")


@contextmanager
def _refusals() -> Iterator[None]:
    """The listing rules' refusals, as application errors."""
    try:
        yield
    except ListingClosedError as exc:
        raise ConflictError(str(exc), slug="listing-closed") from exc
    except ListingRejectedError as exc:
        raise RejectedError(str(exc), slug=exc.slug, fields=exc.fields) from exc


class Exchange:
    def __init__(
        self,
        store: ExchangeRepository,
        settings: ExchangeSettings,
        posted_matching: PostedMatching | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.posted_matching = posted_matching or PostedMatching()

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
        with _refusals():
            listing, event = post_listing(new_id(), kind, data, utc_now())
        async with self.posted_matching.matching(listing.id) as matched:
            await self.store.add_listing(listing, [event], correlation_id)
            try:
                await self._match(listing, utc_now(), correlation_id, fresh=True)
            except Exception:  # the listing is stored: the consumer of its event matches it
                log.warning("matching %s at posting failed", listing.id, exc_info=True)
            else:
                matched.set_result(True)
        return listing

    async def find(self, filters: ListingFilters, paging: Paging) -> tuple[list[Listing], int]:
        return await self.store.find_listings(filters, paging)

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
        def by_patch(current: Listing, now: dt.datetime) -> tuple[Listing, ListingFacts | None]:
            return edit_listing(current, patch, now)

        return await self._change(kind, listing_id, user, by_patch, correlation_id)

    async def withdraw(
        self, kind: ListingKind, listing_id: str, user: Principal, correlation_id: str | None
    ) -> Listing:
        def by_owner(current: Listing, now: dt.datetime) -> tuple[Listing, ListingFacts]:
            return withdraw_listing(current, WithdrawalReason.WITHDRAWN_BY_OWNER, now)

        return await self._change(kind, listing_id, user, by_owner, correlation_id)

    async def fulfil(
        self,
        kind: ListingKind,
        listing_id: str,
        user: Principal,
        correlation_id: str | None,
        through_match_id: str | None = None,
    ) -> Listing:
        """Close a listing as fulfilled; `through_match_id` names the match through which it
        was, and must be one of the listing's own."""
        if through_match_id is not None:
            listing = await self.listing(kind, listing_id)
            self._require_editor(listing.organisation_id, user)
            match = await self.store.get_match(through_match_id)
            if match is None or listing_id not in (match.offer_id, match.request_id):
                raise RejectedError(
                    f"`through_match_id` is not a match of this {kind.value}.",
                    slug="not-a-match-of-this-listing",
                    fields=["through_match_id"],
                )

        def through(current: Listing, now: dt.datetime) -> tuple[Listing, ListingFacts]:
            return fulfil_listing(current, now, through_match_id)

        return await self._change(kind, listing_id, user, through, correlation_id)

    async def _change(
        self,
        kind: ListingKind,
        listing_id: str,
        user: Principal,
        change: OwnerChange,
        correlation_id: str | None,
    ) -> Listing:
        """Apply an editor's change to the listing as stored; the listing unchanged when the
        change has no event."""
        listing = await self.listing(kind, listing_id)
        self._require_editor(listing.organisation_id, user)
        now = utc_now()

        def apply(current: Listing) -> tuple[Listing, list[Payload]] | None:
            with _refusals():
                changed, event = change(current, now)
            return None if event is None else (changed, [event])

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
                slug="not-an-editor",
            )

    # matching ----------------------------------------------------------------------------

    async def match_listing(self, listing_id: str, correlation_id: str | None) -> list[MatchResult]:
        """Match a posted or edited listing against the open listings of the other kind;
        returns the pairs matched for the first time (each published once as MatchFound)."""
        listing = await self.store.get_listing(listing_id)
        if listing is None:
            return []
        return await self._match(listing, utc_now(), correlation_id, fresh=False)

    async def _match(
        self, listing: Listing, now: dt.datetime, correlation_id: str | None, *, fresh: bool
    ) -> list[MatchResult]:
        """Record the matches of `listing` not recorded before. A `fresh` listing (written a
        moment ago) has no pairs but those a counterpart posted at the same time recorded,
        which its unique pair key refuses, so they are not looked up first."""
        if not is_matchable(listing, now):
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
        known = set() if fresh else await self.store.known_pairs([r.pair_id for r in results])
        matched = []
        # a rank counts every fit of this listing, so one found again keeps its place
        for rank, result in enumerate(results, start=1):
            if result.pair_id in known:
                continue
            match = RecordedMatch.of(result, new_id(), now)
            event = match.found(result.details, rank=rank)
            if await self.store.add_match(match, [event], correlation_id):
                matched.append(result)
        return matched

    async def matches_of(
        self, organisation_id: str, user: Principal, paging: Paging
    ) -> tuple[list[StoredMatch], int]:
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may see its matches.",
                slug="not-an-editor",
            )
        recorded, total = await self.store.matches_of(organisation_id, paging)
        listing_ids = [i for match in recorded for i in (match.offer_id, match.request_id)]
        listings = await self.store.listings_by_id(listing_ids)
        matches = [
            StoredMatch(
                id=match.match_id,
                offer=listings[match.offer_id],
                request=listings[match.request_id],
                category=match.category,
                score=match.score,
                reasons=match.reasons,
                found_at=match.found_at,
                ratings=match.ratings,
            )
            for match in recorded
        ]
        return matches, total

    # the projection of organisations -----------------------------------------------------

    async def apply_organisation(
        self, facts: OrganisationFacts, correlation_id: str | None
    ) -> None:
        """Keep the newest state of an organisation; once it is archived, withdraw its open
        listings (again on redelivery, so an interrupted run finishes)."""
        await self.store.project_organisation(KnownOrganisation.of(facts))
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
