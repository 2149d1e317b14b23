"""After the retention period the delivery log forgets to whom an email went and what it said,
but still knows that it went out: a redelivered command sends nothing twice. A subscription
never confirmed goes once its link has expired; an ended one forgets its address."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from typing import Any

from services.notifier.delivery_store import DELIVERIES, delivery_document
from services.notifier.digest_store import DIGEST_ITEMS
from services.notifier.domain import (
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
    Template,
    Topic,
    email_recipient,
)
from services.notifier.records import Delivery, DigestItemState
from services.notifier.retention import RetentionCounts, confirmation_delivery_id
from services.notifier.service import Notifier
from services.notifier.subscription_store import SUBSCRIPTIONS, subscription_document
from services.notifier.tokens import subscription_subject
from shared.contracts.notifier import EmailTemplate, SendEmail
from shared.ids import new_id
from shared.mongo import Document
from tests.integration.conftest import PORTAL
from tests.integration.notifier_fixtures import (
    NotifierFactory,
    ServedDirectory,
    ServedNotifier,
    handled,
    key_of,
    reaches,
    stored,
)
from tests.support.amqp import publish
from tests.support.deliveries import sent_delivery
from tests.support.events import offer_posted
from tests.support.mail import MailServer, tagged
from tests.support.waiting import eventually as wait_until

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


async def after_the_first_retention_pass(service: Notifier) -> None:
    """The loop's own pass at start-up uses the real clock: documents a test backdates are
    written after it, so that only the test's explicit passes can touch them."""

    async def passed() -> bool:
        return service.retention_passes >= 1

    await wait_until(passed)


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
        assert (
            await service.retention.redact_old_deliveries(
                cutoff + dt.timedelta(days=RETENTION_DAYS)
            )
            == 1
        )

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
        assert await service.retention.redact_old_deliveries(later) == 1
        assert (await stored(notifier, newer))["address"] is None
        assert (
            await service.retention.redact_old_deliveries(later) == 0
        )  # nothing is redacted twice
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
        await after_the_first_retention_pass(service)
        planned = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=400)
        legacy = sent_delivery(
            planned,
            id=key_of(command),
            template=Template.INVITATION,
            recipient=email_recipient(address),
            reason="transactional",
            address=address,
            recipient_name=command.recipient_name,
            params={"organisation_name": "Kulturverein La Casa"},
            cause_event_id=command.command_id,
            cause_type="integrationsnetz.notifier.email.send.v1",
        )
        document = delivery_document(legacy)
        del document["redacted_at"], document["redacted_ms"]  # as written by earlier versions
        await notifier.app.state.runtime.writer.insert(DELIVERIES, document)

        assert await service.retention.redact_old_deliveries(dt.datetime.now(dt.UTC)) == 1
        doc = await stored(notifier, command)
        assert (doc["address"], doc["recipient_name"], doc["recipient"]) == (
            None,
            None,
            "redacted",
        )
        assert doc["redacted_ms"] > 0
        assert await service.retention.redact_old_deliveries(dt.datetime.now(dt.UTC)) == 0


# --- subscriptions ----------------------------------------------------------------------------

TOKEN_HOURS = 2
CONFIRM_LINK = r"/subscriptions/confirm\?token=\S+"


async def subscribe(notifier: ServedNotifier, address: str, **body: Any) -> dict[str, Any]:
    response = await notifier.client.post(
        "/subscriptions", json={"email": address, "topics": ["offers"], **body}
    )
    assert response.status_code == 201, response.text
    subscription: dict[str, Any] = response.json()
    assert subscription["status"] == "pending"
    return subscription


async def confirmation_sent(
    notifier: ServedNotifier, mail_server: MailServer, subscription: dict[str, Any]
) -> tuple[str, Delivery]:
    """The link in the subscription's confirmation email, and its delivery once recorded."""
    address = subscription["email"]
    [mail] = await mail_server.wait_for(lambda m: m.to == address)
    key = confirmation_delivery_id(subscription["id"], address)

    async def recorded() -> bool:
        delivery = await notifier.service.store.delivery(key)
        return delivery is not None and delivery.status is DeliveryStatus.SENT

    await wait_until(recorded)
    delivery = await notifier.service.store.delivery(key)
    assert delivery is not None
    assert delivery.sent_at is not None
    return mail.link(rf"{notifier.url}{CONFIRM_LINK}"), delivery


async def confirmed(
    notifier: ServedNotifier, mail_server: MailServer, subscription: dict[str, Any]
) -> None:
    link, _ = await confirmation_sent(notifier, mail_server, subscription)
    response = await notifier.client.post(link)
    assert response.status_code == 200, response.text


async def subscription_doc(notifier: ServedNotifier, subscription_id: str) -> Document | None:
    doc: Document | None = await notifier.app.state.runtime.db[SUBSCRIPTIONS].find_one(
        {"_id": subscription_id}
    )
    return doc


async def unsubscribe_click(notifier: ServedNotifier, subscription_id: str) -> int:
    """The one-click unsubscribe link every subscription email carries."""
    token = notifier.service.links.unsubscribe_token(
        subscription_subject(subscription_id), "de", now=int(time.time())
    )
    response = await notifier.client.post(
        "/unsubscribe", params={"token": token}, data={"List-Unsubscribe": "One-Click"}
    )
    return response.status_code


async def test_unconfirmed_subscriptions_go_when_their_link_expired_ended_ones_lose_the_address(
    served_directory: ServedDirectory, notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    stale, fresh, reader = tagged("vergessen"), tagged("neu"), tagged("leserin")
    leaver, removed = tagged("abgemeldet"), tagged("entfernt")
    async with notifier_factory(
        directory_url=served_directory.url,
        delivery_retention_days=RETENTION_DAYS,
        confirmation_token_hours=TOKEN_HOURS,
        pending_subscriptions_per_address=1,
    ) as notifier:
        service, store, admin = notifier.service, notifier.service.store, served_directory.admin

        # never confirmed: its link is mailed, nobody clicks it
        unconfirmed = await subscribe(notifier, stale)
        stale_link, stale_confirmation = await confirmation_sent(notifier, mail_server, unconfirmed)
        assert stale_confirmation.sent_at is not None
        sent_at = stale_confirmation.sent_at
        again = await notifier.client.post(
            "/subscriptions", json={"email": stale, "topics": ["offers"]}
        )
        assert again.status_code == 429  # one unconfirmed subscription per address here

        # everything else starts at least a second (stored times are whole seconds) later
        await asyncio.sleep(
            (sent_at + dt.timedelta(seconds=1.05) - dt.datetime.now(dt.UTC)).total_seconds()
        )
        waiting = await subscribe(notifier, fresh)
        fresh_link, _ = await confirmation_sent(notifier, mail_server, waiting)
        active = await subscribe(notifier, reader, topics=["events"])
        await confirmed(notifier, mail_server, active)
        # a daily digest subscriber with an item waiting, who then clicks "unsubscribe"
        digest = await subscribe(notifier, leaver, delivery="daily")
        await confirmed(notifier, mail_server, digest)
        await publish(notifier.amqp_url, [offer_posted("Werkraum für die Fahrradgruppe")])

        async def item_waits() -> bool:
            items = await store.open_digest_items(digest["id"])
            return [item.state for item in items] == [DigestItemState.PENDING]

        await wait_until(item_waits)
        assert await unsubscribe_click(notifier, digest["id"]) == 200
        # one ended by office staff
        deleted_by_staff = await subscribe(notifier, removed)
        await confirmed(notifier, mail_server, deleted_by_staff)
        ended = await notifier.client.delete(
            f"/subscriptions/{deleted_by_staff['id']}", headers=admin
        )
        assert ended.status_code == 204
        # an organisation's subscription (no address of its own), ended by its editors
        organisation = await served_directory.register(
            "Nachbarschaftshaus Linde", email=tagged("linde")
        )
        await notifier.knows_organisations(organisation["id"])
        created = await notifier.client.post(
            "/subscriptions",
            json={"organisation_id": organisation["id"], "topics": ["events"]},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        of_organisation = created.json()
        ended = await notifier.client.delete(
            f"/subscriptions/{of_organisation['id']}", headers=admin
        )
        assert ended.status_code == 204

        ended_ids = [digest["id"], deleted_by_staff["id"], of_organisation["id"]]
        before = {s["id"]: await subscription_doc(notifier, s["id"]) for s in [active, waiting]}
        for subscription_id in ended_ids:
            doc = await subscription_doc(notifier, subscription_id)
            assert doc is not None
            assert doc["status"] == "ended"
            assert abs(doc["ended_ms"] - time.time() * 1000) < 60_000  # stamped when it ended
            assert (doc["redacted_ms"], doc["redacted_at"]) == (0, None)
        active_doc = before[active["id"]]
        assert active_doc is not None
        assert (active_doc["status"], active_doc["ended_ms"]) == ("active", 0)

        # the first link has just expired; the second subscription is a second younger
        first = await service.retention.apply_retention(
            sent_at + dt.timedelta(hours=TOKEN_HOURS, seconds=1)
        )
        assert first == RetentionCounts(unconfirmed_deleted=1)
        assert await subscription_doc(notifier, unconfirmed["id"]) is None
        assert await subscription_doc(notifier, waiting["id"]) == before[waiting["id"]]
        # a late click on the link (still valid by the clock) gets the known answer
        late = await notifier.client.get(stale_link)
        assert late.status_code == 404, late.text
        assert late.headers["content-type"] == "application/problem+json"
        # and the address may subscribe again
        second_try = await subscribe(notifier, stale)
        await confirmation_sent(notifier, mail_server, second_try)

        # what each was told about at once (only those hear of changes)
        for told in (active, waiting, digest, deleted_by_staff):
            await store.remember_told(told["id"], "an-entry")

        # long after: every link has expired, and the ended ones are past the retention period
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=RETENTION_DAYS + 1)
        counts = await service.retention.apply_retention(later)
        assert (counts.unconfirmed_deleted, counts.ended_redacted, counts.digest_items_deleted) == (
            2,
            3,
            1,
        )
        # the six confirmation emails (and whatever else the directory asked for)
        assert counts.deliveries_redacted >= 6
        for gone in (waiting, second_try):
            assert await subscription_doc(notifier, gone["id"]) is None
        assert await subscription_doc(notifier, active["id"]) == active_doc  # untouched
        for subscription_id, address in zip(ended_ids, [leaver, removed, None], strict=True):
            doc = await subscription_doc(notifier, subscription_id)
            assert doc is not None, subscription_id
            assert doc["email"] is None
            assert doc["status"] == "ended"
            assert doc["redacted_ms"] > 0
            assert isinstance(doc["redacted_at"], dt.datetime)
            if address is not None:
                assert address not in str(doc)
        leaver_doc = await subscription_doc(notifier, digest["id"])
        assert leaver_doc is not None
        assert (leaver_doc["topics"], leaver_doc["cadence"]) == (["offers"], "daily")
        organisation_doc = await subscription_doc(notifier, of_organisation["id"])
        assert organisation_doc is not None
        assert organisation_doc["organisation_id"] == organisation["id"]
        digest_items = notifier.app.state.runtime.db[DIGEST_ITEMS]
        assert await digest_items.find_one({"subscription_id": digest["id"]}) is None
        # only the subscription that goes on remembers what it was told
        for gone in (waiting, digest, deleted_by_staff):
            assert not await store.was_told(gone["id"], "an-entry")
        assert await store.was_told(active["id"], "an-entry")

        # office staff still see the ended subscriptions, without an address
        listed = await notifier.client.get("/subscriptions", params={"limit": 100}, headers=admin)
        assert listed.status_code == 200, listed.text
        shown = {item["id"]: item for item in listed.json()["items"]}
        assert set(shown) == {active["id"], *ended_ids}
        assert shown[active["id"]]["email"] == reader
        assert [shown[i]["email"] for i in ended_ids] == [None, None, None]
        assert [shown[i]["status"] for i in ended_ids] == ["ended"] * 3
        by_status = await notifier.client.get(
            "/subscriptions", params={"status": "ended"}, headers=admin
        )
        assert by_status.status_code == 200, by_status.text
        assert by_status.json()["total"] == 3
        by_address = await notifier.client.get(
            "/subscriptions", params={"email": leaver}, headers=admin
        )
        assert by_address.json()["items"] == []  # the address is nowhere any more

        # links in old emails still get their pages
        assert await unsubscribe_click(notifier, digest["id"]) == 200
        late = await notifier.client.get(fresh_link)
        assert late.status_code == 404, late.text

        # a second pass changes nothing
        kept = {i: await subscription_doc(notifier, i) for i in [active["id"], *ended_ids]}
        assert await service.retention.apply_retention(later) == RetentionCounts()
        assert await service.retention.redact_old_deliveries(later) == 0
        assert {i: await subscription_doc(notifier, i) for i in kept} == kept


async def test_subscriptions_stored_before_retention_existed_are_handled_too(
    notifier_factory: NotifierFactory,
) -> None:
    async with notifier_factory(delivery_retention_days=RETENTION_DAYS) as notifier:
        service, writer = notifier.service, notifier.app.state.runtime.writer
        await after_the_first_retention_pass(service)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        long_ago = now - dt.timedelta(days=400)
        unconfirmed, ended = (
            Subscription(
                id=new_id(),
                email=tagged(name),
                topics=[Topic.OFFERS],
                status=status,
                created_at=long_ago,
            )
            for name, status in [
                ("frueher-offen", SubscriptionStatus.PENDING),
                ("frueher-beendet", SubscriptionStatus.ENDED),
            ]
        )
        for subscription in (unconfirmed, ended):
            # as written by earlier versions: no `ended_ms`, `redacted_ms`, `redacted_at`
            await writer.insert(SUBSCRIPTIONS, subscription_document(subscription))

        # the unconfirmed one has no confirmation email on record: its link (if any) is long
        # expired; when the ended one ended is not known: it counts as ended now
        assert await service.retention.apply_retention(now) == RetentionCounts(
            unconfirmed_deleted=1
        )
        assert await subscription_doc(notifier, unconfirmed.id) is None
        doc = await subscription_doc(notifier, ended.id)
        assert doc is not None
        assert (doc["email"], doc["ended_ms"], doc["redacted_ms"]) == (
            ended.email,
            int(now.timestamp() * 1000),
            0,
        )
        assert await service.retention.apply_retention(
            now + dt.timedelta(days=RETENTION_DAYS - 1)
        ) == (RetentionCounts())

        later = now + dt.timedelta(days=RETENTION_DAYS + 1)
        assert await service.retention.apply_retention(later) == RetentionCounts(ended_redacted=1)
        doc = await subscription_doc(notifier, ended.id)
        assert doc is not None
        assert (doc["email"], doc["ended_ms"]) == (None, int(now.timestamp() * 1000))
        assert doc["redacted_ms"] > 0
        assert await service.retention.apply_retention(later) == RetentionCounts()
