"""A daily digest subscriber gets one email per day, listing that day's new matching offers once
each; an address outside the directory gets nothing before it confirmed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from services.notifier.digest_rules import digest_period_start
from services.notifier.domain import Cadence
from services.notifier.records import DigestItemState
from shared.contracts.exchange import OfferPosted, RequestPosted
from tests.integration.notifier_fixtures import NotifierFactory, ServedNotifier
from tests.support.amqp import publish
from tests.support.events import offer_in_nordstadt
from tests.support.mail import MailServer, tagged
from tests.support.waiting import eventually as wait_until

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def daily_period(at: dt.datetime) -> dt.datetime:
    """Start of the daily digest period (07:00 Berlin) that `at` falls into."""
    return digest_period_start(at, Cadence.DAILY, hour=7, timezone=BERLIN)


def period_after(start: dt.datetime) -> dt.datetime:
    """Start of the daily period after the one starting at `start`. A Berlin day lasts 23 to
    25 hours, so 26 hours on always lands in the next period, clock change or not."""
    return daily_period(start + dt.timedelta(hours=26))


def an_offer(title: str, **changes: Any) -> OfferPosted:
    return offer_in_nordstadt(title, now=NOW, **changes)


async def waiting_items(notifier: ServedNotifier, subscription_id: str, count: int) -> None:
    async def arrived() -> bool:
        items = await notifier.service.store.open_digest_items(subscription_id)
        return len([i for i in items if i.state is DigestItemState.PENDING]) >= count

    await wait_until(arrived)


async def test_a_daily_digest_lists_each_new_matching_offer_once_per_day(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    reader = tagged("nachbarschaft")
    async with notifier_factory() as notifier:
        subscription = await notifier.subscribe(
            {
                "email": reader.upper(),
                "language": "de",
                "topics": ["offers"],
                "filters": {"categories": ["room"], "districts": ["nordstadt"]},
                "delivery": "daily",
            }
        )
        assert subscription["status"] == "pending"
        assert subscription["email"] == reader

        # nothing is collected before the address confirmed
        early = await publish(notifier.amqp_url, [an_offer("Vor der Bestätigung")])

        async def handled_before_confirming() -> bool:
            inbox = notifier.app.state.runtime.db["inbox"]
            return await inbox.find_one({"event_id": early[0].id, "state": "done"}) is not None

        await wait_until(handled_before_confirming)
        [confirmation] = await mail_server.wait_for(lambda m: m.to == reader)
        assert confirmation.header("List-Unsubscribe") == ""
        confirmed = await notifier.client.post(
            confirmation.link(rf"{notifier.url}/subscriptions/confirm\?token=\S+")
        )
        assert confirmed.status_code == 200, confirmed.text
        assert "Abonnement bestätigt" in confirmed.text
        # confirming set the subscription's last digest to the period current then: the next
        # period starts after it, whatever the time of day the suite runs at
        # (computed now, never at import: a run crossing 07:00 between collecting and running
        # the test would otherwise ask for a period the subscription already counts as past)
        tomorrow = period_after(daily_period(dt.datetime.now(dt.UTC)))
        day_after = period_after(tomorrow)

        day_one = [an_offer(f"Gruppenraum {n}") for n in range(3)]
        elsewhere = [
            an_offer("Sofa abzugeben", category="furniture"),
            an_offer("Saal in der Südstadt", district="Südstadt"),
            RequestPosted.model_validate(
                {**an_offer("Suche Raum").model_dump(), "listing_kind": "request"}
            ),
        ]
        published = await publish(notifier.amqp_url, [*day_one, *elsewhere])
        await waiting_items(notifier, subscription["id"], 3)

        assert await notifier.service.digests.run_digests(tomorrow + dt.timedelta(minutes=1)) == 1
        [first] = await mail_server.wait_for(
            lambda m: m.to == reader and "Übersicht" in m.header("Subject")
        )
        assert first.header("Subject") == "Ihre tägliche Übersicht: 3 neue Einträge"
        assert first.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
        for offer in day_one:
            assert first.text.count(offer.title) == 1
            assert first.text.count(f"http://portal.test/offers/{offer.listing_id}") == 1
        for other in ["Sofa abzugeben", "Südstadt", "Suche Raum", "Vor der Bestätigung"]:
            assert other not in first.text
        assert "Neue Angebote" in first.text

        # the day's events arrive once more (a redelivery), and two new offers
        day_two = [an_offer("Werkraum mit Beamer"), an_offer("Küche für Kochabende")]
        await publish(notifier.amqp_url, [*early, *published])
        await publish(notifier.amqp_url, day_two)
        await waiting_items(notifier, subscription["id"], 2)

        assert await notifier.service.digests.run_digests(tomorrow + dt.timedelta(hours=12)) == 0
        assert await notifier.service.digests.run_digests(day_after) == 1
        assert await notifier.service.digests.run_digests(day_after + dt.timedelta(hours=1)) == 0
        digests = await mail_server.wait_for(
            lambda m: m.to == reader and "Übersicht" in m.header("Subject"), count=2
        )
        second = digests[1]
        assert second.header("Subject") == "Ihre tägliche Übersicht: 2 neue Einträge"
        for offer in day_two:
            assert second.text.count(offer.title) == 1
        for offer in day_one:
            assert offer.title not in second.text
        assert first.header("Message-ID") != second.header("Message-ID")
    assert len(mail_server.to(reader)) == 3  # the confirmation and two digests
