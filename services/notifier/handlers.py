"""What the notifier consumes, queue by queue: the one place that lists its subscriptions.

Each handler only records (a projection, a planned delivery, a digest item); sending happens
in the sender loop. Every write is keyed, so a redelivered message changes nothing.
"""

from __future__ import annotations

from services.notifier.service import Notifier
from shared.contracts.base import CloudEvent
from shared.contracts.calendar import (
    ConflictDetected,
    EventCancelled,
    EventRescheduled,
    EventScheduled,
    EventUpdated,
)
from shared.contracts.directory import (
    OrganisationArchived,
    OrganisationFacts,
    OrganisationRegistered,
    OrganisationUpdated,
)
from shared.contracts.exchange import MatchFound, OfferPosted, RequestPosted
from shared.contracts.notifier import SendEmail
from shared.messaging import Subscriptions


class NotifierHandlers:
    """The notifier's queues and handlers. The queues must be known before the runtime is
    built, the use cases need the runtime's database: `bind` joins them once both exist."""

    def __init__(self) -> None:
        self._notifier: Notifier | None = None
        self.directory = Subscriptions("notifier", "directory-events")
        self.exchange = Subscriptions("notifier", "exchange-events")
        self.calendar = Subscriptions("notifier", "calendar-events")
        self.commands = Subscriptions("notifier", "commands")
        self._register()

    def bind(self, notifier: Notifier) -> None:
        self._notifier = notifier

    @property
    def all(self) -> tuple[Subscriptions, ...]:
        return (self.directory, self.exchange, self.calendar, self.commands)

    @property
    def notifier(self) -> Notifier:
        if self._notifier is None:
            raise RuntimeError("the notifier handlers were not bound to the service")
        return self._notifier

    def _register(self) -> None:
        async def on_organisation(payload: OrganisationFacts, _event: CloudEvent) -> None:
            await self.notifier.remember_organisation(payload)

        for organisation_event in (
            OrganisationRegistered,
            OrganisationUpdated,
            OrganisationArchived,
        ):
            self.directory.on(organisation_event)(on_organisation)

        @self.exchange.on(MatchFound)
        async def on_match(payload: MatchFound, event: CloudEvent) -> None:
            await self.notifier.plan_match(payload, event)

        @self.exchange.on(OfferPosted)
        async def on_offer(payload: OfferPosted, event: CloudEvent) -> None:
            await self.notifier.plan_listing(payload, event)

        @self.exchange.on(RequestPosted)
        async def on_request(payload: RequestPosted, event: CloudEvent) -> None:
            await self.notifier.plan_listing(payload, event)

        @self.calendar.on(EventScheduled)
        async def on_scheduled(payload: EventScheduled, event: CloudEvent) -> None:
            await self.notifier.plan_calendar_entry(payload, event)

        @self.calendar.on(EventRescheduled)
        async def on_rescheduled(payload: EventRescheduled, event: CloudEvent) -> None:
            await self.notifier.plan_calendar_change(payload, event)

        @self.calendar.on(EventCancelled)
        async def on_cancelled(payload: EventCancelled, event: CloudEvent) -> None:
            await self.notifier.plan_calendar_change(payload, event)

        @self.calendar.on(EventUpdated)
        async def on_updated(payload: EventUpdated, _event: CloudEvent) -> None:
            await self.notifier.plan_calendar_update(payload)

        @self.calendar.on(ConflictDetected)
        async def on_conflict(payload: ConflictDetected, event: CloudEvent) -> None:
            await self.notifier.plan_conflict(payload, event)

        @self.commands.on(SendEmail)
        async def on_send_email(payload: SendEmail, event: CloudEvent) -> None:
            await self.notifier.plan_command(payload, event)
