"""Offers and requests find each other, through the real broker, the MongoDB-protocol server, the
directory's events and its tokens: each fitting pair once, never a closed or unfitting one."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from shared.ids import new_id
from tests.integration.exchange_fixtures import GERMAN_PRACTICE, SENIORS_TALKING, Network
from tests.support.amqp import StreamTap, publish_raw
from tests.support.matching_set import BLIND_DIR, LISTING_FIELDS, SET_DIR, load_pairs
from tests.support.schemas import committed_schema
from tests.support.waiting import eventually

MATCH_SCHEMA = committed_schema("exchange.match.found.v1.json")


def matches_of(tap: StreamTap, listing_id: str) -> list[dict[str, Any]]:
    """The `data` of every match.found the tap saw that involves the listing."""
    return [
        event["data"]
        for event in tap.of_type("exchange.match.found")
        if listing_id in (event["data"]["offer_id"], event["data"]["request_id"])
    ]


async def until_matched(tap: StreamTap, listing_id: str, count: int = 1) -> list[dict[str, Any]]:
    """The matches of the listing once `count` of them reached the tap (publishing is
    asynchronous: the outbox relay sends what a consumer wrote)."""

    async def arrived() -> bool:
        return len(matches_of(tap, listing_id)) >= count

    await eventually(arrived)
    return matches_of(tap, listing_id)


@pytest.fixture
async def mriya_and_seniors(network: Network) -> tuple[str, str]:
    """The organisations of the German practice request and of the seniors' offer."""
    mriya = await network.register("Ukrainischer Verein Mriya e.V.")
    seniors = await network.register("Seniorenbüro Lindenhof")
    return mriya, seniors


async def test_seniors_offering_to_talk_match_an_earlier_german_practice_request_exactly_once(
    network: Network, exchange_events: StreamTap, mriya_and_seniors: tuple[str, str]
) -> None:
    mriya, seniors = mriya_and_seniors
    sports = await network.register("Sportverein Eintracht Nord")
    request = await network.post_matched(exchange_events, "requests", mriya, **GERMAN_PRACTICE)
    offer = await network.post_matched(exchange_events, "offers", seniors, **SENIORS_TALKING)
    await until_matched(exchange_events, offer["id"])

    [found] = [
        e
        for e in exchange_events.of_type("exchange.match.found")
        if e["data"]["offer_id"] == offer["id"]
    ]
    match = found["data"]
    Draft202012Validator(MATCH_SCHEMA).validate(match)
    assert found["subject"] == match["match_id"]
    assert match["offer_id"] == offer["id"]
    assert match["request_id"] == request["id"]
    assert match["offer_organisation_id"] == seniors
    assert match["request_organisation_id"] == mriya
    assert match["category"] == "language_partner"
    assert 0.3 <= match["score"] <= 1
    assert match["reasons"] == ["Deutsch üben"]
    assert match["reason_details"] == [{"kind": "practice", "values": ["de"]}]
    assert match["rank"] == 1
    assert (match["offer_title"], match["request_title"]) == (offer["title"], request["title"])

    for organisation in (mriya, seniors):
        page = await network.client.get(
            "/matches",
            params={"organisation": organisation},
            headers=network.editor_of(organisation),
        )
        assert page.status_code == 200, page.text
        [shown] = page.json()["items"]
        assert shown["id"] == match["match_id"]
        assert shown["offer"]["id"] == offer["id"]
        assert shown["offer"]["title"] == "Senioren als Sprachpartner"
        assert shown["request"]["id"] == request["id"]
        assert shown["score"] == match["score"]
        assert shown["reasons"] == match["reasons"]
        assert page.json()["total"] == 1

    not_theirs = await network.client.get(
        "/matches", params={"organisation": mriya}, headers=network.editor_of(sports)
    )
    assert not_theirs.status_code == 403
    assert not_theirs.headers["content-type"] == "application/problem+json"
    anonymous = await network.client.get("/matches", params={"organisation": mriya})
    assert anonymous.status_code == 401
    staff = await network.client.get(
        "/matches", params={"organisation": seniors}, headers=network.admin
    )
    assert staff.json()["total"] == 1


async def test_a_room_offer_does_not_match_a_furniture_request(
    network: Network, exchange_events: StreamTap
) -> None:
    school = await network.register("Gesamtschule Nord")
    club = await network.register("Kulturverein La Casa")
    neighbours = await network.register("Nachbarschaftshilfe Süd")
    request = await network.post(
        "requests",
        club,
        category="furniture",
        title="Tische für das Sommerfest",
        tags=["Tische"],
    )
    room = await network.post(
        "offers", school, category="room", title="Aula mit Tischen", tags=["Tische"]
    )
    furniture = await network.post(
        "offers", neighbours, category="furniture", title="Tische abzugeben", tags=["Tische"]
    )
    for listing_id in (request["id"], room["id"], furniture["id"]):
        kind = "request" if listing_id == request["id"] else "offer"
        await network.matched(exchange_events, f"exchange.{kind}.posted", listing_id)

    assert matches_of(exchange_events, room["id"]) == []
    [furniture_match] = await until_matched(exchange_events, request["id"])
    assert furniture_match["offer_id"] == furniture["id"]
    shown = await network.client.get(
        "/matches", params={"organisation": school}, headers=network.editor_of(school)
    )
    assert shown.json()["items"] == []


def labelled(pair_id: str, side: str) -> dict[str, Any]:
    """One side of a labelled pair of the matching set, as a posting's fields."""
    [pair] = [p for d in (SET_DIR, BLIND_DIR) for p in load_pairs(d) if p.id == pair_id]
    listing = pair.offer if side == "offer" else pair.request
    return listing.model_dump(mode="json", include=POSTED_FIELDS, exclude_none=True)


#: What a posting of a labelled listing sends: its fields as the set gives them, and its category.
POSTED_FIELDS = {*LISTING_FIELDS, "category"}


async def test_a_thing_named_only_in_the_tags_and_a_room_for_a_purpose_are_found(
    network: Network, exchange_events: StreamTap
) -> None:
    """Candidates are read by shared keys: "Gerät abzugeben" tagged "Laserdrucker" is found
    for "Drucker fürs Vereinsbüro"; rooms fit by purpose, so the newest rooms are candidates
    too ("Saal der Kirchengemeinde" for "Raum für Gedenkveranstaltung")."""
    office = await network.register("Stadtteilbüro West")
    club = await network.register("Kulturverein Anadolu")
    device = await network.post_matched(
        exchange_events, "offers", office, **labelled("equipment-b007", "offer")
    )
    hall = await network.post_matched(
        exchange_events, "offers", office, **labelled("room-029", "offer")
    )
    printer = await network.post("requests", club, **labelled("equipment-b007", "request"))
    memorial = await network.post("requests", club, **labelled("room-029", "request"))

    [equipment] = await until_matched(exchange_events, printer["id"])
    [room] = await until_matched(exchange_events, memorial["id"])
    assert equipment["offer_id"] == device["id"]
    assert room["offer_id"] == hall["id"]


async def test_an_expired_request_is_withdrawn_as_expired_and_matches_nothing(
    network: Network, exchange_events: StreamTap, mriya_and_seniors: tuple[str, str]
) -> None:
    mriya, seniors = mriya_and_seniors
    # taken right before posting, with room for a slow machine: the service refuses an
    # expiry that has already passed (and truncates its clock to whole seconds)
    soon = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=4)
    request = await network.post("requests", mriya, **GERMAN_PRACTICE, expires_at=soon.isoformat())
    [withdrawn] = [
        e
        for e in await exchange_events.wait_for("exchange.request.withdrawn")
        if e["subject"] == request["id"]
    ]
    await network.post_matched(exchange_events, "offers", seniors, **SENIORS_TALKING)

    assert matches_of(exchange_events, request["id"]) == []
    assert withdrawn["data"]["reason"] == "expired"
    assert withdrawn["data"]["status"] == "expired"
    shown = (await network.client.get(f"/requests/{request['id']}")).json()
    assert (shown["status"], shown["closed_reason"]) == ("expired", "expired")


async def test_a_withdrawn_request_matches_nothing(
    network: Network, exchange_events: StreamTap, mriya_and_seniors: tuple[str, str]
) -> None:
    mriya, seniors = mriya_and_seniors
    request = await network.post("requests", mriya, **GERMAN_PRACTICE)
    withdrawn = await network.client.post(
        f"/requests/{request['id']}/withdraw", headers=network.editor_of(mriya)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    [event] = await exchange_events.wait_for("exchange.request.withdrawn")
    offer = await network.post_matched(exchange_events, "offers", seniors, **SENIORS_TALKING)

    assert matches_of(exchange_events, offer["id"]) == []
    assert event["subject"] == request["id"]
    assert event["data"]["reason"] == "withdrawn_by_owner"


async def test_redelivering_offer_posted_creates_no_second_match(
    network: Network, exchange_events: StreamTap, mriya_and_seniors: tuple[str, str]
) -> None:
    mriya, seniors = mriya_and_seniors
    await network.post_matched(exchange_events, "requests", mriya, **GERMAN_PRACTICE)
    offer = await network.post_matched(exchange_events, "offers", seniors, **SENIORS_TALKING)
    [original] = [
        m
        for m in exchange_events.messages
        if json.loads(m.body)["type"].endswith("offer.posted.v1")
        and json.loads(m.body)["subject"] == offer["id"]
    ]
    # the very same message again (inbox), and the same facts under a new event id
    # (a double publish by the relay): neither may match the pair a second time
    await publish_raw(
        network.rabbit_url,
        original.body,
        routing_key="exchange.offer.posted",
        message_id=str(original.message_id),
    )
    copy = {**json.loads(original.body), "id": new_id()}
    await publish_raw(
        network.rabbit_url,
        json.dumps(copy).encode(),
        routing_key="exchange.offer.posted",
        message_id=copy["id"],
    )

    async def copy_handled() -> bool:
        inbox = network.db["inbox"]
        key = f"exchange.matching:{copy['id']}"
        return bool(await inbox.find_one({"_id": key, "state": "done"}))

    await eventually(copy_handled)
    await asyncio.sleep(0.3)  # a second match.found would be on its way by now

    assert len(matches_of(exchange_events, offer["id"])) == 1
    stored = await network.db["matches"].count_documents({"offer_id": offer["id"]})
    assert stored == 1


async def test_editing_a_listing_matches_it_again_but_each_pair_only_once(
    network: Network, exchange_events: StreamTap
) -> None:
    families = await network.register("Familienzentrum Süd")
    neighbours = await network.register("Nachbarschaftshilfe Süd")
    request = await network.post(
        "requests", families, category="furniture", title="Kinderbetten", tags=["Kinderbetten"]
    )
    offer = await network.post_matched(
        exchange_events, "offers", neighbours, category="furniture", title="Sofa frei"
    )
    assert matches_of(exchange_events, offer["id"]) == []

    edited = await network.client.patch(
        f"/offers/{offer['id']}",
        json={"title": "Sofa und Kinderbetten frei", "tags": ["Kinderbetten"]},
        headers=network.editor_of(neighbours),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["revision"] == 2
    [updated] = await exchange_events.wait_for("exchange.offer.updated")
    assert updated["data"]["changed_fields"] == ["tags", "title"]
    await network.matched(exchange_events, "exchange.offer.updated", offer["id"])
    assert len(await until_matched(exchange_events, offer["id"])) == 1

    for path, owner, change in (
        (f"/offers/{offer['id']}", neighbours, {"description": "Abholung in der Südstadt"}),
        (f"/requests/{request['id']}", families, {"district": "Südstadt"}),
    ):
        response = await network.client.patch(path, json=change, headers=network.editor_of(owner))
        assert response.status_code == 200, response.text
    await exchange_events.wait_for("exchange.offer.updated", 2)
    await exchange_events.wait_for("exchange.request.updated")
    await network.matched(exchange_events, "exchange.offer.updated", offer["id"])
    await network.matched(exchange_events, "exchange.request.updated", request["id"])

    assert len(matches_of(exchange_events, offer["id"])) == 1


async def test_an_organisation_is_never_matched_with_itself(
    network: Network, exchange_events: StreamTap
) -> None:
    mriya = await network.register("Ukrainischer Verein Mriya e.V.")
    request = await network.post("requests", mriya, **GERMAN_PRACTICE)
    offer = await network.post("offers", mriya, **SENIORS_TALKING)
    await network.matched(exchange_events, "exchange.request.posted", request["id"])
    await network.matched(exchange_events, "exchange.offer.posted", offer["id"])

    assert matches_of(exchange_events, offer["id"]) == []


async def test_archiving_an_organisation_in_the_directory_withdraws_its_open_listings(
    network: Network, exchange_events: StreamTap
) -> None:
    leaving = await network.register("Verein im Umbruch")
    staying = await network.register("Stadtteilbüro Nordstadt")
    offer = await network.post("offers", leaving, category="equipment", title="Beamer")
    request = await network.post("requests", leaving, category="transport", title="Kleinbus")
    closed = await network.post("offers", leaving, category="furniture", title="Stühle")
    other = await network.post("offers", staying, category="equipment", title="Leinwand")
    fulfilled = await network.client.post(
        f"/offers/{closed['id']}/fulfil", headers=network.editor_of(leaving)
    )
    assert fulfilled.status_code == 200, fulfilled.text

    await network.archive(leaving)
    await exchange_events.wait_for("exchange.offer.withdrawn")
    [withdrawn_request] = await exchange_events.wait_for("exchange.request.withdrawn")
    await asyncio.sleep(0.3)  # anything else withdrawn would be published by now
    withdrawn_offers = exchange_events.of_type("exchange.offer.withdrawn")

    assert [e["subject"] for e in withdrawn_offers] == [offer["id"]]
    assert withdrawn_request["subject"] == request["id"]
    for event in [*withdrawn_offers, withdrawn_request]:
        assert event["data"]["reason"] == "organisation_archived"
        assert event["data"]["status"] == "withdrawn"
    shown = (await network.client.get(f"/offers/{offer['id']}")).json()
    assert (shown["status"], shown["closed_reason"]) == ("withdrawn", "organisation_archived")
    assert (await network.client.get(f"/offers/{closed['id']}")).json()["status"] == "fulfilled"
    assert (await network.client.get(f"/offers/{other['id']}")).json()["status"] == "open"

    refused = await network.client.post(
        "/offers",
        json={"organisation_id": leaving, "category": "room", "title": "Letzter Raum"},
        headers=network.admin,
    )
    assert refused.status_code == 409
    assert "left the network" in refused.json()["detail"]
