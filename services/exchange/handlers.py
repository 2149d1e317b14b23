"""What the exchange does with the messages it consumes: the one place that lists its
subscriptions.

- `exchange.directory-events`: the directory's organisation events keep the projection of
  organisations (and an archived organisation's open listings are withdrawn);
- `exchange.matching`: the exchange's own posted/updated events run the matching of an edited
  listing, and of a new one that was not matched as it was posted (`PostedMatching`), so a
  match is never lost when the process dies right after a listing was written.
"""

from __future__ import annotations

from services.exchange.domain import MATCHING_FIELDS
from services.exchange.service import Exchange
from shared.contracts.base import CloudEvent
from shared.contracts.directory import OrganisationFacts
from shared.contracts.exchange import (
    ListingFacts,
    OfferPosted,
    OfferUpdated,
    RequestPosted,
    RequestUpdated,
)
from shared.organisation_events import on_organisation_events
from shared.runtime import ServiceRuntime


def wire(runtime: ServiceRuntime, exchange: Exchange) -> None:
    """Register the exchange's handlers on the queues the runtime creates."""
    directory_events = runtime.queue("directory-events")
    matching = runtime.queue("matching")

    async def on_organisation(facts: OrganisationFacts, event: CloudEvent) -> None:
        await exchange.apply_organisation(facts, event.correlationid or event.id)

    on_organisation_events(directory_events, on_organisation)

    async def on_posted(facts: ListingFacts, event: CloudEvent) -> None:
        if await exchange.posted_matching.matched_here(facts.listing_id):
            return
        await exchange.match_listing(facts.listing_id, event.correlationid or event.id)

    async def on_edited(facts: OfferUpdated | RequestUpdated, event: CloudEvent) -> None:
        if MATCHING_FIELDS.intersection(facts.changed_fields):
            await exchange.match_listing(facts.listing_id, event.correlationid or event.id)

    matching.on(OfferPosted)(on_posted)
    matching.on(RequestPosted)(on_posted)
    matching.on(OfferUpdated)(on_edited)
    matching.on(RequestUpdated)(on_edited)
