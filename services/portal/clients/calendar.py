"""The calendar as the portal uses it: events, conflicts, co-organising, registrations, the
iCalendar feeds, working groups and their meetings' documents."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import Field

from services.portal.clients.base import Download, Page, Published, ServiceClient, View
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
    #: The working group whose meeting this is, and the meeting's topic.
    group_id: str | None = None
    topic: str = ""


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


class GroupSummary(View):
    """A working group in the list of those the reader may see (`GET /groups`)."""

    id: str
    name: str = ""
    purpose: str = ""
    coordinator_id: str = ""
    visibility: str = "public"
    status: str = "active"
    member_count: int = 0


class Membership(View):
    """An organisation in a working group: `member`, or (seen only by its managers and the
    office) `requested` or `invited`."""

    organisation_id: str
    state: str = "member"
    since: str | None = None


class Contact(View):
    """A contact person of a working group (personal data: shown to its members and the
    office only; the calendar leaves the list empty for anyone else)."""

    name: str = ""
    email: str | None = None
    phone: str | None = None
    role: str | None = None


class Group(GroupSummary):
    """A working group as the calendar shows it to the reader (`GET /groups/{id}`)."""

    members: list[Membership] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    #: The reader is a member of the coordinating organisation, or office staff.
    may_manage: bool = False
    #: The reader is a member of one of the member organisations.
    is_member: bool = False

    def in_state(self, state: str) -> list[str]:
        return [m.organisation_id for m in self.members if m.state == state]


class Document(View):
    """A document of a group meeting (`GET /events/{id}/documents`)."""

    id: str
    title: str = ""
    filename: str = ""
    content_type: str = ""
    size: int = 0
    uploaded_at: str | None = None
    uploaded_by_organisation_id: str | None = None


#: What each membership button asks: (method, path after /groups/{id}/members/{org}).
MEMBERSHIP_ACTIONS = {"accept": ("POST", "/accept"), "remove": ("DELETE", "")}


class CalendarClient(ServiceClient):
    service = "calendar"

    async def events(self, *, token: str | None = None, **params: Any) -> Page[Event]:
        return await self._page(Event, "/events", params=params, token=token)

    async def event(self, event_id: str, token: str | None = None) -> Event:
        return await self._read(Event, "GET", f"/events/{event_id}", token=token)

    async def groups(self, token: str | None, *, limit: int, offset: int) -> Page[GroupSummary]:
        """The working groups the reader may see (all of them for office staff)."""
        params = {"limit": limit, "offset": offset}
        return await self._page(GroupSummary, "/groups", params=params, token=token)

    async def group(self, group_id: str, token: str | None) -> Group:
        return await self._read(Group, "GET", f"/groups/{group_id}", token=token)

    async def found_group(self, body: dict[str, Any], token: str) -> Group:
        return await self._read(Group, "POST", "/groups", json=body, token=token)

    async def change_group(self, group_id: str, body: dict[str, Any], token: str) -> Group:
        return await self._read(Group, "PATCH", f"/groups/{group_id}", json=body, token=token)

    async def ask_to_join(self, group_id: str, organisation_id: str, token: str) -> Group:
        """The group as it is now: an organisation the group had invited is a member at once."""
        body = {"organisation_id": organisation_id}
        path = f"/groups/{group_id}/join-requests"
        return await self._read(Group, "POST", path, json=body, token=token)

    async def invite_to_group(self, group_id: str, organisation_id: str, token: str) -> None:
        body = {"organisation_id": organisation_id}
        await self._call("POST", f"/groups/{group_id}/invitations", json=body, token=token)

    async def answer_membership(
        self, group_id: str, organisation_id: str, action: str, token: str
    ) -> None:
        """`action` is a key of `MEMBERSHIP_ACTIONS`: accept a request or an invitation, or
        remove an organisation (it leaves, is removed, or its request is declined)."""
        method, suffix = MEMBERSHIP_ACTIONS[action]
        path = f"/groups/{group_id}/members/{organisation_id}{suffix}"
        await self._call(method, path, token=token)

    async def meetings(
        self, group_id: str, token: str | None, *, past: bool = False, limit: int = 100
    ) -> Page[Event]:
        """The group's meetings, coming ones first (`past`: those that are over)."""
        params: dict[str, Any] = {"limit": limit}
        if past:
            params["past"] = "true"
        return await self._page(Event, f"/groups/{group_id}/meetings", params=params, token=token)

    async def documents(self, event_id: str, token: str) -> list[Document]:
        return await self._read(list[Document], "GET", f"/events/{event_id}/documents", token=token)

    async def upload_document(
        self, event_id: str, file: tuple[str, bytes, str], title: str, token: str
    ) -> Document:
        """`file`: (file name, content, media type)."""
        return await self._read(
            Document,
            "POST",
            f"/events/{event_id}/documents",
            files={"file": file},
            data={"title": title} if title else None,
            token=token,
            timeout=30.0,
        )

    async def document(self, document_id: str, token: str | None) -> Download:
        """A meeting's document as the calendar hands it out (group members and the office)."""
        return await self._download(f"/documents/{document_id}", token=token, timeout=30.0)

    async def delete_document(self, document_id: str, token: str) -> None:
        await self._call("DELETE", f"/documents/{document_id}", token=token)

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
