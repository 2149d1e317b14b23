"""Filters on list fields of the exchange (a listing's tags and languages, the two organisations
of a match) find what they should on nx-27017 too, whichever index serves them: plain equality
on an indexed list field finds nothing there (docs/storage.md), so they are matched with `$all`."""

from __future__ import annotations

from pymongo import ASCENDING

from tests.integration.exchange_fixtures import GERMAN_PRACTICE, Network
from tests.support.amqp import StreamTap
from tests.support.waiting import eventually


async def test_listings_by_tag_or_language_and_matches_are_found_whatever_index_serves_them(
    network: Network, exchange_events: StreamTap
) -> None:
    cafe = await network.register("Nachbarschaftscafé Linde")
    mriya = await network.register("Ukrainischer Verein Mriya e.V.")
    request = await network.post_matched(exchange_events, "requests", mriya, **GERMAN_PRACTICE)
    offer = await network.post_matched(
        exchange_events,
        "offers",
        cafe,
        category="language_partner",
        title="Sprachcafé: Sprachpartner zum Deutschüben",
        tags=["Sprachcafé"],
        languages=["de", "uk"],
    )

    async def matched() -> bool:
        return bool(exchange_events.of_type("exchange.match.found"))

    await eventually(matched)
    # indexes that end in each list field, as the planner wants for an indexed equality
    db = network.db
    await db["listings"].create_index([("tags_key", ASCENDING)])
    await db["listings"].create_index([("language_keys", ASCENDING)])
    await db["matches"].create_index([("organisation_ids", ASCENDING)])

    by_tag = await network.client.get("/offers", params={"tag": "sprachcafe"})
    by_language = await network.client.get("/offers", params={"language": "uk"})
    matches = await network.client.get(
        "/matches", params={"organisation": cafe}, headers=network.editor_of(cafe)
    )

    assert [o["id"] for o in by_tag.json()["items"]] == [offer["id"]]
    assert [o["id"] for o in by_language.json()["items"]] == [offer["id"]]
    assert [(m["offer"]["id"], m["request"]["id"]) for m in matches.json()["items"]] == [
        (offer["id"], request["id"])
    ]
