"""Someone reading an organisation's shared inbox clicked "unsubscribe" under a match email; a
member sees it on their page in the portal and switches match emails on again in the browser."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser

from tests.integration.notifier_fixtures import ServedDirectory, ServedNotifier
from tests.support.amqp import publish
from tests.support.browser import logged_in_page
from tests.support.events import match_found
from tests.support.mail import MailServer, tagged
from tests.support.portal import portal_app
from tests.support.services import serving

PASSWORD = "Nachbarschaft-Linde-2026"


async def test_a_member_switches_match_emails_on_again_in_the_portal(
    served_directory: ServedDirectory,
    notifier: ServedNotifier,
    mail_server: MailServer,
    browser: Browser,
) -> None:
    inbox, member = tagged("info-linde"), tagged("jana")
    portal = portal_app(directory_url=served_directory.url, notifier_url=notifier.url)
    linde = await served_directory.register("Nachbarschaftstreff Linde", email=inbox)
    other = await served_directory.register("FC Anadolu Nordstadt 1987")
    await notifier.knows_organisations(linde["id"], other["id"])

    # Jana is invited (the notifier mails the invitation) and sets her password
    await served_directory.invite(linde["id"], member, "Jana Novak")
    [invitation] = await mail_server.wait_for(lambda m: m.to == member)
    link = invitation.link(r"http://portal\.test/set-password\?token=\S+")
    await served_directory.set_password(link, PASSWORD)

    # a match email reaches the shared inbox, and somebody there unsubscribes
    [first] = await publish(notifier.amqp_url, [match_found(other["id"], linde["id"])])
    [mail] = await mail_server.wait_for(lambda m: m.cause == first.id and m.to == inbox)
    async with httpx.AsyncClient() as mail_client:
        clicked = await mail_client.post(
            mail.header("List-Unsubscribe").strip("<>"),
            data={"List-Unsubscribe": "One-Click"},
        )
        assert clicked.status_code == 200, clicked.text

    async with serving(portal) as portal_url:
        page = await logged_in_page(browser, portal_url, member, PASSWORD)
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
    [second] = await publish(notifier.amqp_url, [match_found(other["id"], linde["id"])])
    await mail_server.wait_for(lambda m: m.cause == second.id and m.to == inbox)
