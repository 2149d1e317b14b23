"""Events published by the calendar service (`calendar.*`).

Here an "event" is a calendar entry: a children's festival, a counselling hour, a network
meeting. Times are UTC; `timezone` says in which zone the organiser planned it, which matters for
expanding a recurrence across daylight-saving changes. The calendar also reports conflicts: two
entries that need the same room, or that address the same audience in the same district at the
same time.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import Payload, changed_field_names
from shared.contracts.vocabulary import Audience, District, FieldOfAction, LanguageTag


class Visibility(StrEnum):
    """Who may see a calendar entry: everyone, or only the partner network."""

    PUBLIC = "public"
    NETWORK = "network"


class EventStatus(StrEnum):
    """Whether a calendar entry (or its whole series) still takes place."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ConflictKind(StrEnum):
    """What two clashing entries compete for: the same room, or the same audience nearby."""

    ROOM = "room"
    AUDIENCE = "audience"


class Venue(BaseModel):
    """Where a calendar entry takes place; every part may be unknown."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str | None = Field(
        None, description="Name of the place.", examples=["Stadtteilzentrum Nordstadt"]
    )
    address: str | None = Field(
        None, description="Postal address of the place.", examples=["Mallinckrodtstraße 12"]
    )
    room: str | None = Field(None, description="Room within the place.", examples=["Saal 2"])


class MovedOccurrence(BaseModel):
    """One occurrence of a series that takes place at another time than its rule says."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    occurrence_start: dt.datetime = Field(
        description="Its original start (UTC), the iCalendar RECURRENCE-ID.",
        examples=["2026-06-02T16:00:00Z"],
    )
    starts_at: dt.datetime = Field(
        description="Its new start (UTC).", examples=["2026-06-03T16:00:00Z"]
    )
    ends_at: dt.datetime = Field(
        description="Its new end (UTC).", examples=["2026-06-03T18:00:00Z"]
    )


class Recurrence(BaseModel):
    """How a calendar entry repeats, in iCalendar (RFC 5545) terms."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    rrule: str = Field(
        description="RFC 5545 RRULE value, applied in the entry's `timezone`.",
        examples=["FREQ=WEEKLY;BYDAY=TU;UNTIL=20260728T220000Z"],
    )
    exdates: list[dt.datetime] = Field(
        default_factory=list,
        description="Start times (UTC) of occurrences left out of the series.",
        examples=[["2026-06-02T16:00:00Z"]],
    )
    moved: list[MovedOccurrence] = Field(
        default_factory=list,
        description="Occurrences moved to another time on their own (added in v1, optional).",
    )


class EventFacts(Payload):
    """The public facts about a calendar entry, as shown in the shared calendar."""

    event_id: str = Field(
        description="Calendar entry id (UUIDv7); also the iCalendar UID.",
        examples=["01a20175-6e35-7420-942f-2edfc88e1cc8"],
    )
    title: str = Field(description="Title.", min_length=1, examples=["Kinderfest im Hoeschpark"])
    description: str = Field(
        "",
        description="What happens, in the organiser's own words.",
        examples=["Spiele, Musik und Essen aus aller Welt. Eintritt frei."],
    )
    organisation_id: str = Field(
        description="Id of the organising organisation (see `directory.*`).",
        examples=["01a20175-6dad-718f-a12c-c0b9a10eb02c"],
    )
    co_organiser_ids: list[str] = Field(
        default_factory=list,
        description="Ids of further organisations that organise it together.",
        examples=[["01a20175-6e13-7012-9a1c-8de746c2ce99"]],
    )
    starts_at: dt.datetime = Field(
        description="Start (UTC); for a series, the start of its first occurrence.",
        examples=["2026-06-20T12:00:00Z"],
    )
    ends_at: dt.datetime = Field(
        description="End (UTC); for a series, the end of its first occurrence.",
        examples=["2026-06-20T17:00:00Z"],
    )
    all_day: bool = Field(
        False,
        description="A whole-day entry; then only the dates of `starts_at`/`ends_at` in "
        "`timezone` count.",
        examples=[False],
    )
    timezone: str = Field(
        "Europe/Berlin",
        description="IANA time zone the entry was planned in; recurrences expand in it.",
        examples=["Europe/Berlin"],
    )
    venue: Venue | None = Field(None, description="Where it takes place; none when online or open.")
    district: District = None
    audience: list[Audience] = Field(
        default_factory=list, description="Whom it is meant for.", examples=[["children"]]
    )
    languages: list[LanguageTag] = Field(
        default_factory=list,
        description="Languages spoken at the event (BCP 47).",
        examples=[["de", "tr"]],
    )
    fields: list[FieldOfAction] = Field(
        default_factory=list,
        description="Fields of action (Handlungsfelder).",
        examples=[["cultural_diversity"]],
    )
    visibility: Visibility = Field(
        description="`public` may be shown on a city website; `network` is for the partner "
        "network only and must not be republished.",
        examples=["public"],
    )
    measure_ids: list[str] = Field(
        default_factory=list,
        description="Measures of the integration concept the entry carries out (see "
        "`concept.measure.*`; added in v1, optional).",
        examples=[["01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b"]],
    )
    group_id: str | None = Field(
        None,
        description="The working group whose meeting this is (see `calendar.group.*`; added in "
        "v1, optional); none for other entries.",
        examples=["01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c"],
    )
    topic: str = Field(
        "",
        description="A meeting's topic (added in v1, optional), e.g. of a working group's round.",
        examples=["Projektförderung einwerben"],
    )
    recurrence: Recurrence | None = Field(
        None, description="How it repeats; none for a single date."
    )
    status: EventStatus = Field(
        description="`scheduled`, or `cancelled` once the whole entry (or series) is called off.",
        examples=["scheduled"],
    )
    sequence: int = Field(
        description="iCalendar SEQUENCE: increases with every change; apply an update only if it "
        "is newer.",
        ge=0,
        examples=[0],
    )
    updated_at: dt.datetime = Field(
        description="When the entry last changed (UTC).", examples=["2026-05-16T12:00:00Z"]
    )

    subject_field: ClassVar[str] = "event_id"


class EventScheduled(EventFacts):
    """A calendar entry was planned and added to the shared calendar."""

    routing_key: ClassVar[str] = "calendar.event.scheduled"


class EventRescheduled(EventFacts):
    """A calendar entry, or one occurrence of a series, moved to another time."""

    routing_key: ClassVar[str] = "calendar.event.rescheduled"
    previous_starts_at: dt.datetime = Field(
        description="Start (UTC) before the move; of the occurrence if `occurrence_start` is set.",
        examples=["2026-06-13T12:00:00Z"],
    )
    previous_ends_at: dt.datetime = Field(
        description="End (UTC) before the move; of the occurrence if `occurrence_start` is set.",
        examples=["2026-06-13T17:00:00Z"],
    )
    occurrence_start: dt.datetime | None = Field(
        None,
        description="Set when only one occurrence of a series moved: its original start (UTC), "
        "the iCalendar RECURRENCE-ID. None means the whole entry moved.",
        examples=["2026-06-02T16:00:00Z"],
    )


class EventUpdated(EventFacts):
    """A calendar entry changed but not its time (title, venue, audience …); new facts inside."""

    routing_key: ClassVar[str] = "calendar.event.updated"
    changed_fields: list[str] = changed_field_names(["title", "venue"])


class EventCancelled(EventFacts):
    """A calendar entry, or one occurrence of a series, was called off."""

    routing_key: ClassVar[str] = "calendar.event.cancelled"
    occurrence_start: dt.datetime | None = Field(
        None,
        description="Set when only one occurrence of a series was cancelled: its start (UTC); "
        "the series goes on. None means the whole entry is cancelled.",
        examples=["2026-06-02T16:00:00Z"],
    )
    reason: str | None = Field(
        None, description="Why, in the organiser's words.", examples=["Unwetterwarnung"]
    )


class ConflictDetected(Payload):
    """A new or moved calendar entry clashes with another: same room, or same audience nearby."""

    routing_key: ClassVar[str] = "calendar.conflict.detected"

    conflict_id: str = Field(
        description="Conflict id (UUIDv7).", examples=["01a20175-6e57-78a0-8a72-0cf4940f2613"]
    )
    conflict_kind: ConflictKind = Field(
        description="`room`: the same room is booked twice; `audience`: the same audience is "
        "addressed in the same district at the same time.",
        examples=["audience"],
    )
    event_id: str = Field(
        description="The entry whose scheduling or move caused the conflict.",
        examples=["01a20175-6e35-7420-942f-2edfc88e1cc8"],
    )
    other_event_id: str = Field(
        description="The entry it clashes with.", examples=["01a20175-6e78-70bc-a585-119e75a4f63d"]
    )
    organisation_ids: list[str] = Field(
        description="Ids of all organisations organising either entry.",
        examples=[["01a20175-6dad-718f-a12c-c0b9a10eb02c", "01a20175-6e13-7012-9a1c-8de746c2ce99"]],
    )
    overlap_starts_at: dt.datetime = Field(
        description="Start of the time both entries share (UTC).",
        examples=["2026-06-20T14:00:00Z"],
    )
    overlap_ends_at: dt.datetime = Field(
        description="End of the time both entries share (UTC).", examples=["2026-06-20T17:00:00Z"]
    )
    district: str | None = Field(
        None, description="District (Stadtteil) where they clash.", examples=["Nordstadt"]
    )
    shared_audience: list[Audience] = Field(
        default_factory=list,
        description="Audiences both entries address; empty for a pure room conflict.",
        examples=[["children", "families"]],
    )
    venue: Venue | None = Field(None, description="The doubly booked place, for a room conflict.")
    detected_at: dt.datetime = Field(
        description="When the conflict was detected (UTC).", examples=["2026-05-16T12:00:01Z"]
    )

    subject_field: ClassVar[str] = "conflict_id"


# --- working groups ------------------------------------------------------------------------


class GroupStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class GroupFacts(Payload):
    """The public facts about a working group: which organisations meet in it. Never its
    contact people (personal data) and never its documents."""

    group_id: str = Field(
        description="Working group id (UUIDv7).", examples=["01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c"]
    )
    name: str = Field(
        description="Name.", min_length=1, examples=["Netzwerk der migrantischen Communitys"]
    )
    purpose: str = Field(
        "",
        description="What the group is for, in the coordinator's words.",
        examples=["Austausch der Vereine zweimal im Jahr zu einem Thema"],
    )
    coordinator_id: str = Field(
        description="Id of the coordinating organisation (see `directory.*`).",
        examples=["01a20175-6dad-718f-a12c-c0b9a10eb02c"],
    )
    member_ids: list[str] = Field(
        default_factory=list,
        description="Ids of the member organisations (accepted; the coordinator among them).",
        examples=[["01a20175-6dad-718f-a12c-c0b9a10eb02c", "01a20175-6e13-7012-9a1c-8de746c2ce99"]],
    )
    visibility: Visibility = Field(
        description="Who may see the group and its meetings: `public`, or `network` (must not be "
        "republished); `office` groups are never on the stream.",
        examples=["network"],
    )
    status: GroupStatus = Field(description="`active` or `archived`.", examples=["active"])
    updated_at: dt.datetime = Field(
        description="When the group last changed (UTC).", examples=["2026-05-16T12:00:00Z"]
    )

    subject_field: ClassVar[str] = "group_id"


class GroupCreated(GroupFacts):
    """A working group was founded."""

    routing_key: ClassVar[str] = "calendar.group.created"


class GroupUpdated(GroupFacts):
    """A working group changed: its description, its members (joined or left), or its status."""

    routing_key: ClassVar[str] = "calendar.group.updated"


# --- registration for events -------------------------------------------------------------


class RegistrationOpenTo(StrEnum):
    """Who may register for an event."""

    PUBLIC = "public"
    NETWORK = "network"
    GROUP = "group"


class RegistrationCounts(Payload):
    """How many places an event that takes registrations has: counts only, never people."""

    event_id: str = Field(
        description="The calendar entry (see `calendar.event.*`).",
        examples=["01a20175-6e35-7420-942f-2edfc88e1cc8"],
    )
    capacity: int = Field(description="Places in all.", ge=0, examples=[40])
    confirmed: int = Field(description="Places taken.", ge=0, examples=[38])
    waiting: int = Field(description="People on the waiting list.", ge=0, examples=[0])
    seats_left: int = Field(description="Places still free.", ge=0, examples=[2])
    deadline: dt.datetime | None = Field(
        None,
        description="Registration closes then (UTC); none: at the start of the event.",
        examples=["2026-06-18T22:00:00Z"],
    )
    open_to: RegistrationOpenTo = Field(
        description="`public`: anyone; `network`: members of partner organisations; `group`: "
        "members of the event's working group.",
        examples=["public"],
    )
    updated_at: dt.datetime = Field(
        description="When the counts last changed (UTC).", examples=["2026-05-16T12:00:00Z"]
    )

    subject_field: ClassVar[str] = "event_id"


class RegistrationOpened(RegistrationCounts):
    """An event takes registrations (again): set up, or a place became free after it was full."""

    routing_key: ClassVar[str] = "calendar.registration.opened"


class RegistrationChanged(RegistrationCounts):
    """The counts of an open registration changed (someone registered or cancelled)."""

    routing_key: ClassVar[str] = "calendar.registration.changed"


class RegistrationClosed(RegistrationCounts):
    """No more registrations for now: full (waiting list only), past the deadline, or closed."""

    routing_key: ClassVar[str] = "calendar.registration.closed"
    reason: str = Field(description="`full`, `deadline` or `closed`.", examples=["full"])


CALENDAR_EVENTS: tuple[type[Payload], ...] = (
    EventScheduled,
    EventRescheduled,
    EventUpdated,
    EventCancelled,
    ConflictDetected,
    GroupCreated,
    GroupUpdated,
    RegistrationOpened,
    RegistrationChanged,
    RegistrationClosed,
)

__all__ = [
    "CALENDAR_EVENTS",
    "ConflictDetected",
    "ConflictKind",
    "EventCancelled",
    "EventFacts",
    "EventRescheduled",
    "EventScheduled",
    "EventStatus",
    "EventUpdated",
    "GroupCreated",
    "GroupFacts",
    "GroupStatus",
    "GroupUpdated",
    "MovedOccurrence",
    "Recurrence",
    "RegistrationChanged",
    "RegistrationClosed",
    "RegistrationCounts",
    "RegistrationOpenTo",
    "RegistrationOpened",
    "Venue",
    "Visibility",
]
