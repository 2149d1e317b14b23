"""Listings of the exchange that name a measure: the concept keeps them among the measure's
activities while they are open, and they stop counting — on the page and in the report — once
withdrawn."""

from __future__ import annotations

import datetime as dt

from tests.integration.concept_fixtures import ConceptStack


async def test_an_offer_naming_a_measure_counts_for_it_until_it_is_withdrawn(
    concept_exchange_stack: ConceptStack,
) -> None:
    stack = concept_exchange_stack
    assert stack.exchange is not None
    lead = await stack.adopted_with_lead("Stadtbibliothek Kempten")
    measure = await stack.measure("1.1.1", lead_organisation_id=lead)
    other = await stack.measure("1.1.2", lead_organisation_id=lead)
    posted = await stack.exchange.post(
        "/offers",
        json={
            "organisation_id": lead,
            "category": "room",
            "title": "Lesesaal für das Sprachcafé",
            "measure_ids": [measure["id"]],
        },
        headers=stack.editor_of(lead),
    )
    assert posted.status_code == 201, posted.text
    offer_id = posted.json()["id"]
    (activity,) = await stack.activities(measure["id"], total=1)
    assert activity["kind"] == "offer"
    assert activity["title"] == "Lesesaal für das Sprachcafé"
    assert activity["link"] == f"http://portal.test/offers/{offer_id}"
    assert (await stack.concept.get(f"/measures/{other['id']}/activities")).json()["total"] == 0
    assert await listings_in_a_report(stack, measure["id"]) == 1

    withdrawn = await stack.exchange.post(
        f"/offers/{offer_id}/withdraw", headers=stack.editor_of(lead)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert await stack.activities(measure["id"], total=0) == []
    assert await listings_in_a_report(stack, measure["id"]) == 0


async def listings_in_a_report(stack: ConceptStack, measure_id: str) -> int:
    """The listings a report published now counts for the measure."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    published = await stack.concept.post("/reports", json={"cut_off": today}, headers=stack.admin)
    assert published.status_code == 201, published.text
    content = (await stack.concept.get(f"/reports/{published.json()['id']}")).json()["content"]
    (row,) = [m for m in content["measures"] if m["id"] == measure_id]
    listings: int = row["listings"]
    return listings
