"""The calendar as the portal uses it: events, conflicts, co-organising, the iCalendar feeds."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from services.portal.clients.base import Page, Published, ServiceClient, View


class Venue(View):
    name: str | None = None
    room: str | None = None
    address: str | None = None


class Event(Published):
    event_id: str = ""
    starts_at: str = ""
    ends_at: str = ""
    all_day: bool = False
    venue: Venue | None = None
    recurrence: dict[str, Any] | None = None
    series: bool = False
    co_organiser_ids: list[str] = Field(default_factory=list)
    audience: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    fields: list[str] = Field(default_factory=list)
    visibility: str = "public"


class Saved(View):
    """What planning an event gives: the event, and the conflicts it already has."""

    event: Event | None = None
    conflicts: list[dict[str, Any]] = Field(default_factory=list)


class Conflict(View):
    kind: str = ""
    event_id: str = ""
    event_title: str = ""
    other_event_id: str = ""
    other_event_title: str = ""
    overlap_starts_at: str = ""
    overlap_ends_at: str = ""


#: What each co-organising button asks: (method, path after /events/{id}/co-organisers/{org}).
CO_ORGANISER_ACTIONS = {
    "accept": ("POST", "/accept"),
    "decline": ("POST", "/decline"),
    "leave": ("DELETE", ""),
}


class CalendarClient(ServiceClient):
    service = "calendar"

    async def events(self, *, token: str | None = None, **params: Any) -> Page[Event]:
        return await self._page(Event, "/events", params=params, token=token)

    async def event(self, event_id: str, token: str | None = None) -> Event:
        return await self._read(Event, "GET", f"/events/{event_id}", token=token)

    async def plan(self, body: dict[str, Any], token: str, *, override: bool) -> Saved:
        """A `room-clash` problem carries the events holding the room (`Problem.clashes`)."""
        params = {"override": "true"} if override else None
        return await self._read(Saved, "POST", "/events", json=body, params=params, token=token)

    async def conflicts(self, organisation_id: str, token: str, limit: int = 100) -> Page[Conflict]:
        params = {"organisation": organisation_id, "limit": limit}
        return await self._page(Conflict, "/conflicts", params=params, token=token)

    async def co_organiser_invitations(self, organisation_id: str, token: str) -> list[Event]:
        params = {"organisation": organisation_id}
        return await self._read(
            list[Event], "GET", "/co-organiser-invitations", params=params, token=token
        )

    async def answer_co_organising(
        self, event_id: str, organisation_id: str, action: str, token: str
    ) -> None:
        """`action` is a key of `CO_ORGANISER_ACTIONS`."""
        method, suffix = CO_ORGANISER_ACTIONS[action]
        path = f"/events/{event_id}/co-organisers/{organisation_id}{suffix}"
        await self._call(method, path, token=token)

    async def event_file(self, event_id: str, token: str | None = None) -> str:
        """One event as an iCalendar file (the same entry as in the feeds); a network event
        only with the session."""
        return await self._read(str, "GET", f"/events/{event_id}/calendar.ics", token=token)

    async def feed(self, organisation_id: str | None, params: list[tuple[str, str]]) -> str:
        """The public iCalendar feed of the network, or of one organisation."""
        path = f"/organisations/{organisation_id}/calendar.ics" if organisation_id else ""
        return await self._read(str, "GET", path or "/calendar.ics", params=params)
