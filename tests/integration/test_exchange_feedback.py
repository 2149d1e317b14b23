"""Feedback on matches and the outcome of a listing against the real broker and database: a side
rates its match over HTTP and through the portal, the rating is on the public stream, bad links
and strangers get a clear 4xx (a German page in the portal), a listing is fulfilled through one
of its matches only, and office staff see the figures."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.contracts.base import EVENTS_EXCHANGE
from shared.contracts.exchange import MatchSide, MatchVerdict
from shared.ids import new_id
from shared.match_feedback import FeedbackClaim, FeedbackSigner
from tests.integration.exchange_fixtures import GERMAN_PRACTICE, SENIORS_TALKING, Network
from tests.support.amqp import StreamTap
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.portal import session_of, signed_in_portal
from tests.support.problems import assert_problem
from tests.support.schemas import committed_validator


@pytest.fixture
async def exchange_stream(served_network: Network) -> AsyncIterator[StreamTap]:
    """Every event the exchange of `served_network` publishes from now on."""
    async with StreamTap(served_network.rabbit_url, EVENTS_EXCHANGE, ("exchange.#",)) as tap:
        yield tap


def slug(body: dict[str, Any]) -> str:
    return str(body["type"]).rsplit("/", 1)[-1]


def feedback_token(match_id: str, side: MatchSide, verdict: MatchVerdict, *, expires: int) -> str:
    claim = FeedbackClaim(match_id, side, verdict, "de", expires)
    return FeedbackSigner(MATCH_FEEDBACK_SECRET).sign(claim)


async def matched(network: Network, tap: StreamTap) -> tuple[str, str, dict[str, Any]]:
    """Two organisations whose offer and request fit; returns their ids and the match."""
    seniors = await network.register("Seniorentreff Lindenhof")
    mriya = await network.register("Ukrainischer Verein Mriya e.V.")
    await network.post_matched(tap, "offers", seniors, **SENIORS_TALKING)
    await network.post_matched(tap, "requests", mriya, **GERMAN_PRACTICE)
    found = await network.client.get(
        "/matches", params={"organisation": mriya}, headers=network.editor_of(mriya)
    )
    [match] = found.json()["items"]
    return seniors, mriya, match


async def test_a_side_rates_its_match_and_no_longer_sees_it_when_it_does_not_fit(
    served_network: Network, exchange_stream: StreamTap
) -> None:
    network = served_network
    seniors, mriya, match = await matched(network, exchange_stream)
    url = f"/matches/{match['id']}/rating"
    rated = await network.client.post(
        url,
        json={"organisation_id": mriya, "verdict": "does_not_fit"},
        headers=network.editor_of(mriya),
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["side"] == "request"
    [event] = await exchange_stream.wait_for("exchange.match.rated")
    committed_validator("exchange.match.rated.v1.json").validate(event["data"])
    assert event["subject"] == match["id"]
    assert (event["data"]["verdict"], event["data"]["via"]) == ("does_not_fit", "portal")
    assert mriya not in json.dumps(event)
    assert seniors not in json.dumps(event)

    theirs = await network.client.get(
        "/matches", params={"organisation": mriya}, headers=network.editor_of(mriya)
    )
    assert theirs.json()["total"] == 0
    ours = await network.client.get(
        "/matches", params={"organisation": seniors}, headers=network.editor_of(seniors)
    )
    [shown] = ours.json()["items"]
    assert shown["ratings"]["request"]["verdict"] == "does_not_fit"

    # strangers, a side not involved, a verdict that is none
    stranger = await network.register("FC Anadolu Nordstadt 1987")
    refusals = [
        ({"organisation_id": stranger, "verdict": "fits"}, network.editor_of(stranger), 404),
        ({"organisation_id": stranger, "verdict": "fits"}, network.admin, 403),
        ({"organisation_id": mriya, "verdict": "fits"}, network.editor_of(seniors), 403),
        ({"organisation_id": mriya, "verdict": "maybe"}, network.editor_of(mriya), 422),
    ]
    for body, headers, status in refusals:
        assert_problem(await network.client.post(url, json=body, headers=headers), status)
    unknown = await network.client.post(
        f"/matches/{new_id()}/rating",
        json={"organisation_id": mriya, "verdict": "fits"},
        headers=network.admin,
    )
    assert slug(assert_problem(unknown, 404)) == "no-such-match"


async def test_a_feedback_link_is_checked_before_and_recorded_by_the_portals_button(
    served_network: Network, exchange_stream: StreamTap
) -> None:
    network = served_network
    seniors, _, match = await matched(network, exchange_stream)
    later = int(time.time()) + 3600
    token = feedback_token(match["id"], MatchSide.OFFER, MatchVerdict.FITS, expires=later)
    bad = {
        "forged-token": FeedbackSigner("another-secret-of-at-least-32-chars").sign(
            FeedbackClaim(match["id"], MatchSide.OFFER, MatchVerdict.FITS, "de", later)
        ),
        "expired-token": feedback_token(
            match["id"], MatchSide.OFFER, MatchVerdict.FITS, expires=int(time.time()) - 1
        ),
        "malformed-token": "not.a.token.at.all",
        "no-such-match": feedback_token(
            new_id(), MatchSide.OFFER, MatchVerdict.FITS, expires=later
        ),
    }
    statuses = {"forged-token": 400, "expired-token": 410, "malformed-token": 400}
    for expected, bad_token in bad.items():
        answer = await network.client.post("/match-feedback", json={"token": bad_token})
        assert slug(assert_problem(answer, statuses.get(expected, 404))) == expected

    directory_url = str(network.directory.base_url)
    session = session_of(network.editor_of(seniors))
    async with signed_in_portal(
        session, directory_url=directory_url, exchange_url=network.exchange_url
    ) as portal:
        page = await portal.get("/treffer-bewerten", params={"token": token})
        assert page.status_code == 200, page.text
        assert "Bewertung „passt“ speichern" in page.text
        assert exchange_stream.of_type("exchange.match.rated") == []  # looking records nothing
        expired = await portal.post("/treffer-bewerten", data={"token": bad["expired-token"]})
        assert expired.status_code == 410
        assert "Dieser Link ist abgelaufen" in expired.text
        forged = await portal.get("/treffer-bewerten", params={"token": bad["forged-token"]})
        assert forged.status_code == 400
        assert "Dieser Link ist ungültig" in forged.text

        saved = await portal.post("/treffer-bewerten", data={"token": token})
        assert saved.status_code == 200, saved.text
        assert "Wir haben notiert: passt" in saved.text
        [event] = await exchange_stream.wait_for("exchange.match.rated")
        assert (event["data"]["side"], event["data"]["via"]) == ("offer", "email")

        # the matches page shows the rating and rates in the portal
        matches_page = await portal.get(f"/organisations/{seniors}/treffer")
        assert matches_page.status_code == 200
        assert "Ihre Bewertung: passt" in matches_page.text
        dismissed = await portal.post(
            f"/organisations/{seniors}/treffer/{match['id']}", data={"verdict": "does_not_fit"}
        )
        assert dismissed.status_code == 303
        assert match["id"] not in (await portal.get(f"/organisations/{seniors}/treffer")).text
        report = await portal.get("/buero/vermittlung")
        assert report.status_code == 403
        assert "nur das Büro" in report.text


async def test_a_listing_is_fulfilled_through_one_of_its_matches_and_the_office_counts_it(
    served_network: Network, exchange_stream: StreamTap
) -> None:
    network = served_network
    seniors, mriya, match = await matched(network, exchange_stream)
    other_offer = await network.post("offers", seniors, category="room", title="Gruppenraum frei")
    refused = await network.client.post(
        f"/offers/{other_offer['id']}/fulfil",
        json={"through_match_id": match["id"]},
        headers=network.editor_of(seniors),
    )
    body = assert_problem(refused, 422)
    assert (slug(body), body["fields"]) == ("not-a-match-of-this-listing", ["through_match_id"])

    directory_url = str(network.directory.base_url)
    async with signed_in_portal(
        session_of(network.editor_of(mriya)),
        directory_url=directory_url,
        exchange_url=network.exchange_url,
    ) as portal:
        fulfilled = await portal.post(
            f"/requests/{match['request']['id']}/fulfil", data={"through_match_id": match["id"]}
        )
        assert fulfilled.status_code == 303, fulfilled.text
    [event] = await exchange_stream.wait_for("exchange.request.fulfilled")
    assert event["data"]["through_match_id"] == match["id"]
    plain = await network.client.post(
        f"/offers/{other_offer['id']}/fulfil", headers=network.editor_of(seniors)
    )
    assert plain.status_code == 200
    assert plain.json()["through_match_id"] is None

    report = await network.client.get("/reports/fulfilments", headers=network.admin)
    [month] = report.json()
    assert (month["fulfilled"], month["through_match"]) == (2, 1)
    refused_report = await network.client.get(
        "/reports/match-precision", headers=network.editor_of(seniors)
    )
    assert slug(assert_problem(refused_report, 403)) == "office-only"
    async with signed_in_portal(
        session_of(network.admin), directory_url=directory_url, exchange_url=network.exchange_url
    ) as portal:
        page = await portal.get("/buero/vermittlung")
        assert page.status_code == 200, page.text
        assert "Vermittlungen, die geholfen haben" in page.text
        assert "<td>2</td><td>1</td>" in page.text
