"""Registration for an event, as pure rules: the roster of one event (its settings and the
people registered), who takes a seat, who waits, who moves up. No I/O; `now` is passed in.

The waiting list is first come, first served: every registration that takes a place in the
queue (a member's at once, an anonymous one when its opt-in is confirmed) draws the roster's
next `queue_no`, and a free seat goes to the waiting registration with the lowest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.calendar import RegistrationOpenTo

Question = Literal["interpreter", "child_care", "accessibility", "dietary"]
RegistrationState = Literal["pending", "confirmed", "waiting", "cancelled"]
ClosedReason = Literal["full", "deadline", "closed"]
#: How long the confirm link of an anonymous registration is good for.
OPT_IN_TTL = dt.timedelta(hours=48)
#: States that hold a place (or are about to): the same address cannot register again.
ACTIVE_STATES: frozenset[str] = frozenset({"pending", "confirmed", "waiting"})


class RosterError(ValueError):
    """A registration the roster's rules refuse; `slug` says which rule."""

    def __init__(self, detail: str, slug: str) -> None:
        super().__init__(detail)
        self.slug = slug


class Answers(BaseModel):
    """What a registrant says about the help they need (only the questions asked are kept)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    interpreter_language: str | None = Field(None, max_length=100)
    child_care: int | None = Field(None, ge=0, le=10)
    accessibility: str | None = Field(None, max_length=500)
    dietary: str | None = Field(None, max_length=500)

    def asked(self, questions: Sequence[str]) -> Answers:
        """Only the answers to the questions the organiser asks."""
        return Answers(
            interpreter_language=self.interpreter_language if "interpreter" in questions else None,
            child_care=self.child_care if "child_care" in questions else None,
            accessibility=self.accessibility if "accessibility" in questions else None,
            dietary=self.dietary if "dietary" in questions else None,
        )


class RegistrationSettings(BaseModel):
    """How an organiser takes registrations for an event."""

    model_config = ConfigDict(frozen=True)

    capacity: int = Field(ge=1, le=10_000)
    deadline: dt.datetime | None = None
    places_per_organisation: int | None = Field(None, ge=1, le=10_000)
    questions: list[Question] = Field(default_factory=list)
    open_to: RegistrationOpenTo = RegistrationOpenTo.PUBLIC


class Registration(BaseModel):
    """One person registered for an event."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str
    organisation_id: str | None = None
    person_id: str | None = None
    language: str = "de"
    answers: Answers = Answers()
    state: RegistrationState
    created_at: dt.datetime
    confirmed_at: dt.datetime | None = None
    attended: bool | None = None
    opt_in_hash: str | None = None
    cancel_hash: str | None = None
    #: Place in the order of arrival (set when it takes a seat or starts waiting).
    queue_no: int | None = None


class FinalCounts(BaseModel):
    """What stays of a roster once its personal data is deleted."""

    model_config = ConfigDict(frozen=True)

    confirmed: int = 0
    waiting: int = 0
    attended: int = 0


class Roster(BaseModel):
    """The registrations of one event and how they are taken (`settings` None: never set up)."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    #: The event's first start and last end, as last seen (the periodic jobs find rosters by
    #: them).
    event_starts_at: dt.datetime
    event_ends_at: dt.datetime
    settings: RegistrationSettings | None = None
    #: Closed by the organiser (or because the event was called off).
    closed: bool = False
    registrations: list[Registration] = Field(default_factory=list)
    next_queue_no: int = 1
    #: The event's SEQUENCE last told to the registrants (changes, cancellation).
    told_sequence: int = 0
    #: The event's SEQUENCE the registrants were reminded of (None: not yet).
    reminded_sequence: int | None = None
    #: The passed deadline was announced on the stream.
    deadline_announced: bool = False
    #: Set once the personal data is deleted (retention): only these counts remain.
    final_counts: FinalCounts | None = None
    updated_at: dt.datetime

    def find(self, registration_id: str) -> Registration | None:
        return next((r for r in self.registrations if r.id == registration_id), None)

    def in_state(self, state: RegistrationState) -> list[Registration]:
        return [r for r in self.registrations if r.state == state]

    @property
    def confirmed(self) -> int:
        if self.final_counts is not None:
            return self.final_counts.confirmed
        return len(self.in_state("confirmed"))

    @property
    def waiting(self) -> int:
        if self.final_counts is not None:
            return self.final_counts.waiting
        return len(self.in_state("waiting"))

    @property
    def attended(self) -> int:
        if self.final_counts is not None:
            return self.final_counts.attended
        return sum(1 for r in self.registrations if r.attended)

    @property
    def capacity(self) -> int:
        return self.settings.capacity if self.settings else 0

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.confirmed)

    @property
    def full(self) -> bool:
        return self.settings is not None and self.seats_left == 0

    def waiting_list(self) -> list[Registration]:
        """The waiting registrations, first come first."""
        return sorted(self.in_state("waiting"), key=lambda r: r.queue_no or 0)

    def position(self, registration_id: str) -> int | None:
        """The place (1, 2, …) of a waiting registration on the list; None otherwise."""
        for place, registration in enumerate(self.waiting_list(), start=1):
            if registration.id == registration_id:
                return place
        return None


def new_roster(
    event_id: str, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime
) -> Roster:
    return Roster(
        event_id=event_id, event_starts_at=starts_at, event_ends_at=ends_at, updated_at=now
    )


def at_times(roster: Roster, starts_at: dt.datetime, ends_at: dt.datetime) -> Roster:
    """The roster with the event's current times."""
    if (roster.event_starts_at, roster.event_ends_at) == (starts_at, ends_at):
        return roster
    return roster.model_copy(update={"event_starts_at": starts_at, "event_ends_at": ends_at})


def closing_time(settings: RegistrationSettings, event_start: dt.datetime) -> dt.datetime:
    """When registration ends: the deadline, or the event's start."""
    return min(settings.deadline, event_start) if settings.deadline else event_start


def closed_reason(
    roster: Roster, event_start: dt.datetime, now: dt.datetime
) -> ClosedReason | None:
    """Why the roster takes no new seats now (`full`: only the waiting list), or None."""
    if roster.settings is None or roster.closed:
        return "closed"
    if now >= closing_time(roster.settings, event_start):
        return "deadline"
    if roster.full:
        return "full"
    return None


def configure(
    roster: Roster, settings: RegistrationSettings, event_start: dt.datetime, now: dt.datetime
) -> tuple[Roster, list[Registration]]:
    """Set (or change) how registrations are taken and open the roster; a higher capacity moves
    waiting registrations up. Returns the roster and those promoted."""
    if settings.deadline is not None and settings.deadline > event_start:
        raise RosterError("The deadline lies after the event's start.", "invalid-registration")
    opened = roster.model_copy(update={"settings": settings, "closed": False, "updated_at": now})
    if settings.deadline is None or settings.deadline > now:
        opened = opened.model_copy(update={"deadline_announced": False})
    return promote(opened, now)


def close(roster: Roster, now: dt.datetime) -> Roster:
    return roster.model_copy(update={"closed": True, "updated_at": now})


def check_new(
    roster: Roster,
    email: str,
    organisation_id: str | None,
    event_start: dt.datetime,
    now: dt.datetime,
) -> None:
    """May this address (for this organisation) register now? RosterError if not."""
    reason = closed_reason(roster, event_start, now)
    if reason in ("closed", "deadline"):
        raise RosterError("Registration for this event is closed.", "registration-closed")
    folded = email.casefold()
    if any(r.email.casefold() == folded and r.state in ACTIVE_STATES for r in roster.registrations):
        raise RosterError("This address is already registered.", "already-registered")
    places = roster.settings.places_per_organisation if roster.settings else None
    if organisation_id is not None and places is not None:
        taken = sum(
            1
            for r in roster.registrations
            if r.organisation_id == organisation_id and r.state in ACTIVE_STATES
        )
        if taken >= places:
            raise RosterError(
                "The organisation's places for this event are taken.", "organisation-places-taken"
            )


def add(roster: Roster, registration: Registration, now: dt.datetime) -> Roster:
    """Add a new registration as it is (`pending` for an opt-in; else see `take_seat`)."""
    return roster.model_copy(
        update={"registrations": [*roster.registrations, registration], "updated_at": now}
    )


def _replace(roster: Roster, registration: Registration, now: dt.datetime) -> Roster:
    registrations = [registration if r.id == registration.id else r for r in roster.registrations]
    return roster.model_copy(update={"registrations": registrations, "updated_at": now})


def take_seat(
    roster: Roster, registration_id: str, now: dt.datetime
) -> tuple[Roster, Registration]:
    """A registration (new or pending) takes a seat if one is free, else waits."""
    registration = roster.find(registration_id)
    if registration is None:
        raise RosterError("No such registration.", "registration-not-found")
    if registration.state in ("confirmed", "waiting"):
        return roster, registration
    state: RegistrationState = "confirmed" if roster.seats_left > 0 else "waiting"
    seated = registration.model_copy(
        update={
            "state": state,
            "queue_no": roster.next_queue_no,
            "confirmed_at": now if state == "confirmed" else None,
        }
    )
    changed = _replace(roster, seated, now).model_copy(
        update={"next_queue_no": roster.next_queue_no + 1}
    )
    return changed, seated


def promote(roster: Roster, now: dt.datetime) -> tuple[Roster, list[Registration]]:
    """Move the first waiting registrations up while seats are free."""
    promoted: list[Registration] = []
    for waiting in roster.waiting_list():
        if roster.seats_left <= 0:
            break
        moved = waiting.model_copy(update={"state": "confirmed", "confirmed_at": now})
        roster = _replace(roster, moved, now)
        promoted.append(moved)
    return roster, promoted


def cancel(
    roster: Roster, registration_id: str, now: dt.datetime
) -> tuple[Roster, Registration | None, list[Registration]]:
    """Cancel a registration; a freed seat goes to the first waiting. Returns the roster, the
    cancelled registration (None if it already was) and those promoted."""
    registration = roster.find(registration_id)
    if registration is None:
        raise RosterError("No such registration.", "registration-not-found")
    if registration.state == "cancelled":
        return roster, None, []
    cancelled = registration.model_copy(update={"state": "cancelled"})
    changed, promoted = promote(_replace(roster, cancelled, now), now)
    return changed, cancelled, promoted


def mark_attendance(
    roster: Roster, registration_id: str, attended: bool, now: dt.datetime
) -> Roster:
    registration = roster.find(registration_id)
    if registration is None:
        raise RosterError("No such registration.", "registration-not-found")
    return _replace(roster, registration.model_copy(update={"attended": attended}), now)


def with_new_cancel_hash(roster: Roster, registration_id: str, cancel_hash: str) -> Roster:
    """The registration's newest cancel link (every email carries a fresh one)."""
    registration = roster.find(registration_id)
    if registration is None:
        return roster
    changed = registration.model_copy(update={"cancel_hash": cancel_hash})
    return _replace(roster, changed, roster.updated_at)


@dataclass(frozen=True)
class Dropped:
    """What a retention pass took out of a roster."""

    roster: Roster
    #: Registration ids whose personal data (and token entries) went.
    registration_ids: list[str]
    #: True when the whole roster's personal data went (only counts remain).
    redacted: bool


def drop_expired_opt_ins(roster: Roster, now: dt.datetime) -> Dropped:
    """Pending registrations whose confirm link expired are dropped altogether."""
    expired = [
        r for r in roster.registrations if r.state == "pending" and r.created_at + OPT_IN_TTL <= now
    ]
    if not expired:
        return Dropped(roster, [], False)
    gone = {r.id for r in expired}
    kept = [r for r in roster.registrations if r.id not in gone]
    return Dropped(roster.model_copy(update={"registrations": kept}), sorted(gone), False)


def redact(roster: Roster) -> Dropped:
    """Delete the roster's personal data (names, addresses, answers, token hashes): only the
    counts remain."""
    counts = FinalCounts(
        confirmed=roster.confirmed, waiting=roster.waiting, attended=roster.attended
    )
    ids = [r.id for r in roster.registrations]
    redacted = roster.model_copy(update={"registrations": [], "final_counts": counts})
    return Dropped(redacted, ids, True)
