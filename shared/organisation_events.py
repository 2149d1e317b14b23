"""The directory's organisation events as one subscription: the services that keep their own
view of the partner organisations consume all three the same way."""

from __future__ import annotations

from shared.contracts.directory import (
    OrganisationArchived,
    OrganisationFacts,
    OrganisationRegistered,
    OrganisationUpdated,
)
from shared.messaging import Handler, Subscriptions

#: Every event that carries an organisation's newest state.
ORGANISATION_EVENTS: tuple[type[OrganisationFacts], ...] = (
    OrganisationRegistered,
    OrganisationUpdated,
    OrganisationArchived,
)


def on_organisation_events(queue: Subscriptions, handler: Handler[OrganisationFacts]) -> None:
    """Hand each organisation event on `queue` to `handler`."""
    for organisation_event in ORGANISATION_EVENTS:
        queue.on(organisation_event)(handler)
