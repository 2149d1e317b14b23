"""A newcomer browses the demo network (as `make up` loads it) in a real browser, signed out, only
through the header's links and the plain GET forms: the month shows the demo's weekly
Sprachcafé, the wall narrowed to language partners shows the two that fit, and the directory
narrowed to Ukrainian finds the Ukrainian association."""

from __future__ import annotations

import datetime as dt
import re

from playwright.async_api import Browser, Page

from shared.clock import BERLIN
from tests.e2e.demo_stack import DemoPortal

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September"]
MONTHS += ["Oktober", "November", "Dezember"]


def first_sprachcafe() -> dt.date:
    """The demo's Sprachcafé starts on the next Tuesday and meets weekly."""
    today = dt.datetime.now(BERLIN).date()
    return today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)


async def card_titles(page: Page) -> set[str]:
    return {title.strip() for title in await page.locator("main article h3").all_inner_texts()}


async def test_a_newcomer_finds_dates_language_partners_and_a_ukrainian_association(
    demo_portal: DemoPortal, browser: Browser
) -> None:
    portal_url = demo_portal.portal_url
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
    await page.get_by_role("complementary").get_by_role("link", name="uk", exact=True).click()
    await page.wait_for_url(re.compile(r"sprache=uk"))
    assert await card_titles(page) == {"Ukrainischer Verein Mriya e.V."}
    await page.close()
