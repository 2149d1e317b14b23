"""One typed client per service (`directory`, `calendar`, `exchange`, `notifier`, `concept`):
methods named by what they do, answers as the portal's own view models, 4xx as `Problem`."""

from __future__ import annotations

from dataclasses import dataclass

from services.portal.backends import Backends
from services.portal.clients.calendar import CalendarClient
from services.portal.clients.concept import ConceptClient
from services.portal.clients.directory import DirectoryClient
from services.portal.clients.exchange import ExchangeClient
from services.portal.clients.notifier import NotifierClient


@dataclass(frozen=True)
class Clients:
    directory: DirectoryClient
    calendar: CalendarClient
    exchange: ExchangeClient
    notifier: NotifierClient
    concept: ConceptClient

    @classmethod
    def over(cls, backends: Backends) -> Clients:
        return cls(
            DirectoryClient(backends),
            CalendarClient(backends),
            ExchangeClient(backends),
            NotifierClient(backends),
            ConceptClient(backends),
        )
