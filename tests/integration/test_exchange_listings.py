"""The exchange's listings through its HTTP API, against the real app, broker, database and the
directory's tokens: posting, finding, changing and closing offers and requests, who may do
what, and problem details for bad input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx

from shared.contracts.base import EVENTS_EXCHANGE
from shared.ids import new_id
from tests.integration.exchange_fixtures import Network
from tests.support.amqp import StreamTap
from tests.support.schemas import committed_validator


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["detail"]
    return problem


async def test_a_posted_offer_is_shown_to_everyone_and_published(network: Network) -> None:
    office = await network.register("Stadtteilbüro Nordstadt")
    async with StreamTap(network.rabbit_url, EVENTS_EXCHANGE, ("exchange.offer.*",)) as tap:
        response = await network.client.post(
            "/offers",
            json={
                "organisation_id": office,
                "category": "room",
                "title": "Gruppenraum für 20 Personen, abends frei",
                "description": "Barrierefrei, mit Beamer und Küche.",
                "tags": ["barrierefrei", "Küche"],
                "languages": ["de", "tr"],
                "district": "Nordstadt",
                "available_from": "2026-06-01T18:00:00+02:00",
                "quantity": 20,
            },
            headers=network.editor_of(office),
        )
        assert response.status_code == 201, response.text
        [posted] = await tap.wait_for("exchange.offer.posted")
    offer = response.json()
    assert response.headers["location"] == f"/offers/{offer['id']}"
    assert offer["kind"] == "offer"
    assert offer["status"] == "open"
    assert offer["closed_reason"] is None
    assert offer["revision"] == 1
    assert offer["available_from"] == "2026-06-01T16:00:00Z"
    created = dt.datetime.fromisoformat(offer["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    assert dt.datetime.fromisoformat(offer["expires_at"]) - created == dt.timedelta(days=60)

    shown = await network.client.get(f"/offers/{offer['id']}")  # no token: listings are public
    assert shown.status_code == 200
    assert shown.json() == offer
    assert_problem(await network.client.get(f"/requests/{offer['id']}"), 404)

    committed_validator("exchange.offer.posted.v1.json").validate(posted["data"])
    assert posted["subject"] == offer["id"]
    assert posted["data"]["organisation_id"] == office
    assert posted["data"]["tags"] == ["barrierefrei", "Küche"]


async def test_listings_can_be_found_by_their_facts_and_words(network: Network) -> None:
    mriya = await network.register("Ukrainischer Verein Mriya e.V.")
    office = await network.register("Stadtteilbüro Nordstadt")
    cafe = await network.post(
        "offers",
        mriya,
        category="room",
        title="Gemeinschaftsraum für das Sprachcafé",
        tags=["Sprachcafé"],
        languages=["uk", "de-AT"],
        district="Nordstadt",
    )
    hall = await network.post("offers", office, category="room", title="Aula der Gesamtschule")
    van = await network.post("offers", office, category="transport", title="Kleinbus, 9 Sitze")
    await network.post("requests", mriya, category="room", title="Raum für Elterncafé")
    gone = await network.post("offers", mriya, category="furniture", title="Alte Stühle")
    await network.client.post(f"/offers/{gone['id']}/withdraw", headers=network.editor_of(mriya))

    async def offers(**params: Any) -> list[str]:
        response = await network.client.get("/offers", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await offers() == [van["id"], hall["id"], cafe["id"]]  # newest first, open only
    assert await offers(category="room") == [hall["id"], cafe["id"]]
    assert await offers(tag="SPRACHCAFE") == [cafe["id"]]
    assert await offers(district="nordstadt") == [cafe["id"]]
    assert await offers(language="de") == [cafe["id"]]
    assert await offers(organisation=office) == [van["id"], hall["id"]]
    assert await offers(q="gesamtsch") == [hall["id"]]
    assert await offers(q="gemeinschafts sprachcafe") == [cafe["id"]]
    assert await offers(status="withdrawn") == [gone["id"]]

    first = (await network.client.get("/offers", params={"limit": 2})).json()
    assert (first["total"], first["limit"], first["offset"], first["next_offset"]) == (3, 2, 0, 2)
    last = (await network.client.get("/offers", params={"limit": 2, "offset": 2})).json()
    assert [item["id"] for item in last["items"]] == [cafe["id"]]
    assert last["next_offset"] is None
    requests = (await network.client.get("/requests")).json()["items"]
    assert [item["title"] for item in requests] == ["Raum für Elterncafé"]


async def test_editors_may_post_and_change_only_their_own_organisations_listings(
    network: Network,
) -> None:
    mriya = await network.register("Ukrainischer Verein Mriya e.V.")
    club = await network.register("Sportverein Eintracht Nord")
    member = network.editor_of(mriya)
    theirs = await network.post("requests", club, category="volunteers", title="Helfer für Turnier")
    body = {"organisation_id": club, "category": "volunteers", "title": "Übernommen"}

    assert_problem(await network.client.post("/requests", json=body, headers=member), 403)
    for method, path, change in (
        ("PATCH", f"/requests/{theirs['id']}", {"title": "Übernommen"}),
        ("POST", f"/requests/{theirs['id']}/withdraw", None),
        ("POST", f"/requests/{theirs['id']}/fulfil", None),
    ):
        response = await network.client.request(method, path, json=change, headers=member)
        assert_problem(response, 403)
        assert_problem(await network.client.request(method, path, json=change), 401)
    assert_problem(await network.client.post("/requests", json=body), 401)
    unchanged = (await network.client.get(f"/requests/{theirs['id']}")).json()
    assert (unchanged["title"], unchanged["status"]) == ("Helfer für Turnier", "open")

    by_staff = await network.client.post("/requests", json=body, headers=network.admin)
    assert by_staff.status_code == 201, by_staff.text
    own = await network.client.patch(
        f"/requests/{theirs['id']}",
        json={"quantity": 12, "district": "Nordstadt"},
        headers=network.editor_of(club),
    )
    assert own.status_code == 200, own.text
    assert (own.json()["quantity"], own.json()["revision"]) == (12, 2)


async def test_a_fulfilled_listing_cannot_be_changed_any_more(network: Network) -> None:
    club = await network.register("Sportverein Eintracht Nord")
    member = network.editor_of(club)
    async with StreamTap(network.rabbit_url, EVENTS_EXCHANGE, ("exchange.request.*",)) as tap:
        request = await network.post(
            "requests", club, category="cooperation", title="Partner für Kinderfußballturnier"
        )
        fulfilled = await network.client.post(f"/requests/{request['id']}/fulfil", headers=member)
        assert fulfilled.status_code == 200, fulfilled.text
        [event] = await tap.wait_for("exchange.request.fulfilled")
    assert fulfilled.json()["status"] == "fulfilled"
    assert event["data"]["status"] == "fulfilled"
    assert event["data"]["revision"] == 2

    path = f"/requests/{request['id']}"
    assert_problem(await network.client.patch(path, json={"title": "Neu"}, headers=member), 409)
    assert_problem(await network.client.post(f"{path}/fulfil", headers=member), 409)
    assert_problem(await network.client.post(f"{path}/withdraw", headers=member), 409)
    assert (await network.client.get(path)).json()["revision"] == 2


async def test_bad_input_gets_problem_details_never_a_500(network: Network) -> None:
    mriya = await network.register("Ukrainischer Verein Mriya e.V.")
    member = {**network.editor_of(mriya), "content-type": "application/json"}
    listing = await network.post("offers", mriya, category="room", title="Gruppenraum")
    now = dt.datetime.now(dt.UTC)
    good = {"organisation_id": mriya, "category": "room", "title": "Saal"}
    cases: list[tuple[str, str, Any, int]] = [
        ("POST", "/offers", b"{not json", 400),
        ("POST", "/offers", b"[]", 422),
        ("POST", "/offers", {**good, "status": "fulfilled"}, 422),
        ("POST", "/offers", {**good, "category": "car"}, 422),
        ("POST", "/offers", {**good, "title": ""}, 422),
        ("POST", "/offers", {**good, "title": "x" * 201}, 422),
        ("POST", "/offers", {**good, "tags": [f"t{n}" for n in range(21)]}, 422),
        ("POST", "/offers", {**good, "languages": ["deutsch!"]}, 422),
        ("POST", "/offers", {**good, "quantity": 0}, 422),
        ("POST", "/offers", {**good, "available_from": "2026-06-01T18:00:00"}, 422),
        (
            "POST",
            "/offers",
            {
                **good,
                "available_from": "2026-06-02T00:00:00Z",
                "available_until": "2026-06-01T00:00:00Z",
            },
            422,
        ),
        ("POST", "/offers", {**good, "expires_at": (now - dt.timedelta(days=1)).isoformat()}, 422),
        (
            "POST",
            "/offers",
            {**good, "expires_at": (now + dt.timedelta(days=400)).isoformat()},
            422,
        ),
        ("POST", "/offers", {**good, "organisation_id": "not-an-id"}, 422),
        # times at the edge of what a datetime holds: converting them to UTC would overflow
        ("POST", "/offers", {**good, "expires_at": "9999-12-31T23:59:59-12:00"}, 422),
        ("POST", "/offers", {**good, "available_from": "0001-01-01T00:00:00+14:00"}, 422),
        ("PATCH", f"/offers/{listing['id']}", {"expires_at": "9999-12-31T23:59:59-12:00"}, 422),
        ("POST", "/offers", {**good, "description": "x" * 300_000}, 413),
        ("PATCH", f"/offers/{listing['id']}", {"title": None}, 422),
        ("PATCH", f"/offers/{listing['id']}", {"organisation_id": new_id()}, 422),
        ("PATCH", f"/offers/{listing['id']}", {"available_until": "2020-01-01T00:00:00Z"}, 422),
        ("PATCH", f"/offers/{new_id()}", {"title": "Neuer Titel"}, 404),
        ("GET", "/offers/not-an-id", None, 422),
        ("GET", "/offers?limit=0", None, 422),
        ("GET", "/offers?status=lost", None, 422),
        ("GET", "/offers?language=deutsch!", None, 422),
        ("GET", "/matches", None, 422),
        ("GET", "/nowhere", None, 404),
    ]
    for method, path, body, expected in cases:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response = await network.client.request(
            method, path, content=None if body is None else content, headers=member
        )
        assert response.status_code == expected, (method, path, response.text[:300])
        assert response.headers["content-type"] == "application/problem+json", path
    shown = (await network.client.get(f"/offers/{listing['id']}")).json()
    assert (shown["title"], shown["revision"]) == ("Gruppenraum", 1)


async def test_posting_for_an_organisation_the_exchange_does_not_know_says_so(
    network: Network,
) -> None:
    unknown = new_id()
    response = await network.client.post(
        "/requests",
        json={"organisation_id": unknown, "category": "expertise", "title": "Rat gesucht"},
        headers=network.admin,
    )
    problem = assert_problem(response, 422)
    assert problem["type"].endswith("/unknown-organisation")
    assert "directory" in problem["detail"]


async def test_the_exchange_reports_its_health_readiness_and_metrics(network: Network) -> None:
    assert (await network.client.get("/healthz")).json() == {"status": "ok"}
    ready = await network.client.get("/readyz")
    assert ready.json() == {"status": "ready", "checks": {"database": True, "broker": True}}
    await network.client.get("/offers")
    metrics = await network.client.get("/metrics")
    assert 'route="/offers"' in metrics.text
