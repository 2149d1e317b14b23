"""After the retention period the delivery log forgets to whom an email went and what it said,
but still knows that it went out: a redelivered command sends nothing twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from services.notifier.domain import DeliveryStatus, Template, delivery_id, email_recipient
from services.notifier.store import DELIVERIES, Delivery, delivery_document
from shared.contracts.notifier import EmailTemplate, SendEmail
from shared.ids import new_id
from shared.mongo import Document
from tests.integration.conftest import PORTAL
from tests.integration.notifier_fixtures import (
    MailServer,
    NotifierFactory,
    ServedDirectory,
    ServedNotifier,
    mail_server,
    notifier_factory,
    notifier_vhost,
    publish,
    served_directory,
    tagged,
)
from tests.support.waiting import eventually as wait_until

__all__ = ["mail_server", "notifier_factory", "notifier_vhost", "served_directory"]

RETENTION_DAYS = 30


def invitation(to: str, name: str) -> SendEmail:
    return SendEmail(
        command_id=new_id(),
        template=EmailTemplate.INVITATION,
        to=to,
        recipient_name=name,
        language="de",
        params={
            "organisation_name": "Kulturverein La Casa",
            "link": f"{PORTAL}/set-password?token=tok-{uuid.uuid4().hex}",
            "expires_at": "2026-05-23T12:00:00+00:00",
        },
        requested_by_service="directory",
    )


def key_of(command: SendEmail) -> str:
    return delivery_id(command.command_id, email_recipient(command.to), command.template.value)


async def stored(notifier: ServedNotifier, command: SendEmail) -> Document:
    doc = await notifier.service.store.db[DELIVERIES].find_one({"_id": key_of(command)})
    assert doc is not None, f"no delivery for {command.to}"
    return doc


async def reaches(
    notifier: ServedNotifier, command: SendEmail, status: DeliveryStatus, attempts: int = 1
) -> None:
    async def there() -> bool:
        delivery = await notifier.service.store.delivery(key_of(command))
        return delivery is not None and delivery.status is status and delivery.attempts >= attempts

    await wait_until(there)


async def handled(notifier: ServedNotifier, event_id: str) -> None:
    async def done() -> bool:
        inbox = notifier.service.store.db["inbox"]
        return await inbox.find_one({"event_id": event_id, "state": "done"}) is not None

    await wait_until(done)


def moment(epoch_ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, dt.UTC)


async def test_old_log_entries_lose_address_and_content_but_still_stop_a_second_email(
    served_directory: ServedDirectory, notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    jana, olena, ahmet = tagged("jana"), tagged("olena"), tagged("ahmet")
    old = invitation(jana, "Jana Petrenko")
    newer = invitation(olena, "Olena Koval")
    waiting = invitation(ahmet, "Ahmet Yılmaz")
    async with notifier_factory(
        directory_url=served_directory.url, delivery_retention_days=RETENTION_DAYS
    ) as notifier:
        service = notifier.service
        [old_event] = await publish(notifier.amqp_url, [old])
        await mail_server.wait_for(lambda m: m.to == jana)
        await reaches(notifier, old, DeliveryStatus.SENT)
        await publish(notifier.amqp_url, [newer])
        await mail_server.wait_for(lambda m: m.to == olena)
        await reaches(notifier, newer, DeliveryStatus.SENT)
        # the mail server goes away: the third email waits (pending) and is retried
        mail_server.stop()
        await publish(notifier.amqp_url, [waiting])
        await reaches(notifier, waiting, DeliveryStatus.PENDING, attempts=1)

        # a pass whose cutoff lies between the two sent emails redacts only the older one
        old_ms, newer_ms = (
            (await stored(notifier, old))["created_ms"],
            (await stored(notifier, newer))["created_ms"],
        )
        assert newer_ms - old_ms > 10
        cutoff = moment((old_ms + newer_ms) // 2)
        assert await service.redact_old_deliveries(cutoff + dt.timedelta(days=RETENTION_DAYS)) == 1

        doc = await stored(notifier, old)
        assert doc["address"] is None
        assert doc["recipient_name"] is None
        assert doc["params"] == {}
        assert doc["last_error"] is None
        assert doc["recipient"] == "redacted"
        assert doc["redacted_ms"] > 0
        assert isinstance(doc["redacted_at"], dt.datetime)
        for personal in (jana, "Jana Petrenko", old.params["link"]):
            assert personal not in str(doc), personal
        # what the log needs stays: the key, the cause, the outcome and its times
        assert (doc["_id"], doc["status"], doc["template"], doc["attempts"]) == (
            key_of(old),
            "sent",
            "invitation",
            1,
        )
        assert (doc["cause_event_id"], doc["cause_type"]) == (old.command_id, old_event.type)
        assert isinstance(doc["sent_at"], dt.datetime)
        assert doc["created_ms"] == old_ms

        kept = await stored(notifier, newer)  # newer than the cutoff
        assert (kept["address"], kept["recipient_name"], kept["redacted_ms"]) == (
            olena,
            "Olena Koval",
            0,
        )
        assert kept["params"]["organisation_name"] == "Kulturverein La Casa"

        # long after: every finished email is past the cutoff, the waiting one is not finished
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=RETENTION_DAYS + 1)
        assert await service.redact_old_deliveries(later) == 1
        assert (await stored(notifier, newer))["address"] is None
        assert await service.redact_old_deliveries(later) == 0  # nothing is redacted twice
        pending = await stored(notifier, waiting)
        assert pending["status"] == "pending"
        assert (pending["address"], pending["recipient_name"]) == (ahmet, "Ahmet Yılmaz")
        assert (pending["params"], pending["redacted_ms"], pending["redacted_at"]) == (
            waiting.params,
            0,
            None,
        )

        # office staff see why an entry has no address
        log = await notifier.client.get(
            "/deliveries", params={"limit": 200}, headers=served_directory.admin
        )
        assert log.status_code == 200, log.text
        entries = {entry["id"]: entry for entry in log.json()["items"]}
        assert set(entries) == {key_of(old), key_of(newer), key_of(waiting)}
        entry = entries[key_of(old)]
        assert (entry["status"], entry["template"], entry["cause_event_id"]) == (
            "sent",
            "invitation",
            old.command_id,
        )
        assert (entry["recipient"], entry["last_error"]) == (None, None)
        assert entry["redacted_at"] is not None
        assert entry["sent_at"] is not None
        assert (entries[key_of(waiting)]["recipient"], entries[key_of(waiting)]["redacted_at"]) == (
            ahmet,
            None,
        )
        by_address = await notifier.client.get(
            "/deliveries", params={"recipient": jana}, headers=served_directory.admin
        )
        assert by_address.json()["items"] == []  # the address is nowhere any more

        # the old command arrives again: the same event, and in a new envelope (new event id)
        [_, new_envelope] = await publish(notifier.amqp_url, [old_event, old])
        await handled(notifier, new_envelope.id)

        # the mail server is back: the waiting email goes out, and nothing for Jana again
        mail_server.start()
        await mail_server.wait_for(lambda m: m.to == ahmet)
        await reaches(notifier, waiting, DeliveryStatus.SENT)
        await asyncio.sleep(1.0)  # a second email to Jana would be due at once
        assert len(mail_server.to(jana)) == 1
        again = await stored(notifier, old)
        assert (again["status"], again["address"], again["redacted_ms"]) == (
            "sent",
            None,
            doc["redacted_ms"],
        )


async def test_a_log_entry_stored_before_retention_existed_is_redacted_too(
    notifier_factory: NotifierFactory,
) -> None:
    address = tagged("frueher")
    command = invitation(address, "Fatma Demir")
    async with notifier_factory() as notifier:
        service = notifier.service
        planned = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=400)
        legacy = Delivery(
            id=key_of(command),
            template=Template.INVITATION,
            recipient=email_recipient(address),
            reason="transactional",
            address=address,
            recipient_name=command.recipient_name,
            params={"organisation_name": "Kulturverein La Casa"},
            cause_event_id=command.command_id,
            cause_type="integrationsnetz.notifier.email.send.v1",
            status=DeliveryStatus.SENT,
            attempts=1,
            created_at=planned,
            updated_at=planned,
            sent_at=planned,
            created_ms=int(planned.timestamp() * 1000),
        )
        document = delivery_document(legacy)
        del document["redacted_at"], document["redacted_ms"]  # as written by earlier versions
        await service.store.writer.insert(DELIVERIES, document)

        assert await service.redact_old_deliveries(dt.datetime.now(dt.UTC)) == 1
        doc = await stored(notifier, command)
        assert (doc["address"], doc["recipient_name"], doc["recipient"]) == (
            None,
            None,
            "redacted",
        )
        assert doc["redacted_ms"] > 0
        assert await service.redact_old_deliveries(dt.datetime.now(dt.UTC)) == 0
