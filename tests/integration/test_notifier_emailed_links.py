"""Links in emails are fetched by mail providers' link scanners before any person clicks them:
fetching one (GET) only shows a page; the page's button (POST) is what acts."""

from __future__ import annotations

import datetime as dt
import html
import re

from services.notifier.domain import SubscriptionStatus
from tests.integration.notifier_fixtures import NotifierFactory, ServedNotifier
from tests.support.amqp import publish
from tests.support.events import offer_posted
from tests.support.mail import CaughtMail, MailServer, tagged

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def notifier_links(notifier: ServedNotifier, mail: CaughtMail) -> set[str]:
    """Every link to the notifier in a mail: text, HTML and the List-Unsubscribe header."""
    found = set(re.findall(rf"{re.escape(notifier.url)}/[^\s\"<>]+", mail.text))
    found |= {
        html.unescape(u) for u in re.findall(rf'"({re.escape(notifier.url)}/[^"]+)"', mail.html)
    }
    found |= set(
        re.findall(rf"<({re.escape(notifier.url)}/[^>]+)>", mail.header("List-Unsubscribe"))
    )
    return found


async def scanned(notifier: ServedNotifier, mail: CaughtMail) -> str:
    """Fetch every notifier link of a mail the way a link scanner does; returns the last page."""
    links = notifier_links(notifier, mail)
    assert links, mail.text
    page = ""
    for link in sorted(links):
        response = await notifier.client.get(link)
        assert response.status_code == 200, (link, response.text)
        page = response.text
    return page


async def test_fetching_emailed_links_changes_nothing_until_the_page_button_is_pressed(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    reader = tagged("nachbarin")
    async with notifier_factory() as notifier:
        subscription_id = (await notifier.subscribe({"email": reader, "topics": ["offers"]}))["id"]
        store = notifier.service.store

        [confirmation] = await mail_server.wait_for(lambda m: m.to == reader)
        page = await scanned(notifier, confirmation)
        subscription = await store.subscription(subscription_id)
        assert subscription is not None
        assert subscription.status is SubscriptionStatus.PENDING
        button = re.search(r'<form method="post" action="([^"]+)"', page)
        assert button, page
        pressed = await notifier.client.post(html.unescape(button.group(1)))
        assert pressed.status_code == 200, pressed.text
        assert "Abonnement bestätigt" in pressed.text
        subscription = await store.subscription(subscription_id)
        assert subscription is not None
        assert subscription.status is SubscriptionStatus.ACTIVE
        # fetched again after confirming, the link says so, still without a button
        again = await scanned(notifier, confirmation)
        assert "Abonnement bestätigt" in again
        assert "<form" not in again

        offer = offer_posted("Gruppenraum für 20 Personen", now=NOW)
        [posted] = await publish(notifier.amqp_url, [offer])
        [notice] = await mail_server.wait_for(lambda m: m.cause == posted.id)
        await scanned(notifier, notice)
        subscription = await store.subscription(subscription_id)
        assert subscription is not None
        assert subscription.status is SubscriptionStatus.ACTIVE
