"""Configuration of the calendar service."""

from __future__ import annotations

from pydantic import Field, model_validator

from shared.public_links import require_public_urls
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
    #: Registrations: how long after an event's end its registrants' names, addresses and
    #: answers are kept (then only the counts remain).
    registration_retention_days: int = Field(30, ge=0, le=3650)
    #: Registrations: how many hours before an event starts its registrants are reminded.
    registration_reminder_hours: int = Field(24, ge=1, le=24 * 14)
    #: How often the reminders, the passed deadlines and the retention of registrations run.
    registration_jobs_seconds: float = Field(300.0, gt=0)
    #: The organiser's address in the iCalendar invitations the calendar sends (ORGANIZER).
    invitation_organizer_email: str = "kalender@integrationsnetz.example"

    document_max_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1024,
        le=100 * 1024 * 1024,
        description="Largest document of a meeting accepted (PDF or ODT), in bytes.",
    )

    @property
    def portal_url(self) -> str:
        """The portal's public address, which the emails link to (`PUBLIC_BASE_URL`)."""
        return self.public_base_url

    @model_validator(mode="after")
    def _email_links_point_somewhere_reachable(self) -> CalendarSettings:
        require_public_urls(self.environment, {"PUBLIC_BASE_URL": self.public_base_url})
        return self
