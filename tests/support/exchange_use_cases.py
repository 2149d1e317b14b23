"""The exchange's use cases as the unit tests set them up: the in-memory repository knowing
some active organisations, their members, and a group room to offer or ask for."""

from __future__ import annotations

from collections.abc import Mapping

from services.exchange.domain import ListingCreate
from shared.contracts.directory import OrganisationStatus
from shared.contracts.exchange import ListingCategory
from shared.projection import KnownOrganisation
from tests.support.in_memory import InMemoryExchangeStore


def store_knowing(organisations: Mapping[str, str]) -> InMemoryExchangeStore:
    """The exchange's repository in memory, knowing these organisations (id: name) as active."""
    store = InMemoryExchangeStore()
    for organisation_id, name in organisations.items():
        store.organisations[organisation_id] = KnownOrganisation(
            id=organisation_id, name=name, status=OrganisationStatus.ACTIVE, revision=1
        )
    return store


def room(organisation_id: str, title: str) -> ListingCreate:
    return ListingCreate(
        organisation_id=organisation_id,
        category=ListingCategory.ROOM,
        title=title,
        tags=["Gruppenraum", "Küche"],
        district="Nordstadt",
    )
