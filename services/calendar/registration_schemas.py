"""What the registration routes accept and answer. Counts for anyone who may see the event;
names, addresses and answers only for its organisers and office staff. Times are answered in
Europe/Berlin (RFC 3339 with offset)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.calendar.inputs import OrganisationId
from services.calendar.registration_reading import EventCounts, GroupCounts, OwnRegistration
from services.calendar.registrations import Seat
from services.calendar.roster import (
    Answers,
    ClosedReason,
    Question,
    Registration,
    RegistrationSettings,
    Roster,
)
from services.calendar.schemas import BerlinTime
from shared.contracts.calendar import RegistrationOpenTo
from shared.contracts.vocabulary import LanguageTag
from shared.pages import Page
from shared.views import View

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RegistrationSetup(BaseModel):
    """How an organiser takes registrations (`PUT /events/{id}/registration`)."""

    model_config = ConfigDict(extra="forbid")

    capacity: int = Field(ge=1, le=10_000, description="Places in all.")
    deadline: AwareDatetime | None = Field(
        None, description="Registration closes then (at the latest when the event starts)."
    )
    places_per_organisation: int | None = Field(
        None, ge=1, le=10_000, description="At most this many places per organisation."
    )
    questions: list[Question] = Field(
        default_factory=list, description="What registrants are asked.", max_length=4
    )
    open_to: RegistrationOpenTo = RegistrationOpenTo.PUBLIC

    def settings(self) -> RegistrationSettings:
        deadline = self.deadline.astimezone(dt.UTC) if self.deadline else None
        return RegistrationSettings(
            capacity=self.capacity,
            deadline=deadline.replace(microsecond=0) if deadline else None,
            places_per_organisation=self.places_per_organisation,
            questions=list(dict.fromkeys(self.questions)),
            open_to=self.open_to,
        )


class RegistrationStatus(View):
    """The counts of an event's registration: never who registered."""

    open: bool
    capacity: int
    confirmed: int
    waiting: int
    seats_left: int
    deadline: BerlinTime | None
    places_per_organisation: int | None
    questions: list[Question]
    open_to: RegistrationOpenTo
    closed_reason: ClosedReason | None

    @classmethod
    def of(cls, roster: Roster, reason: ClosedReason | None) -> RegistrationStatus:
        settings = roster.settings
        assert settings is not None
        return cls.read(
            settings,
            open=reason is None,
            confirmed=roster.confirmed,
            waiting=roster.waiting,
            seats_left=roster.seats_left,
            closed_reason=reason,
        )


class RegistrationRequest(BaseModel):
    """Someone registers (`POST /events/{id}/registrations`)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailStr
    organisation_id: OrganisationId | None = Field(
        None, description="Register for one's organisation (members only)."
    )
    language: LanguageTag = Field("de", description="Language of the emails.")
    answers: Answers = Answers()


class SeatPublic(View):
    id: str
    event_id: str
    state: str
    position: int | None = Field(description="Place on the waiting list, or null.")

    @classmethod
    def of(cls, seat: Seat) -> SeatPublic:
        return cls.read(seat, id=seat.registration_id)


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Token


class TokenInfo(BaseModel):
    event_id: str
    event_title: str
    starts_at: BerlinTime
    state: str
    purpose: Literal["opt_in", "cancel"]


class RegistrationPublic(View):
    """A registration as the event's organisers see it."""

    id: str
    name: str
    email: str
    organisation_id: str | None
    person_id: str | None
    language: str
    answers: Answers
    state: str
    position: int | None
    created_at: BerlinTime
    confirmed_at: BerlinTime | None
    attended: bool | None

    @classmethod
    def of(cls, registration: Registration, roster: Roster) -> RegistrationPublic:
        return cls.read(registration, position=roster.position(registration.id))


class AttendanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attended: bool


class OwnRegistrationPublic(View):
    event_id: str
    event_title: str
    starts_at: BerlinTime
    registration_id: str
    state: str
    position: int | None

    @classmethod
    def of(cls, own: OwnRegistration) -> OwnRegistrationPublic:
        return cls.read(own)


class EventCountsPublic(View):
    event_id: str
    event_title: str
    starts_at: BerlinTime
    group_id: str | None
    capacity: int
    confirmed: int
    waiting: int
    attended: int

    @classmethod
    def of(cls, counts: EventCounts) -> EventCountsPublic:
        return cls.read(counts)


class EventCountsPage(Page[EventCountsPublic]):
    pass


class GroupCountsPublic(View):
    group_id: str
    group_name: str
    events: int
    capacity: int
    confirmed: int
    waiting: int
    attended: int

    @classmethod
    def of(cls, counts: GroupCounts) -> GroupCountsPublic:
        return cls.read(counts)
