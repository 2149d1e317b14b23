"""Someone reading an organisation's shared inbox clicked "unsubscribe" under a match email; a
member sees it on their page in the portal and switches match emails on again in the browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.async_api import Browser

from services.portal.app import create_app as create_portal
from services.portal.settings import PortalSettings
from tests.integration.notifier_fixtures import (
    MailServer,
    NotifierFactory,
    ServedDirectory,
    a_match,
    publish,
    tagged,
)
from tests.support.infra import free_port
from tests.support.services import serving

PASSWORD = "Nachbarschaft-Linde-2026"


async def test_a_member_switches_match_emails_on_again_in_the_portal(
    served_directory: ServedDirectory,
    notifier_factory: NotifierFactory,
    mail_server: MailServer,
    browser: Browser,
) -> None:
    inbox, member = tagged("info-linde"), tagged("jana")
    nowhere = f"http://127.0.0.1:{free_port()}"
    async with notifier_factory(directory_url=served_directory.url) as notifier:
        portal = create_portal(
            PortalSettings(
                _env_file=None,
                directory_url=served_directory.url,
                notifier_url=notifier.url,
                exchange_url=nowhere,
                calendar_url=nowhere,
            )
        )
        linde = await served_directory.register("Nachbarschaftstreff Linde", email=inbox)
        other = await served_directory.register("FC Anadolu Nordstadt 1987")
        await notifier.knows_organisations(linde["id"], other["id"])

        # Jana is invited (the notifier mails the invitation) and sets her password
        invited = await served_directory.client.post(
            f"/organisations/{linde['id']}/members",
            json={"email": member, "name": "Jana Novak"},
            headers=served_directory.admin,
        )
        assert invited.status_code == 201, invited.text
        [invitation] = await mail_server.wait_for(lambda m: m.to == member)
        link = invitation.link(r"http://portal\.test/set-password\?token=\S+")
        [token] = parse_qs(urlsplit(link).query)["token"]
        password_set = await served_directory.client.post(
            "/auth/password", json={"token": token, "password": PASSWORD}
        )
        assert password_set.status_code in (200, 204), password_set.text

        # a match email reaches the shared inbox, and somebody there unsubscribes
        [first] = await publish(notifier.amqp_url, [a_match(other["id"], linde["id"])])
        [mail] = await mail_server.wait_for(lambda m: m.cause == first.id and m.to == inbox)
        async with httpx.AsyncClient() as mail_client:
            clicked = await mail_client.post(
                mail.header("List-Unsubscribe").strip("<>"),
                data={"List-Unsubscribe": "One-Click"},
            )
            assert clicked.status_code == 200, clicked.text

        async with serving(portal) as portal_url:
            page = await browser.new_page()
            await page.goto(f"{portal_url}/login")
            await page.fill("input[name=email]", member)
            await page.fill("input[name=password]", PASSWORD)
            await page.click("main button[type=submit]")
            notice = page.locator(f"#notice-{linde['id']}-match_found")
            await notice.wait_for()
            assert re.search(r"\baus\b", await notice.inner_text())
            assert inbox in await page.inner_text("main")

            await notice.locator("button", has_text="Wieder einschalten").click()
            await page.wait_for_url(re.compile(r"/me#benachrichtigungen-"))
            notice = page.locator(f"#notice-{linde['id']}-match_found")
            shown = await notice.inner_text()
            assert re.search(r"\ban\b", shown)
            assert not re.search(r"\baus\b", shown)
            assert await notice.locator("button", has_text="Abschalten").count() == 1

        # the next match is emailed again
        [second] = await publish(notifier.amqp_url, [a_match(other["id"], linde["id"])])
        await mail_server.wait_for(lambda m: m.cause == second.id and m.to == inbox)
