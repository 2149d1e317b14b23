"""The notifier as the portal uses it: subscriptions, an organisation's email notices, and the
delivery log for office staff."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from services.portal.clients.base import Page, ServiceClient, View


class Filters(View):
    """What a subscription narrows its topics by (empty: everything)."""

    categories: list[str] = Field(default_factory=list)
    districts: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    organisation_ids: list[str] = Field(default_factory=list)


class Subscription(View):
    id: str = ""
    topics: list[str] = Field(default_factory=list)
    filters: Filters = Filters()
    delivery: str = ""


class Notice(View):
    notice: str = ""
    enabled: bool = True
    disabled_at: str | None = None
    cadence: str = "immediate"


class Notices(View):
    contact_email: str | None = None
    notices: list[Notice] = Field(default_factory=list)


class Delivery(View):
    id: str = ""
    template: str = ""
    recipient: str | None = None
    status: str = ""
    attempts: int = 0
    created_at: str | None = None
    sent_at: str | None = None
    next_attempt_at: str | None = None
    last_error: str | None = None
    redacted_at: str | None = None


class NotifierClient(ServiceClient):
    service = "notifier"

    async def subscriptions(self, organisation_id: str, token: str) -> Page[Subscription]:
        """The organisation's active subscriptions."""
        params = {"organisation_id": organisation_id, "status": "active", "limit": 100}
        return await self._page(Subscription, "/subscriptions", params=params, token=token)

    async def subscribe(self, body: dict[str, Any], token: str | None) -> None:
        await self._call("POST", "/subscriptions", json=body, token=token)

    async def end_subscription(self, subscription_id: str, token: str) -> None:
        await self._call("DELETE", f"/subscriptions/{subscription_id}", token=token)

    async def notices(self, organisation_id: str, token: str) -> Notices:
        return await self._read(
            Notices, "GET", f"/organisations/{organisation_id}/notices", token=token
        )

    async def switch_notice(
        self,
        organisation_id: str,
        notice: str,
        token: str,
        *,
        enabled: bool | None = None,
        cadence: str | None = None,
    ) -> None:
        path = f"/organisations/{organisation_id}/notices/{notice}"
        change = {"enabled": enabled, "cadence": cadence}
        body = {key: value for key, value in change.items() if value is not None}
        await self._call("PUT", path, json=body, token=token)

    async def deliveries(self, token: str, **params: Any) -> Page[Delivery]:
        return await self._page(Delivery, "/deliveries", params=params, token=token)
