"""The notifier sends many emails over a few reused SMTP connections, each email once; a
connection the mail server drops is replaced without losing an email, sending one twice or
counting a failed attempt."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import threading
import uuid
from email.message import EmailMessage
from typing import Any

import pytest

from services.notifier.domain import DeliveryStatus
from services.notifier.mailer import Mailer, SendError
from services.notifier.records import Delivery
from services.notifier.settings import NotifierSettings
from shared.contracts.base import CloudEvent
from shared.contracts.directory import OrganisationRegistered
from shared.contracts.exchange import MatchFound
from shared.pages import Paging
from tests.integration.notifier_fixtures import NotifierFactory, ServedNotifier
from tests.support.amqp import publish
from tests.support.events import numbered_matches
from tests.support.mail import MailServer, tagged
from tests.support.waiting import eventually as wait_until

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def registered(name: str, local: str) -> OrganisationRegistered:
    return OrganisationRegistered(
        organisation_id=str(uuid.uuid4()),
        name=name,
        kind="association",
        email=tagged(local),
        preferred_language="de",
        status="active",
        revision=1,
        updated_at=NOW,
    )


def matches(
    offer: OrganisationRegistered, request: OrganisationRegistered, count: int
) -> list[MatchFound]:
    return numbered_matches([(offer.organisation_id, request.organisation_id)] * count, NOW)


async def organisations(notifier: ServedNotifier) -> tuple[OrganisationRegistered, ...]:
    orgs = (registered("Stadtteilbüro Nordstadt", "buero"), registered("Elternverein", "eltern"))
    await publish(notifier.amqp_url, list(orgs))
    await notifier.knows_organisations(*(org.organisation_id for org in orgs))
    return orgs


async def all_sent(notifier: ServedNotifier, count: int) -> list[Delivery]:
    """Wait until `count` deliveries are recorded as sent and none is left to send."""

    async def listed(status: DeliveryStatus) -> tuple[list[Delivery], int]:
        return await notifier.service.office.list_deliveries(
            status=status, recipient=None, organisation_id=None, paging=Paging(limit=1000, offset=0)
        )

    async def done() -> bool:
        _, sent = await listed(DeliveryStatus.SENT)
        _, pending = await listed(DeliveryStatus.PENDING)
        return sent == count and pending == 0

    await wait_until(done, timeout=60)
    deliveries, _ = await listed(DeliveryStatus.SENT)
    return deliveries


def each_once(
    mail_server: MailServer, events: list[CloudEvent], deliveries: list[Delivery]
) -> None:
    causes = {event.id for event in events}
    mails = [m for m in mail_server.mails if m.cause in causes]
    per_delivery = collections.Counter(m.header("X-Integrationsnetz-Delivery") for m in mails)
    assert per_delivery == {d.id: 1 for d in deliveries}
    message_ids = {m.header("Message-ID") for m in mails}
    assert len(message_ids) == len(mails) == 2 * len(causes)


async def test_a_burst_of_emails_goes_out_over_the_pooled_connections_each_once(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    async with notifier_factory(smtp_connections=2, sender_concurrency=8) as notifier:
        offering, seeking = await organisations(notifier)
        events = await publish(notifier.amqp_url, matches(offering, seeking, 15))
        deliveries = await all_sent(notifier, 30)

    each_once(mail_server, events, deliveries)
    assert 1 <= mail_server.sessions <= 2
    assert all(d.attempts == 1 for d in deliveries)


async def test_connections_the_mail_server_dropped_between_emails_are_replaced(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    async with notifier_factory(smtp_connections=2) as notifier:
        offering, seeking = await organisations(notifier)
        events = await publish(notifier.amqp_url, matches(offering, seeking, 5))
        await all_sent(notifier, 10)
        before = mail_server.sessions
        mail_server.stop()  # drops the connections the notifier keeps open
        mail_server.start()
        events += await publish(notifier.amqp_url, matches(offering, seeking, 5))
        deliveries = await all_sent(notifier, 20)

    each_once(mail_server, events, deliveries)
    assert 1 <= before <= 2
    assert before < mail_server.sessions <= before + 2
    assert all(d.attempts == 1 for d in deliveries)  # a dropped connection is no failed attempt


async def test_a_connection_the_server_closes_with_421_is_replaced_and_the_email_sent_on_a_new_one(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    served: dict[Any, int] = {}

    def one_mail_per_session(session: Any) -> str | None:
        served[session] = served.get(session, 0) + 1
        return "421 4.3.2 Closing this channel" if served[session] > 1 else None

    mail_server.on_mail = one_mail_per_session
    async with notifier_factory(smtp_connections=2) as notifier:
        offering, seeking = await organisations(notifier)
        events = await publish(notifier.amqp_url, matches(offering, seeking, 5))
        deliveries = await all_sent(notifier, 10)

    each_once(mail_server, events, deliveries)
    assert mail_server.sessions == 10  # each connection carried one email, then was replaced
    assert all(d.attempts == 1 for d in deliveries)


def a_message(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "noreply@integrationsnetz.local"
    message["To"] = "leserin@example.org"
    message["Subject"] = f"Nachricht {n}"
    message["Message-ID"] = f"<{n}@integrationsnetz.local>"
    message.set_content("Hallo")
    return message


async def test_the_mailer_replaces_connections_that_idled_too_long_or_carried_enough(
    mail_server: MailServer,
) -> None:
    now = 0.0
    settings = NotifierSettings(_env_file=None, smtp_port=mail_server.port, smtp_connections=1)
    mailer = Mailer(settings, max_idle_seconds=30, max_messages=3, clock=lambda: now)

    async def send(n: int) -> None:
        await mailer.send(a_message(n), sender="noreply@example.org", recipient=tagged("leserin"))

    for n in range(4):
        await send(n)
    assert (mail_server.sessions, mail_server.quits) == (2, 1)  # three emails, then a new one

    now += 29
    await send(4)
    assert mail_server.sessions == 2  # idle not long enough: reused

    now += 31
    assert await mailer.close_idle() == 1
    assert (mailer.open_connections, mail_server.quits) == (0, 2)
    await send(5)
    assert mail_server.sessions == 3

    await mailer.close()
    assert (mailer.open_connections, mail_server.quits) == (0, 3)
    assert [m.header("Subject") for m in mail_server.mails] == [f"Nachricht {n}" for n in range(6)]


async def test_a_send_finding_no_free_connection_in_half_the_lease_fails_for_now(
    mail_server: MailServer,
) -> None:
    """The one connection is busy (the server holds its DATA): the next send does not wait
    past half the delivery's lease but fails as a temporary error, and sends nothing."""
    release = threading.Event()
    receiving = asyncio.Event()
    loop = asyncio.get_running_loop()
    accepted = mail_server.handle_DATA

    async def held(server: Any, session: Any, envelope: Any) -> str:
        loop.call_soon_threadsafe(receiving.set)
        await asyncio.to_thread(release.wait)
        return await accepted(server, session, envelope)

    mail_server.handle_DATA = held  # type: ignore[method-assign]
    settings = NotifierSettings(
        _env_file=None,
        smtp_port=mail_server.port,
        smtp_connections=1,
        delivery_lease_seconds=0.2,
    )
    mailer = Mailer(settings)
    first = asyncio.create_task(
        mailer.send(a_message(1), sender="noreply@example.org", recipient=tagged("leserin"))
    )
    try:
        await receiving.wait()
        with pytest.raises(SendError) as refused:
            await mailer.send(a_message(2), sender="noreply@example.org", recipient=tagged("x"))
        assert not refused.value.permanent
        assert "no SMTP connection came free" in refused.value.detail
    finally:
        release.set()
        await first
        await mailer.close()
    assert [m.header("Subject") for m in mail_server.mails] == ["Nachricht 1"]
