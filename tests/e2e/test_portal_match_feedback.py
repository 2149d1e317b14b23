"""Someone at a partner organisation reads a match email, finds the suggestion does not fit and
clicks "Passt nicht": the link opens a page in the browser, one button records it, the match is
gone from the organisation's matches page, and the rating is on the public stream."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser

from services.exchange.app import create_app as create_exchange
from shared.contracts.base import EVENTS_EXCHANGE
from tests.integration.exchange_fixtures import GERMAN_PRACTICE, SENIORS_TALKING, exchange_settings
from tests.integration.notifier_fixtures import NotifierFactory, ServedDirectory
from tests.support.amqp import StreamTap
from tests.support.browser import logged_in_page
from tests.support.infra import RabbitVhost
from tests.support.mail import MailServer, tagged
from tests.support.portal import portal_app
from tests.support.schemas import committed_validator
from tests.support.services import serving
from tests.support.waiting import eventually, until_ready

PASSWORD = "Sprachcafe-Nordstadt-2026"
FEEDBACK_LINK = r"http://127\.0\.0\.1:\d+/treffer-bewerten\?token=\S+"


async def test_a_passt_nicht_link_from_the_email_removes_the_match_from_the_matches_page(
    served_directory: ServedDirectory,
    notifier_factory: NotifierFactory,
    mail_server: MailServer,
    browser: Browser,
    mongo_url: str,
    notifier_vhost: RabbitVhost,
) -> None:
    directory = served_directory
    inbox, member = tagged("info-mriya"), tagged("olena")
    rabbit_url = notifier_vhost.url  # the directory's and the notifier's broker
    exchange = create_exchange(exchange_settings(mongo_url, rabbit_url, directory.url))
    async with (
        serving(exchange) as exchange_url,
        httpx.AsyncClient(base_url=exchange_url) as exchange_client,
        serving(portal_app(directory_url=directory.url, exchange_url=exchange_url)) as portal_url,
        notifier_factory(directory_url=directory.url, public_base_url=portal_url) as notifier,
        StreamTap(rabbit_url, EVENTS_EXCHANGE, ("exchange.#",)) as stream,
    ):
        await until_ready(exchange_client)
        seniors = await directory.register("Seniorentreff Lindenhof")
        mriya = await directory.register("Ukrainischer Verein Mriya e.V.", email=inbox)
        await notifier.knows_organisations(seniors["id"], mriya["id"])

        async def exchange_knows_them() -> bool:
            store = exchange.state.exchange.store
            return None not in [await store.get_organisation(o["id"]) for o in (seniors, mriya)]

        await eventually(exchange_knows_them)

        # Olena of Mriya is invited and sets her password
        await directory.invite(mriya["id"], member, "Olena Kovalenko")
        [invitation] = await mail_server.wait_for(lambda m: m.to == member)
        link = invitation.link(r"http://portal\.test/set-password\?token=\S+")
        await directory.set_password(link, PASSWORD)

        for kind, organisation, fields in (
            ("offers", seniors["id"], SENIORS_TALKING),
            ("requests", mriya["id"], GERMAN_PRACTICE),
        ):
            posted = await exchange_client.post(
                f"/{kind}",
                json={"organisation_id": organisation, **fields},
                headers=directory.editor_of(organisation),
            )
            assert posted.status_code == 201, posted.text
        [found] = await stream.wait_for("exchange.match.found")
        match_id = found["data"]["match_id"]
        [email] = await mail_server.wait_for(lambda m: m.to == inbox)
        [_fits, does_not_fit] = re.findall(FEEDBACK_LINK, email.text)

        page = await logged_in_page(browser, portal_url, member, PASSWORD)
        await page.wait_for_url(f"{portal_url}/me")
        matches_page = f"{portal_url}/organisations/{mriya['id']}/treffer"
        await page.goto(matches_page)
        await page.locator(f"#treffer-{match_id}").wait_for()

        # the link from the email: a page that asks, one button that records
        await page.goto(does_not_fit)
        assert "passt nicht" in await page.inner_text("#bewertung")
        assert stream.of_type("exchange.match.rated") == []
        await page.click("main button:has-text('speichern')")
        await page.wait_for_selector("h1:has-text('Bewertung gespeichert')")

        [rated] = await stream.wait_for("exchange.match.rated")
        committed_validator("exchange.match.rated.v1.json").validate(rated["data"])
        assert rated["data"]["match_id"] == match_id
        assert (rated["data"]["side"], rated["data"]["verdict"], rated["data"]["via"]) == (
            "request",
            "does_not_fit",
            "email",
        )

        await page.goto(matches_page)
        await page.locator("#keine-treffer").wait_for()
        assert await page.locator(f"#treffer-{match_id}").count() == 0
