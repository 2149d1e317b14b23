"""`make up` on an empty system shows a living network: the demo loader, against real services
(partners, listings with a match, events, one taking registrations, and the concept)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from scripts import demo
from scripts.concept_seed import FACTS, LEADS
from scripts.demo_concept import LINKED
from services.directory.settings import DirectorySettings
from tests.e2e.demo_stack import demo_services
from tests.support.infra import RabbitVhost


async def test_the_demo_loads_partners_listings_with_a_match_and_events_once(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    mongo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with demo_services(directory_settings, rabbit, mongo_url, monkeypatch) as urls:
        directory_url, exchange_url = urls.directory_url, urls.exchange_url
        calendar_url, concept_url = urls.calendar_url, urls.concept_url
        assert await asyncio.to_thread(demo.main) == 0
        async with httpx.AsyncClient() as client:
            organisations = (await client.get(f"{directory_url}/organisations")).json()
            offers = (await client.get(f"{exchange_url}/offers")).json()
            requests_ = (await client.get(f"{exchange_url}/requests")).json()
            events = (await client.get(f"{calendar_url}/events")).json()
        assert organisations["total"] == len(demo.ORGANISATIONS) + len(LEADS)
        assert offers["total"] == 2
        assert requests_["total"] == 2
        assert {e["title"] for e in events["items"]} == {
            "Sprachcafé",
            "Kinderfußballturnier im Hoeschpark",
            "Infoabend: Ehrenamt in der Flüchtlingshilfe",  # the group's meeting: network only
        }
        [evening] = [e for e in events["items"] if e["title"].startswith("Infoabend")]
        async with httpx.AsyncClient() as client:
            registration = await client.get(
                f"{calendar_url}/events/{evening['event_id']}/registration"
            )
        assert registration.json()["open"] is True
        assert registration.json()["seats_left"] == 10

        assert await asyncio.to_thread(demo.main) == 0  # a second start loads nothing
        async with httpx.AsyncClient() as client:
            again = (await client.get(f"{directory_url}/organisations")).json()
        assert again["total"] == len(demo.ORGANISATIONS) + len(LEADS)
        await the_demo_concept_is_there(concept_url)


async def the_demo_concept_is_there(concept_url: str) -> None:
    """Kempten's shape: 6 fields, 43 goals, 144 measures; the figures; the Sprachcafé among
    the activities of the measure it carries out."""
    async with httpx.AsyncClient(base_url=concept_url) as client:
        concept = (await client.get("/concept")).json()
        overview = (await client.get("/overview")).json()
        facts = (await client.get("/facts")).json()
        sprachcafe = next(m for m in overview["measures"] if m["number"] == LINKED["sprachcafe"])
        activities = await client.get(f"/measures/{sprachcafe['id']}/activities")
    assert len(concept["fields"]) == 6
    assert sum(len(field["goals"]) for field in concept["fields"]) == 43
    # the public see the public measures; office staff all 144
    assert 0 < len(overview["measures"]) < 144
    assert sum(field["total"] for field in overview["fields"]) == len(overview["measures"])
    assert [fact["key"] for fact in facts] == list(FACTS)
    assert facts[0]["values"] == {"2020": 70_787.0, "2023": 72_477.0}
    assert [a["title"] for a in activities.json()["items"]] == ["Sprachcafé"]
