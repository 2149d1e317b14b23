"""The calendar's registrations as the portal shows them: an event's registration (counts and
settings, for everyone who sees the event), what registering and the emailed links answer, a
member's own registrations, the organisers' participant list and the office's counts. The
paths are in `calendar.py`."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from services.portal.clients.base import View


class Seats(View):
    """How many seats a registration has, and how many are taken or waited for."""

    capacity: int = 0
    confirmed: int = 0
    waiting: int = 0


class Counts(Seats):
    """The office's counts: the seats, and how many came."""

    attended: int = 0


class OfEvent(View):
    """The event a row is about."""

    event_id: str = ""
    event_title: str = ""
    starts_at: str = ""


class Registration(Seats):
    """An event's registration: its settings and counts, never who registered."""

    open: bool = False
    seats_left: int = 0
    deadline: str | None = None
    places_per_organisation: int | None = None
    questions: list[str] = Field(default_factory=list)
    open_to: str = "public"
    closed_reason: str | None = None


class Registered(View):
    """What registering (or confirming by the emailed link) gives: the state, and the place
    on the waiting list when it is one."""

    id: str = ""
    event_id: str = ""
    state: str = ""
    position: int | None = None


class RegisteredFor(OfEvent):
    """The event of a registration and where it stands."""

    state: str = ""


class LinkedRegistration(RegisteredFor):
    """What an emailed confirm or cancel link is about, before its button is pressed."""

    purpose: str = ""


class MyRegistration(RegisteredFor):
    """One of the signed-in member's own registrations."""

    #: The calendar names it `registration_id` in this list.
    id: str = Field("", validation_alias=AliasChoices("registration_id", "id"))
    position: int | None = None


class Answers(View):
    interpreter_language: str | None = None
    child_care: int | None = None
    accessibility: str | None = None
    dietary: str | None = None


class Participant(View):
    """A registration as the event's organisers see it (personal data: only theirs)."""

    id: str = ""
    name: str = ""
    email: str = ""
    organisation_id: str | None = None
    language: str = ""
    answers: Answers = Field(default_factory=Answers)
    state: str = ""
    position: int | None = None
    created_at: str = ""
    attended: bool | None = None


class EventCounts(OfEvent, Counts):
    """The office's counts of one event with a registration."""

    group_id: str | None = None


class GroupCounts(Counts):
    """The office's sums over the meetings of one working group."""

    group_id: str = ""
    group_name: str = ""
    events: int = 0
