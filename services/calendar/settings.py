"""Configuration of the calendar service."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class CalendarSettings(ServiceSettings):
    service_name: str = "calendar"
    port: int = 8002
    #: Name of the shared feed (X-WR-CALNAME).
    feed_name: str = "Integrationsnetz"
    #: How often each registered ICS feed is fetched again.
    import_interval_seconds: float = Field(900.0, gt=0)
    #: How often the import task looks for feeds that are due.
    import_poll_seconds: float = Field(30.0, gt=0)
    import_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="Longest wait for a feed's server to connect or send."
    )
    import_deadline_seconds: float = Field(
        30.0,
        gt=0,
        le=600,
        description="Longest time one feed's whole download (redirects included) may take.",
    )
    import_max_bytes: int = Field(
        2 * 1024 * 1024,
        ge=1024,
        description="Largest feed accepted, counted after decompression.",
    )
    import_max_events: int = Field(
        2000,
        ge=1,
        description="A feed with more events than this is refused as a whole.",
    )
    import_parallel_organisations: int = Field(
        8,
        ge=1,
        le=100,
        description="How many organisations' feeds are fetched at the same time.",
    )
    #: Feeds on loopback or private addresses are refused unless this is set (tests, intranets).
    import_allow_private_addresses: bool = False
    #: A booking holds its room's lock at most this long (a crashed request's lock is free
    #: again after it); far longer than checking clashes and writing one event takes.
    room_lock_seconds: float = Field(
        30.0, gt=0, description="Lease of a room's booking lock, in seconds."
    )
    #: How long a booking waits for another booking of the same room before answering 409.
    room_lock_wait_seconds: float = Field(
        10.0, gt=0, description="Longest wait for a room's booking lock, in seconds."
    )
    #: ORGANIZER of the iCalendar invitations to a working group's meetings.
    invitation_organizer_email: str = "kalender@integrationsnetz.example"
    document_max_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1024,
        le=100 * 1024 * 1024,
        description="Largest document of a meeting accepted (PDF or ODT), in bytes.",
    )
