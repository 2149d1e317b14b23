"""Network-only calendar entries through the real broker and SMTP: an address alone is told only
of public entries — at once, in follow-ups and in digests — while an organisation's contact
address hears of the network's entries too; nobody hears a follow-up of an entry they were never
told about."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

from services.notifier.digest_rules import digest_period_start
from services.notifier.domain import Cadence
from shared.contracts.base import CloudEvent
from shared.contracts.calendar import EventCancelled, EventRescheduled, EventScheduled, EventUpdated
from tests.integration.notifier_fixtures import NotifierFactory, ServedDirectory, ServedNotifier
from tests.support.amqp import publish
from tests.support.mail import MailServer, tagged
from tests.support.waiting import eventually as wait_until

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
CONFIRM_LINK = r"/subscriptions/confirm\?token=(\S+)"


def an_entry(title: str, visibility: str, **changes: Any) -> dict[str, Any]:
    starts = NOW + dt.timedelta(days=10)
    values: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "title": title,
        "description": f"Worum es bei {title} geht",
        "organisation_id": str(uuid.uuid4()),
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "district": "Nordstadt",
        "visibility": visibility,
        "status": "scheduled",
        "sequence": 0,
        "updated_at": NOW,
    }
    values.update(changes)
    return values


async def handled(notifier: ServedNotifier, *events: CloudEvent) -> None:
    """Every event consumed: whatever deliveries it plans are written by then."""

    async def done() -> bool:
        inbox = notifier.app.state.runtime.db["inbox"]
        for event in events:
            if await inbox.find_one({"event_id": event.id, "state": "done"}) is None:
                return False
        return True

    await wait_until(done)


async def planned_for(notifier: ServedNotifier, event: CloudEvent) -> set[str]:
    cursor = notifier.app.state.runtime.db["deliveries"].find({"cause_event_id": event.id})
    return {str(doc["recipient"]) async for doc in cursor}


async def subscribe_address(
    notifier: ServedNotifier, mail_server: MailServer, address: str, delivery: str
) -> str:
    created = await notifier.client.post(
        "/subscriptions",
        json={"email": address, "topics": ["events"], "delivery": delivery},
    )
    assert created.status_code == 201, created.text
    [confirmation] = await mail_server.wait_for(lambda m: m.to == address)
    token = confirmation.link(CONFIRM_LINK).split("token=", 1)[1]
    subscription, _claim = await notifier.service.subscriptions.confirm(token)
    return subscription.id


async def test_an_address_is_told_only_of_public_entries_at_once_in_follow_ups_and_in_digests(
    served_directory: ServedDirectory, notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    reader, digest_reader, contact = tagged("nachbar"), tagged("uebersicht"), tagged("kontakt")
    async with notifier_factory(directory_url=served_directory.url) as notifier:
        organisation = await served_directory.register(
            "Elternverein Regenbogen", email=contact, preferred_language="de"
        )
        await notifier.knows_organisations(organisation["id"])
        await notifier.subscribe(
            {"organisation_id": organisation["id"], "topics": ["events"]},
            headers=served_directory.admin,
        )
        await subscribe_address(notifier, mail_server, reader, "immediate")
        await subscribe_address(notifier, mail_server, digest_reader, "daily")
        org = f"org:{organisation['id']}"
        anonymous = {f"email:{reader}", f"email:{digest_reader}"}

        # new entries: the public one reaches everyone, the network one the member only
        fest = an_entry("Sommerfest", "public")
        meeting = an_entry("Netzwerktreffen intern", "network")
        cooking = an_entry("Kochabend", "public")
        reading = an_entry("Lesung", "public")
        scheduled = await publish(
            notifier.amqp_url,
            [EventScheduled.model_validate(e) for e in (fest, meeting, cooking, reading)],
        )
        await handled(notifier, *scheduled)
        assert await planned_for(notifier, scheduled[0]) == {org, f"email:{reader}"}
        assert await planned_for(notifier, scheduled[1]) == {org}
        await mail_server.wait_for(lambda m: m.to == contact, count=4)
        [told] = await mail_server.wait_for(lambda m: m.to == reader and "Sommerfest" in m.text)
        assert told.cause == scheduled[0].id

        # follow-ups: the public entry became network-only as it moved; the network one was
        # called off as a public one; another public one became network-only without moving
        moved = EventRescheduled.model_validate(
            {
                **fest,
                "visibility": "network",
                "sequence": 1,
                "starts_at": fest["starts_at"] + dt.timedelta(days=1),
                "ends_at": fest["ends_at"] + dt.timedelta(days=1),
                "previous_starts_at": fest["starts_at"],
                "previous_ends_at": fest["ends_at"],
            }
        )
        called_off = EventCancelled.model_validate(
            {**meeting, "visibility": "public", "status": "cancelled", "sequence": 1}
        )
        hidden = EventUpdated.model_validate(
            {**cooking, "visibility": "network", "sequence": 1, "changed_fields": ["visibility"]}
        )
        changes = await publish(notifier.amqp_url, [moved, called_off, hidden])
        await handled(notifier, *changes)
        # the member was told of both and hears of both changes
        assert await planned_for(notifier, changes[0]) == {org}
        assert await planned_for(notifier, changes[1]) == {org}
        await mail_server.wait_for(lambda m: m.to == contact and m.cause == changes[1].id)

        # the digest lists only what its reader may still see
        tomorrow = digest_period_start(
            dt.datetime.now(dt.UTC) + dt.timedelta(hours=26), Cadence.DAILY, hour=7, timezone=BERLIN
        )
        assert await notifier.service.digests.run_digests(tomorrow + dt.timedelta(minutes=1)) == 1
        [digest] = await mail_server.wait_for(
            lambda m: m.to == digest_reader and "Übersicht" in m.header("Subject")
        )
        assert "Lesung" in digest.text
        for secret in ("Sommerfest", "Netzwerktreffen", "Kochabend"):
            assert secret not in digest.text
            assert secret not in digest.html

    for mail in mail_server.mails:
        if f"email:{mail.to}" in anonymous:
            assert "Netzwerktreffen" not in mail.text
            assert mail.cause not in {c.id for c in changes}
