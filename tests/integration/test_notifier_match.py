"""A match found by the exchange reaches both organisations by email, in their languages, and
one click on the unsubscribe link stops further emails of that kind."""

from __future__ import annotations

import json
import re
import time

import httpx

from shared.contracts.base import EVENTS_EXCHANGE
from shared.contracts.exchange import MatchSide, MatchVerdict
from shared.match_feedback import FeedbackSigner
from shared.pages import Paging
from tests.integration.notifier_fixtures import ServedDirectory, ServedNotifier
from tests.support.amqp import StreamTap, publish
from tests.support.events import match_found
from tests.support.mail import MailServer, link_token, tagged
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.waiting import eventually as wait_until


async def test_a_match_emails_both_organisations_in_their_language_and_one_click_stops_more(
    served_directory: ServedDirectory,
    notifier: ServedNotifier,
    mail_server: MailServer,
) -> None:
    mriya_address, anadolu_address = tagged("kontakt-mriya"), tagged("vorstand-anadolu")
    mriya = await served_directory.register(
        "Ukrainischer Verein Mriya e.V.", email=mriya_address, preferred_language="uk"
    )
    anadolu = await served_directory.register(
        "FC Anadolu Nordstadt 1987", email=anadolu_address, preferred_language="tr"
    )
    await notifier.knows_organisations(mriya["id"], anadolu["id"])

    url = notifier.url
    async with StreamTap(notifier.amqp_url, EVENTS_EXCHANGE, ("notifier.#",)) as tap:
        [match_event] = await publish(notifier.amqp_url, [match_found(anadolu["id"], mriya["id"])])
        mails = await mail_server.wait_for(lambda m: m.cause == match_event.id, count=2)
        sent = await tap.wait_for("notifier.notification.sent", 2)

    by_address = {m.to: m for m in mails}
    assert set(by_address) == {mriya_address, anadolu_address}
    to_mriya, to_anadolu = by_address[mriya_address], by_address[anadolu_address]
    assert to_mriya.header("Content-Language") == "uk"
    assert "Знайдено відповідність" in to_mriya.header("Subject")
    assert "«Sprachpartner für ukrainische Jugendliche gesucht»" in to_mriya.text
    assert "FC Anadolu Nordstadt 1987" in to_mriya.text
    assert to_anadolu.header("Content-Language") == "tr"
    assert "eşleşme" in to_anadolu.header("Subject")
    assert 'lang="tr"' in to_anadolu.html
    for mail in mails:
        assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
        assert mail.header("List-Unsubscribe").startswith(f"<{url}/unsubscribe?token=")
        assert "http://portal.test/matches/" in mail.text
    # each asks whether it fits, with a signed link per answer for its own side
    signer = FeedbackSigner(MATCH_FEEDBACK_SECRET)
    for mail, side in ((to_anadolu, MatchSide.OFFER), (to_mriya, MatchSide.REQUEST)):
        pattern = r"http://portal\.test/treffer-bewerten\?token=\S+"
        links = re.findall(pattern, mail.text)
        claims = [signer.verify(link_token(link), now=int(time.time())) for link in links]
        assert [(c.match_id, c.side, c.verdict) for c in claims] == [
            (match_event.subject, side, MatchVerdict.FITS),
            (match_event.subject, side, MatchVerdict.DOES_NOT_FIT),
        ]
    # the public stream says that it was sent, never to whom
    for event in sent:
        body = json.dumps(event)
        assert mriya_address not in body
        assert anadolu_address not in body
        assert event["data"]["cause_event_id"] == match_event.id

    # Mriya unsubscribes with one click, as a mail client would (RFC 8058)
    unsubscribe_url = to_mriya.header("List-Unsubscribe").strip("<>")
    async with httpx.AsyncClient() as browser:
        page = await browser.get(unsubscribe_url)
        assert page.status_code == 200
        assert 'dir="ltr"' in page.text
        assert 'name="List-Unsubscribe" value="One-Click"' in page.text
        clicked = await browser.post(unsubscribe_url, data={"List-Unsubscribe": "One-Click"})
        assert clicked.status_code == 200, clicked.text
        assert "Ви відписалися" in clicked.text

    [second] = await publish(notifier.amqp_url, [match_found(mriya["id"], anadolu["id"])])
    await mail_server.wait_for(lambda m: m.cause == second.id and m.to == anadolu_address)

    async def handled() -> bool:
        inbox = notifier.app.state.runtime.db["inbox"]
        return await inbox.find_one({"event_id": second.id, "state": "done"}) is not None

    await wait_until(handled)
    planned, _ = await notifier.service.office.list_deliveries(
        status=None,
        recipient=None,
        organisation_id=mriya["id"],
        paging=Paging(limit=10, offset=0),
    )
    assert [d.cause_event_id for d in planned] == [match_event.id]
    assert [m.cause for m in mail_server.to(mriya_address)] == [match_event.id]

    log = await notifier.client.get(
        "/deliveries", params={"recipient": mriya_address}, headers=served_directory.admin
    )
    assert log.status_code == 200, log.text
    [entry] = log.json()["items"]
    assert entry["status"] == "sent"
    assert entry["template"] == "match_found"
    assert entry["cause_event_id"] == match_event.id
    assert entry["organisation_id"] == mriya["id"]
