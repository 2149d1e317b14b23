"""A small association that cannot use curl posts an offer in the portal in a real browser, sees
the request it fits on its page, and takes the offer down again."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser

from shared.contracts.base import EVENTS_EXCHANGE
from tests.integration.exchange_fixtures import GERMAN_PRACTICE, Network
from tests.support.amqp import StreamTap
from tests.support.browser import fill_in, logged_in_page, refused_form, values_of
from tests.support.members import member_with_password
from tests.support.portal import served_portal

EMAIL = "olena@mriya.example.org"
PASSWORD = "Sonnenblume-Nordstadt-2026"
TITLE = "Senioren als Sprachpartner"
LISTING_URL = re.compile(r"/offers/[0-9a-f-]{36}$")


async def test_a_member_posts_an_offer_in_the_browser_sees_its_match_and_withdraws_it(
    served_network: Network, browser: Browser, tmp_path: Path
) -> None:
    network = served_network
    seniors = await network.register("Seniorentreff Lindenhof")
    mriya = await network.register("Ukrainischer Verein Mriya e.V.")
    await member_with_password(
        network.directory,
        network.admin,
        network.rabbit_url,
        seniors,
        email=EMAIL,
        name="Olena Kovalenko",
        password=PASSWORD,
    )
    async with served_portal(
        directory_url=str(network.directory.base_url), exchange_url=network.exchange_url
    ) as portal_url:
        page = await logged_in_page(browser, portal_url, EMAIL, PASSWORD)
        await page.click("main a:has-text('Angebot einstellen')")
        await page.wait_for_selector("h1:has-text('Angebot einstellen')")
        assert await page.input_value("select[name=organisation_id]") == seniors

        # "Deutsch" is what people write; the exchange wants a language tag
        typed = {
            "select[name=category]": "language_partner",
            "input[name=title]": TITLE,
            "textarea[name=description]": "Zwei Nachmittage pro Woche im Treff.",
            "input[name=tags]": "Sprachcafé, Senioren",
            "input[name=languages]": "Deutsch, uk",
            "input[name=district]": "Nordstadt",
        }
        await fill_in(page, typed)
        shown = await refused_form(page)
        assert "Bitte prüfen Sie: Sprachen." in shown
        assert "„Deutsch“ ist kein Sprachkürzel" in shown
        assert await page.input_value("select[name=organisation_id]") == seniors
        assert await values_of(page, typed) == typed
        assert await page.get_attribute("input[name=languages]", "aria-invalid") == "true"
        await page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)

        await page.fill("input[name=languages]", "de, uk")
        await page.click("main button[type=submit]")
        await page.wait_for_url(LISTING_URL)
        assert await page.inner_text("h1") == TITLE
        offer_url = page.url
        offer_id = offer_url.rsplit("/", 1)[1]
        assert "Status: offen" in await page.inner_text("#status")

        # another organisation looks for exactly that, through the API
        async with StreamTap(network.rabbit_url, EVENTS_EXCHANGE, ("exchange.#",)) as tap:
            await network.post_matched(
                tap, "requests", mriya, **GERMAN_PRACTICE, tags=["Sprachcafé"], district="Nordstadt"
            )
        await page.goto(f"{portal_url}/me")
        match = page.locator("li[id^=match-]", has_text=GERMAN_PRACTICE["title"])
        await match.wait_for()
        assert TITLE in await match.inner_text()
        assert await match.locator(f"a[href='/offers/{offer_id}']").count() == 1

        await page.screenshot(path=str(tmp_path / "me.png"), full_page=True)
        await page.goto(offer_url)
        await page.screenshot(path=str(tmp_path / "offer.png"), full_page=True)
        await page.click("main button:has-text('Zurückziehen')")
        await page.wait_for_selector("#status:has-text('zurückgezogen')")
        assert page.url == offer_url
        assert await page.locator("main button:has-text('Erledigt')").count() == 0

    withdrawn = await network.client.get(f"/offers/{offer_id}")
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["languages"] == ["de", "uk"]
