"""The portal hands calendar apps the shared calendar as iCalendar feeds on its own address:
the public events of the network and of one organisation, never the network-only ones."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar

from tests.integration.calendar_fixtures import ServedPartners
from tests.support.portal import portal_client

BERLIN = ZoneInfo("Europe/Berlin")
PUBLIC_URL = "https://integration.example-stadt.de"


def portal(calendar_url: str | None = None, directory_url: str | None = None) -> httpx.AsyncClient:
    return portal_client(
        calendar_url=calendar_url, directory_url=directory_url, public_base_url=PUBLIC_URL
    )


def an_event(organisation_id: str, title: str, days: int, **changes: Any) -> dict[str, Any]:
    starts = (dt.datetime.now(BERLIN) + dt.timedelta(days=days)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    return {
        "organisation_id": organisation_id,
        "title": title,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "venue": {"name": f"Treff {title}"},
        **changes,
    }


def titles(feed: httpx.Response) -> set[str]:
    return {str(event["SUMMARY"]) for event in Calendar.from_ical(feed.content).walk("VEVENT")}


async def test_calendar_apps_subscribe_to_the_public_events_through_the_portal(
    served_partners: ServedPartners,
) -> None:
    linde = await served_partners.organisation("Nachbarschaftstreff Linde")
    mriya = await served_partners.organisation("Ukrainischer Verein Mriya e.V.")
    for organisation, body in [
        (linde, an_event(linde, "Sprachcafé", 7)),
        (linde, an_event(linde, "Vorstandssitzung", 8, visibility="network")),
        (mriya, an_event(mriya, "Kinderfest", 9)),
    ]:
        saved = await served_partners.calendar.post(
            "/events", json=body, headers=served_partners.editor_of(organisation)
        )
        assert saved.status_code == 201, saved.text

    async with portal(served_partners.calendar_url, served_partners.directory_url) as client:
        everything = await client.get("/kalender.ics")
        of_linde = await client.get(f"/organisations/{linde}/kalender.ics")
        unknown = await client.get(
            "/organisations/01a20175-6dad-718f-a12c-c0b9a10eb02c/kalender.ics"
        )
        bad_window = await client.get("/kalender.ics", params={"from": "gestern"})
        page = await client.get(f"/organisations/{linde}")
        home = await client.get("/")

    assert everything.status_code == 200, everything.text
    assert everything.headers["content-type"] == "text/calendar; charset=utf-8"
    assert titles(everything) == {"Sprachcafé", "Kinderfest"}
    assert titles(of_linde) == {"Sprachcafé"}
    assert unknown.status_code == 404
    assert bad_window.status_code == 422
    feed = f"{PUBLIC_URL}/organisations/{linde}/kalender.ics"
    assert f'href="{feed}"' in page.text
    assert (
        f'href="webcal://integration.example-stadt.de/organisations/{linde}/kalender.ics"'
        in page.text
    )
    assert 'href="webcal://integration.example-stadt.de/kalender.ics"' in home.text


async def test_while_the_calendar_is_down_the_feeds_answer_503_in_the_readers_language() -> None:
    """The app is to try again later; a person downloading sees why, in their language."""
    said = {
        "de": "Der Kalender ist gerade nicht erreichbar.\n",
        "en": "The calendar cannot be reached right now.\n",
    }
    event_file = "/events/0b7c4c1e-2f4a-4f7e-9d7a-3c2b1a0f9e8d/kalender.ics"
    async with portal() as client:
        for path in ("/kalender.ics", event_file):
            for language, text in said.items():
                answer = await client.get(path, headers={"Accept-Language": language})
                assert answer.status_code == 503, path
                assert answer.headers["retry-after"] == "300"
                assert answer.text == text, (path, language)
