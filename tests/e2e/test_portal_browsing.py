"""A newcomer browses the demo network in a real browser, signed out, only through the header's
links and the plain GET forms: the month shows the demo's weekly Sprachcafé, the wall narrowed
to language partners shows the two that fit, and the directory narrowed to Ukrainian finds the
Ukrainian association."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Page

from scripts import demo
from services.calendar.app import create_app as create_calendar
from services.calendar.settings import CalendarSettings
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.exchange.app import create_app as create_exchange
from tests.conftest import behind_the_directory
from tests.integration.exchange_fixtures import exchange_settings
from tests.support.infra import RabbitVhost
from tests.support.portal import served_portal
from tests.support.services import serving, serving_with_admin
from tests.support.waiting import until_ready

BERLIN = ZoneInfo("Europe/Berlin")
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September"]
MONTHS += ["Oktober", "November", "Dezember"]


def first_sprachcafe() -> dt.date:
    """The demo's Sprachcafé starts on the next Tuesday and meets weekly."""
    today = dt.datetime.now(BERLIN).date()
    return today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)


async def card_titles(page: Page) -> set[str]:
    return {title.strip() for title in await page.locator("main article h3").all_inner_texts()}


async def test_a_newcomer_finds_dates_language_partners_and_a_ukrainian_association(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    mongo_url: str,
    monkeypatch: pytest.MonkeyPatch,
    browser: Browser,
) -> None:
    directory_app = create_directory(directory_settings())
    async with serving_with_admin(directory_app) as (directory_url, directory, admin):
        calendar_app = create_calendar(
            CalendarSettings(
                _env_file=None, **behind_the_directory(mongo_url, rabbit.url, directory_url)
            )
        )
        exchange_app = create_exchange(exchange_settings(mongo_url, rabbit.url, directory_url))
        async with (
            serving(calendar_app) as calendar_url,
            serving(exchange_app) as exchange_url,
        ):
            for url in (calendar_url, exchange_url):
                async with httpx.AsyncClient(base_url=url) as client:
                    await until_ready(client)
            ids = {}
            for organisation in demo.ORGANISATIONS:
                registered = await directory.post(
                    "/organisations", json=organisation, headers=admin
                )
                assert registered.status_code == 201, registered.text
                ids[organisation["name"]] = registered.json()["id"]
            monkeypatch.setenv("EXCHANGE_URL", exchange_url)
            monkeypatch.setenv("CALENDAR_URL", calendar_url)

            def load() -> None:
                with httpx.Client(timeout=30) as client:
                    demo.load_listings_and_events(client, admin, ids, {})

            await asyncio.to_thread(load)  # the demo loader is synchronous

            async with served_portal(
                directory_url=directory_url, calendar_url=calendar_url, exchange_url=exchange_url
            ) as portal_url:
                page = await browser.new_page()
                await page.goto(portal_url)

                # the month of the first Sprachcafé: a table, the Sprachcafé in its Tuesday
                await page.get_by_role("banner").get_by_role("link", name="Kalender").click()
                await page.wait_for_url(re.compile(r"/kalender$"))
                first = first_sprachcafe()
                if first.month != dt.datetime.now(BERLIN).month:
                    await page.locator("a[rel=next]").first.click()
                month = page.get_by_role("table")
                caption = f"{MONTHS[first.month - 1]} {first.year}"
                await month.locator("caption", has_text=caption).wait_for()
                assert await month.locator("th[scope=col]").count() == 7
                cell = month.locator("tbody td:not(.other)").nth(first.day - 1)
                assert "17:00 Sprachcafé" in await cell.inner_text()
                await cell.get_by_role("link", name=re.compile("Sprachcafé")).click()
                await page.wait_for_url(re.compile(r"/events/[0-9a-f-]{36}$"))
                assert await page.get_by_role("link", name="Zu meinem Kalender hinzufügen").count()

                # the wall narrowed to language partners
                await page.get_by_role("banner").get_by_role("link", name="Suchen & Bieten").click()
                await page.wait_for_url(re.compile(r"/suchen-bieten$"))
                assert "Gruppenraum für 30 Personen" in await card_titles(page)
                await page.select_option("select[name=kategorie]", label="Sprachpartnerschaft")
                await page.get_by_role("button", name="Filtern").click()
                await page.wait_for_url(re.compile(r"kategorie=language_partner"))
                assert await card_titles(page) == {
                    "Senioren als Sprachpartner",
                    "Sprachpartner zum Deutschüben",
                }

                # the directory narrowed to Ukrainian, by the form and by the facet's link
                await page.get_by_role("banner").get_by_role("link", name="Organisationen").click()
                await page.fill("input[name=sprache]", "uk")
                await page.get_by_role("button", name="Suchen").click()
                await page.wait_for_url(re.compile(r"sprache=uk"))
                assert await card_titles(page) == {"Ukrainischer Verein Mriya e.V."}
                await page.goto(f"{portal_url}/organisations")
                await (
                    page.get_by_role("complementary")
                    .get_by_role("link", name="uk", exact=True)
                    .click()
                )
                await page.wait_for_url(re.compile(r"sprache=uk"))
                assert await card_titles(page) == {"Ukrainischer Verein Mriya e.V."}
                await page.close()
