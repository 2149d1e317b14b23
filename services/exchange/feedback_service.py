"""The use cases of the feedback on matches: a side rates a match in the portal or with the
signed link from its match email, and the office reads the figures per month (how often the
matches of a category fitted; how many listings were fulfilled through a match)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.exchange.feedback import (
    FulfilmentRow,
    PrecisionRow,
    fulfilments_by_month,
    precision_by_month,
    rate_match,
    side_of,
    start_of_months_back,
)
from services.exchange.repository import MatchFeedbackRepository, Rating, RecordedMatch
from shared.auth import Principal
from shared.clock import BERLIN, Clock, utc_now
from shared.contracts.base import Payload
from shared.contracts.exchange import MatchSide, MatchVerdict, RatingChannel
from shared.errors import (
    ApplicationError,
    ForbiddenError,
    GoneError,
    MalformedError,
    NotFoundError,
)
from shared.match_feedback import FeedbackClaim, FeedbackSigner, FeedbackTokenError


@dataclass(frozen=True)
class SideRating:
    """One side's rating of a match, as it stands after rating."""

    match_id: str
    side: MatchSide
    rating: Rating


@dataclass(frozen=True)
class LinkedMatch:
    """What a feedback link is about: the match, the side and the verdict it would record,
    and what that side said so far (None: nothing)."""

    match: RecordedMatch
    side: MatchSide
    verdict: MatchVerdict
    current: Rating | None


def _no_such_match() -> ApplicationError:
    return NotFoundError("No match with this id.", slug="no-such-match")


def _token_problem(exc: FeedbackTokenError) -> ApplicationError:
    kind = GoneError if exc.reason == "expired" else MalformedError
    return kind(exc.detail, slug=f"{exc.reason}-token")


def _office_only(user: Principal) -> None:
    if not user.is_admin:
        raise ForbiddenError("Only office staff see these figures.", slug="office-only")


class MatchFeedback:
    """Ratings of matches ("passt" / "passt nicht") and the office's figures."""

    def __init__(
        self, store: MatchFeedbackRepository, signer: FeedbackSigner, clock: Clock = utc_now
    ) -> None:
        self.store = store
        self.signer = signer
        self.clock = clock

    # rating --------------------------------------------------------------------------------

    async def rate_as_member(
        self,
        match_id: str,
        organisation_id: str,
        verdict: MatchVerdict,
        user: Principal,
        correlation_id: str | None,
    ) -> SideRating:
        """A member of one of the match's organisations (or office staff acting for it) rates
        it in the portal."""
        match = await self.store.get_match(match_id)
        # a match is for its two organisations and the office only: others learn nothing of it
        if match is None or not any(user.may_edit(o) for o in match.organisation_ids):
            raise _no_such_match()
        side = side_of(match, organisation_id)
        if side is None:
            raise ForbiddenError(
                "This organisation is on neither side of the match.", slug="not-involved"
            )
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may rate its matches.",
                slug="not-an-editor",
            )
        return await self._rate(match_id, side, verdict, RatingChannel.PORTAL, correlation_id)

    async def link(self, token: str) -> LinkedMatch:
        """What a feedback link would record (for the page with the button), without
        recording it."""
        claim = self._claim(token)
        match = await self.store.get_match(claim.match_id)
        if match is None:
            raise _no_such_match()
        return LinkedMatch(match, claim.side, claim.verdict, match.ratings.get(claim.side))

    async def rate_by_link(self, token: str, correlation_id: str | None) -> SideRating:
        """The button behind a feedback link from a match email: the token names the match,
        the side and the verdict, and proves the notifier wrote it to that side."""
        claim = self._claim(token)
        return await self._rate(
            claim.match_id, claim.side, claim.verdict, RatingChannel.EMAIL, correlation_id
        )

    def _claim(self, token: str) -> FeedbackClaim:
        try:
            return self.signer.verify(token, now=int(self.clock().timestamp()))
        except FeedbackTokenError as exc:
            raise _token_problem(exc) from exc

    async def _rate(
        self,
        match_id: str,
        side: MatchSide,
        verdict: MatchVerdict,
        via: RatingChannel,
        correlation_id: str | None,
    ) -> SideRating:
        now = self.clock()

        def apply(current: RecordedMatch) -> tuple[RecordedMatch, list[Payload]] | None:
            rated = rate_match(current, side, verdict, via, now)
            return None if rated is None else (rated[0], [rated[1]])

        stored = await self.store.update_match(match_id, apply, correlation_id)
        if stored is None:
            raise _no_such_match()
        return SideRating(match_id, side, stored.ratings[side])

    # the office's figures ------------------------------------------------------------------

    def _since(self, months: int) -> dt.datetime:
        return start_of_months_back(self.clock(), months, BERLIN)

    async def precision(self, user: Principal, months: int) -> list[PrecisionRow]:
        """Per month and category: how many ratings said "passt" and "passt nicht"."""
        _office_only(user)
        since = self._since(months)
        return precision_by_month(await self.store.matches_rated_since(since), since, BERLIN)

    async def fulfilments(self, user: Principal, months: int) -> list[FulfilmentRow]:
        """Per month: listings fulfilled, and how many of them through a match."""
        _office_only(user)
        since = self._since(months)
        listings = await self.store.listings_fulfilled_since(since)
        return fulfilments_by_month(listings, since, BERLIN)
