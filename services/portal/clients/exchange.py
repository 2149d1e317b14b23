"""The exchange as the portal uses it: offers and requests ("listings") and their matches."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from services.portal.clients.base import Page, Published, ServiceClient, View

Collection = Literal["offers", "requests"]


class Listing(Published):
    kind: str = ""
    category: str = ""
    tags: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    available_from: str | None = None
    available_until: str | None = None
    quantity: int | None = None


class Side(View):
    id: str = ""
    title: str = ""
    organisation_id: str = ""


class Rating(View):
    verdict: str = ""
    via: str = ""
    rated_at: str = ""


class Match(View):
    id: str = ""
    category: str = ""
    offer: Side = Side()
    request: Side = Side()
    reasons: list[str] = Field(default_factory=list)
    score: float = 0.0
    #: Each side's latest rating, by side (`offer`, `request`).
    ratings: dict[str, Rating] = Field(default_factory=dict)

    def side_of(self, organisation_id: str) -> str | None:
        if self.offer.organisation_id == organisation_id:
            return "offer"
        if self.request.organisation_id == organisation_id:
            return "request"
        return None

    def verdict_of(self, organisation_id: str) -> str | None:
        """What the organisation's side said of the match so far (None: nothing)."""
        side = self.side_of(organisation_id)
        rating = self.ratings.get(side) if side else None
        return rating.verdict if rating else None

    def other(self, organisation_id: str) -> Side:
        """The listing of the other side."""
        return self.request if self.side_of(organisation_id) == "offer" else self.offer


class FeedbackLink(View):
    """What a feedback link from a match email would record."""

    match_id: str = ""
    category: str = ""
    offer_title: str = ""
    request_title: str = ""
    side: str = ""
    verdict: str = ""
    current_verdict: str | None = None


class SideRating(View):
    match_id: str = ""
    side: str = ""
    verdict: str = ""


class PrecisionRow(View):
    month: str = ""
    category: str = ""
    fits: int = 0
    does_not_fit: int = 0
    precision: float | None = None


class FulfilmentRow(View):
    month: str = ""
    fulfilled: int = 0
    through_match: int = 0


class ExchangeClient(ServiceClient):
    service = "exchange"

    async def listings(self, collection: Collection, **params: Any) -> Page[Listing]:
        return await self._page(Listing, f"/{collection}", params=params)

    async def listing(self, collection: Collection, listing_id: str) -> Listing:
        return await self._read(Listing, "GET", f"/{collection}/{listing_id}")

    async def post(self, collection: Collection, body: dict[str, Any], token: str) -> Listing:
        return await self._read(Listing, "POST", f"/{collection}", json=body, token=token)

    async def close(
        self,
        collection: Collection,
        listing_id: str,
        action: str,
        token: str,
        through_match_id: str | None = None,
    ) -> None:
        """`action` is "fulfil" (through one of the listing's matches, if named) or
        "withdraw"."""
        body = {"through_match_id": through_match_id} if through_match_id else None
        await self._call("POST", f"/{collection}/{listing_id}/{action}", json=body, token=token)

    async def matches(self, organisation_id: str, token: str, **params: Any) -> Page[Match]:
        params = {"organisation": organisation_id, **params}
        return await self._page(Match, "/matches", params=params, token=token)

    async def rate(self, match_id: str, organisation_id: str, verdict: str, token: str) -> None:
        """Rate a match for one of its organisations ("fits" or "does_not_fit")."""
        body = {"organisation_id": organisation_id, "verdict": verdict}
        await self._call("POST", f"/matches/{match_id}/rating", json=body, token=token)

    async def feedback_link(self, link_token: str) -> FeedbackLink:
        """What a feedback link from a match email would record (records nothing)."""
        params = {"token": link_token}
        return await self._read(FeedbackLink, "GET", "/match-feedback", params=params)

    async def rate_by_link(self, link_token: str) -> SideRating:
        """Record the rating of a feedback link from a match email."""
        body = {"token": link_token}
        return await self._read(SideRating, "POST", "/match-feedback", json=body)

    async def match_precision(self, token: str, months: int) -> list[PrecisionRow]:
        params = {"months": months}
        path = "/reports/match-precision"
        return await self._read(list[PrecisionRow], "GET", path, params=params, token=token)

    async def fulfilments(self, token: str, months: int) -> list[FulfilmentRow]:
        params = {"months": months}
        path = "/reports/fulfilments"
        return await self._read(list[FulfilmentRow], "GET", path, params=params, token=token)
