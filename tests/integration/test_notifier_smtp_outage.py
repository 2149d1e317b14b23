"""A mail server that is down for a while delays mail but loses none."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from services.notifier.domain import DeliveryStatus
from shared.contracts.base import EVENTS_EXCHANGE
from shared.contracts.directory import OrganisationRegistered
from shared.contracts.exchange import MatchFound
from shared.pages import Paging
from tests.integration.notifier_fixtures import NotifierFactory, ServedNotifier
from tests.support.amqp import StreamTap, publish
from tests.support.mail import MailServer, tagged
from tests.support.waiting import eventually as wait_until

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def registered(name: str, email: str, language: str) -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=str(uuid.uuid4()),
        name=name,
        kind="association",
        email=email,
        preferred_language=language,
        status="active",
        revision=1,
        updated_at=NOW,
    )


def matched(offer: OrganisationRegistered, request: OrganisationRegistered) -> MatchFound:
    return MatchFound(
        match_id=str(uuid.uuid4()),
        offer_id=str(uuid.uuid4()),
        request_id=str(uuid.uuid4()),
        offer_organisation_id=offer.organisation_id,
        request_organisation_id=request.organisation_id,
        category="room",
        score=0.9,
        offer_title="Gruppenraum, abends frei",
        request_title="Raum für ein Sprachcafé gesucht",
        found_at=NOW,
    )


async def failed_attempts(notifier: ServedNotifier, at_least: int) -> None:
    async def retried() -> bool:
        deliveries, _ = await notifier.service.office.list_deliveries(
            status=DeliveryStatus.PENDING,
            recipient=None,
            organisation_id=None,
            paging=Paging(limit=10, offset=0),
        )
        return len(deliveries) == 2 and all(d.attempts >= at_least for d in deliveries)

    await wait_until(retried)


async def test_mail_waits_while_the_mail_server_is_down_and_goes_out_once_it_is_back(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    offering = registered("Stadtteilbüro Nordstadt", tagged("buero"), "de")
    seeking = registered("Elternverein Regenbogen", tagged("eltern"), "ar")
    async with notifier_factory() as notifier:
        await publish(notifier.amqp_url, [offering, seeking])
        await notifier.knows_organisations(offering.organisation_id, seeking.organisation_id)
        mail_server.stop()
        async with StreamTap(notifier.amqp_url, EVENTS_EXCHANGE, ("notifier.#",)) as tap:
            [match] = await publish(notifier.amqp_url, [matched(offering, seeking)])
            await failed_attempts(notifier, at_least=3)
            await asyncio.sleep(2)  # down for a while longer
            mail_server.start()
            mails = await mail_server.wait_for(lambda m: m.cause == match.id, count=2)
            sent = await tap.wait_for("notifier.notification.sent", 2)
        await asyncio.sleep(0.5)

    assert sorted(m.to for m in mail_server.mails) == sorted(
        [str(offering.email), str(seeking.email)]
    )
    assert {m.header("Content-Language") for m in mails} == {"de", "ar"}
    assert all(event["data"]["attempts"] > 3 for event in sent)
    assert tap.of_type("notifier.notification.failed") == []
