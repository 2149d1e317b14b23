"""A neighbour without an account follows new rooms in her district in a real browser: a typo in
her address is pointed out, she confirms by the link in the email, and hears about the next room
offered in Nordstadt."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import httpx
from playwright.async_api import Browser

from services.portal.app import create_app as create_portal
from services.portal.settings import PortalSettings
from shared.contracts.exchange import OfferPosted
from tests.integration.notifier_fixtures import MailServer, NotifierFactory, publish, tagged
from tests.support.infra import free_port
from tests.support.services import serving


def an_offer(title: str, **changes: object) -> OfferPosted:
    """An `exchange.offer.posted` of another organisation; keyword arguments override."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    values: dict[str, object] = {
        "listing_id": str(uuid.uuid4()),
        "organisation_id": str(uuid.uuid4()),
        "category": "room",
        "title": title,
        "district": "Nordstadt",
        "status": "open",
        "expires_at": now + dt.timedelta(days=60),
        "revision": 1,
        "updated_at": now,
    }
    values.update(changes)
    return OfferPosted.model_validate(values)


async def test_a_neighbour_follows_new_rooms_in_her_district_and_hears_about_the_next_one(
    notifier_factory: NotifierFactory, mail_server: MailServer, browser: Browser
) -> None:
    neighbour = tagged("nachbarin")
    nowhere = f"http://127.0.0.1:{free_port()}"
    async with notifier_factory() as notifier:
        portal = create_portal(
            PortalSettings(
                _env_file=None,
                notifier_url=notifier.url,
                directory_url=nowhere,
                exchange_url=nowhere,
                calendar_url=nowhere,
            )
        )
        async with serving(portal) as portal_url:
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
            async with page.expect_response(lambda r: r.request.method == "POST") as refused:
                await page.click("main button[type=submit]")
            assert (await refused.value).status == 422
            alert = page.locator("[role=alert]")
            await alert.wait_for()
            shown = await alert.inner_text()
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
            an_offer("Sofa abzugeben", category="furniture"),
            an_offer("Saal in der Südstadt", district="Südstadt"),
            an_offer("Gruppenraum am Nordplatz frei"),
        )
        published = await publish(notifier.amqp_url, [sofa, elsewhere, room])
        [mail] = await mail_server.wait_for(lambda m: m.cause == published[2].id)
        assert mail.to == neighbour
        assert mail.header("Subject") == "Neues Angebot: Gruppenraum am Nordplatz frei"
        assert f"http://portal.test/offers/{room.listing_id}" in mail.text
        assert mail.header("List-Unsubscribe")
        causes = {m.cause for m in mail_server.to(neighbour)}
        assert not causes & {published[0].id, published[1].id}
