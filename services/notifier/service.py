"""The notifier's use cases, joined into the one object the routes, the consumers and the
periodic passes are given: planning who is told what (`planning.py`, a match's emails in
`match_notices.py`), subscriptions and
their links (`subscribing.py`), digests (`digests.py`), retention (`retention.py`) and what
office staff and editors look at (`office.py`). The consumers' calls are planning's."""

from __future__ import annotations

from typing import Generic

from typing_extensions import TypeVar

from services.notifier.digests import Digests
from services.notifier.match_notices import MatchNotices
from services.notifier.office import Office
from services.notifier.planning import DeliveryHandover, Planner
from services.notifier.repository import NotifierRepository
from services.notifier.retention import Retention
from services.notifier.settings import NotifierSettings
from services.notifier.store import NotifierStore
from services.notifier.subscribing import Subscribing
from services.notifier.tokens import Links

#: The repository the use cases work on: MongoDB unless a test hands in its in-memory twin.
Repository = TypeVar("Repository", bound=NotifierRepository, default=NotifierStore)


class Notifier(Generic[Repository]):
    def __init__(
        self,
        store: Repository,
        settings: NotifierSettings,
        links: Links,
        handover: DeliveryHandover | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.links = links
        self.planning = Planner(store, handover)
        self.subscriptions = Subscribing(store, settings, links, self.planning)
        self.digests = Digests(store, settings, self.planning)
        self.match_notices = MatchNotices(store, settings, self.planning)
        self.retention = Retention(store, settings)
        self.office = Office(store)
        #: Passes of the retention loop so far (finished, whatever their outcome).
        self.retention_passes = 0
        # what the consumers (`handlers.py`) call
        self.remember_organisation = self.planning.remember_organisation
        self.plan_match = self.match_notices.plan_match
        self.plan_conflict = self.planning.plan_conflict
        self.plan_command = self.planning.plan_command
        self.plan_listing = self.planning.plan_listing
        self.plan_calendar_entry = self.planning.plan_calendar_entry
        self.plan_calendar_change = self.planning.plan_calendar_change
        self.plan_calendar_update = self.planning.plan_calendar_update
