"""A neighbour without an account follows new rooms in her district in a real browser: a typo in
her address is pointed out, she confirms by the link in the email, and hears about the next room
offered in Nordstadt."""

from __future__ import annotations

import html
import re

import httpx
from playwright.async_api import Browser

from tests.integration.notifier_fixtures import NotifierFactory
from tests.support.amqp import publish
from tests.support.browser import refused_form
from tests.support.events import offer_in_nordstadt
from tests.support.mail import MailServer, tagged
from tests.support.portal import served_portal


async def test_a_neighbour_follows_new_rooms_in_her_district_and_hears_about_the_next_one(
    notifier_factory: NotifierFactory, mail_server: MailServer, browser: Browser
) -> None:
    neighbour = tagged("nachbarin")
    async with notifier_factory() as notifier:
        async with served_portal(notifier_url=notifier.url) as portal_url:
            page = await browser.new_page()
            await page.goto(portal_url)
            await page.click("header a:has-text('Per E-Mail folgen')")
            await page.wait_for_selector("h1:has-text('Per E-Mail folgen')")

            # the browser accepts an address without a dot in its domain; the notifier does not
            await page.fill("input[name=email]", "nachbarin@nordstadt")
            await page.check("input[name=topics][value=offers]")
            await page.check("input[name=categories][value=room]")
            await page.fill("input[name=districts]", "Nordstadt")
            await page.check("input[name=delivery][value=immediate]")
            await page.select_option("select[name=language]", "de")
            shown = await refused_form(page)
            assert "Bitte prüfen Sie: E-Mail-Adresse." in shown
            assert "gültige E-Mail-Adresse" in shown
            assert await page.input_value("input[name=email]") == "nachbarin@nordstadt"
            assert await page.is_checked("input[name=topics][value=offers]")
            assert not await page.is_checked("input[name=topics][value=events]")
            assert await page.is_checked("input[name=categories][value=room]")
            assert await page.input_value("input[name=districts]") == "Nordstadt"
            assert await page.is_checked("input[name=delivery][value=immediate]")
            assert await page.input_value("select[name=language]") == "de"

            await page.fill("input[name=email]", neighbour)
            await page.click("main button[type=submit]")
            await page.wait_for_selector("h1:has-text('Fast geschafft')")
            text = await page.inner_text("main")
            assert f"Bitte bestätigen Sie über den Link in der E-Mail an {neighbour}" in text
            assert "Neue Angebote · Kategorie: Raum · Stadtteil: Nordstadt · sofort" in text

        # the confirmation link leads to the notifier's own page; its button confirms
        [confirmation] = await mail_server.wait_for(lambda m: m.to == neighbour)
        async with httpx.AsyncClient() as mail_client:
            asked = await mail_client.get(
                confirmation.link(rf"{notifier.url}/subscriptions/confirm\?token=\S+")
            )
            assert asked.status_code == 200, asked.text
            action = re.search(r'<form method="post" action="([^"]+)"', asked.text)
            assert action, asked.text
            confirmed = await mail_client.post(html.unescape(action.group(1)))
        assert confirmed.status_code == 200, confirmed.text
        assert "Abonnement bestätigt" in confirmed.text

        sofa, elsewhere, room = (
            offer_in_nordstadt("Sofa abzugeben", category="furniture"),
            offer_in_nordstadt("Saal in der Südstadt", district="Südstadt"),
            offer_in_nordstadt("Gruppenraum am Nordplatz frei"),
        )
        published = await publish(notifier.amqp_url, [sofa, elsewhere, room])
        [mail] = await mail_server.wait_for(lambda m: m.cause == published[2].id)
        assert mail.to == neighbour
        assert mail.header("Subject") == "Neues Angebot: Gruppenraum am Nordplatz frei"
        assert f"http://portal.test/offers/{room.listing_id}" in mail.text
        assert mail.header("List-Unsubscribe")
        causes = {m.cause for m in mail_server.to(neighbour)}
        assert not causes & {published[0].id, published[1].id}
