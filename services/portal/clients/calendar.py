"""The calendar as the portal uses it: events, conflicts, co-organising, registrations, the
iCalendar feeds."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import Field

from services.portal.clients.base import Page, Published, ServiceClient, View
from services.portal.clients.registration_views import (
    EventCounts,
    GroupCounts,
    LinkedRegistration,
    MyRegistration,
    Participant,
    Registered,
    Registration,
)

Item = TypeVar("Item")


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

    # --- registrations ---------------------------------------------------------------------

    async def registration(self, event_id: str, token: str | None) -> Registration:
        """The event's registration (counts and settings); `registration-not-found` when the
        organisers have not set one up."""
        return await self._read(
            Registration, "GET", f"/events/{event_id}/registration", token=token
        )

    async def set_up_registration(
        self, event_id: str, body: dict[str, Any], token: str
    ) -> Registration:
        path = f"/events/{event_id}/registration"
        return await self._read(Registration, "PUT", path, json=body, token=token)

    async def close_registration(self, event_id: str, token: str) -> None:
        await self._call("DELETE", f"/events/{event_id}/registration", token=token)

    async def register(self, event_id: str, body: dict[str, Any], token: str | None) -> Registered:
        """A member (with `token`) is registered at once; anyone else gets a confirm link."""
        path = f"/events/{event_id}/registrations"
        return await self._read(Registered, "POST", path, json=body, token=token)

    async def registration_link(self, link_token: str) -> LinkedRegistration:
        """What an emailed confirm or cancel link is about; changes nothing."""
        params = {"token": link_token}
        return await self._read(LinkedRegistration, "GET", "/registrations/by-token", params=params)

    async def confirm_registration(self, link_token: str) -> Registered:
        body = {"token": link_token}
        return await self._read(Registered, "POST", "/registrations/confirm", json=body)

    async def cancel_by_link(self, link_token: str) -> None:
        await self._call("POST", "/registrations/cancel", json={"token": link_token})

    async def cancel_registration(self, event_id: str, registration_id: str, token: str) -> None:
        path = f"/events/{event_id}/registrations/{registration_id}"
        await self._call("DELETE", path, token=token)

    async def my_registrations(self, token: str) -> list[MyRegistration]:
        return await self._items(MyRegistration, "/me/registrations", token=token)

    async def participants(self, event_id: str, token: str) -> list[Participant]:
        path = f"/events/{event_id}/registrations"
        return await self._items(Participant, path, token=token, params={"limit": 500})

    async def participants_csv(self, event_id: str, token: str) -> bytes:
        """The calendar's spreadsheet of the participants, passed through as it is."""
        path = f"/events/{event_id}/registrations.csv"
        return await self._read(bytes, "GET", path, token=token, raw=True)

    async def mark_attendance(
        self, event_id: str, registration_id: str, attended: bool, token: str
    ) -> None:
        path = f"/events/{event_id}/registrations/{registration_id}/attendance"
        await self._call("PUT", path, json={"attended": attended}, token=token)

    async def registration_counts(
        self, token: str, *, limit: int, offset: int
    ) -> Page[EventCounts]:
        params = {"limit": limit, "offset": offset}
        return await self._page(EventCounts, "/registrations/counts", params=params, token=token)

    async def registration_counts_by_group(self, token: str) -> list[GroupCounts]:
        return await self._items(GroupCounts, "/registrations/counts/groups", token=token)

    async def _items(self, item: type[Item], path: str, **kwargs: Any) -> list[Item]:
        """A list the calendar answers as a list or as one page of one."""
        shape = list[item] | Page[item]  # type: ignore[valid-type]
        found: list[Item] | Page[Item] = await self._read(shape, "GET", path, **kwargs)  # type: ignore[arg-type]
        return found.items if isinstance(found, Page) else found

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
