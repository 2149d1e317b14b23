"""Fifty open German-speaking language-partner requests and one new offer, through the real
broker and database: an unrelated offer (English conversation) matches none of them — German
in common is no fit — and a fitting one matches them ranked, best first."""

from __future__ import annotations

import itertools
from typing import Any

from tests.integration.exchange_fixtures import Network
from tests.support.amqp import StreamTap

REQUESTS = 50
DISTRICTS = ["Nordstadt", "Südstadt", "Westend", "Ostviertel", "Altstadt"]


async def test_fifty_german_speaking_requests_one_unrelated_and_one_fitting_offer(
    network: Network, exchange_events: StreamTap
) -> None:
    requesters = [await network.register(f"Elterninitiative {n}") for n in range(REQUESTS)]
    requests = [
        await network.post(
            "requests",
            organisation,
            category="language_partner",
            title=f"Deutsch üben für Mütter, Gruppe {n}",
            description="Wir möchten im Alltag mehr Deutsch sprechen.",
            languages=["uk", "de"],
            district=DISTRICTS[n % len(DISTRICTS)],
        )
        for n, organisation in enumerate(requesters)
    ]
    for request in requests:
        await network.matched(exchange_events, "exchange.request.posted", request["id"])

    async def language_partner_offer(offered_by: str, **fields: Any) -> dict[str, Any]:
        """A new organisation offers language partners in the Westend; returns once matched."""
        organisation = await network.register(offered_by)
        return await network.post_matched(
            exchange_events,
            "offers",
            organisation,
            category="language_partner",
            district="Westend",
            **fields,
        )

    unrelated = await language_partner_offer(
        "Sprachtreff International", title="Konversationskurs Englisch", languages=["de", "en"]
    )
    fitting = await language_partner_offer(
        "Seniorenbüro Westend",
        title="Senioren als Gesprächspartner auf Deutsch",
        tags=["Konversation"],
        languages=["de"],
    )

    found = exchange_events.of_type("exchange.match.found")
    assert [m for m in found if m["data"]["offer_id"] == unrelated["id"]] == []
    ranked = sorted(
        (m["data"] for m in found if m["data"]["offer_id"] == fitting["id"]),
        key=lambda match: match["rank"],
    )
    assert len(ranked) == REQUESTS
    assert [match["rank"] for match in ranked] == list(range(1, REQUESTS + 1))
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(ranked))
    # the requests in the offer's own district fit best
    westend = {r["id"] for r in requests if r["district"] == "Westend"}
    assert {match["request_id"] for match in ranked[: len(westend)]} == westend
