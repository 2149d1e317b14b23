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


class Match(View):
    id: str = ""
    offer: Side = Side()
    request: Side = Side()
    reasons: list[str] = Field(default_factory=list)


class ExchangeClient(ServiceClient):
    service = "exchange"

    async def listings(self, collection: Collection, **params: Any) -> Page[Listing]:
        return await self._page(Listing, f"/{collection}", params=params)

    async def listing(self, collection: Collection, listing_id: str) -> Listing:
        return await self._read(Listing, "GET", f"/{collection}/{listing_id}")

    async def post(self, collection: Collection, body: dict[str, Any], token: str) -> Listing:
        return await self._read(Listing, "POST", f"/{collection}", json=body, token=token)

    async def close(self, collection: Collection, listing_id: str, action: str, token: str) -> None:
        """`action` is "fulfil" or "withdraw"."""
        await self._call("POST", f"/{collection}/{listing_id}/{action}", token=token)

    async def matches(self, organisation_id: str, token: str) -> Page[Match]:
        params = {"organisation": organisation_id}
        return await self._page(Match, "/matches", params=params, token=token)
