"""Killing the notifier mid-batch and redelivering every message sends no email twice and
loses none."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from shared.contracts.base import CloudEvent
from shared.contracts.directory import OrganisationRegistered
from shared.contracts.exchange import MatchFound
from tests.integration.notifier_fixtures import notifier_environment
from tests.support.amqp import publish
from tests.support.events import numbered_matches
from tests.support.infra import RabbitVhost
from tests.support.mail import MailServer, tagged
from tests.support.processes import ServiceProcess, start_service
from tests.support.waiting import eventually as wait_until

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
MATCHES = 30
KILL_AT_RECIPIENT = 5


def organisations() -> list[OrganisationRegistered]:
    return [
        OrganisationRegistered(
            organisation_id=str(uuid.uuid4()),
            name=name,
            kind="association",
            email=tagged(local),
            preferred_language=language,
            status="active",
            revision=1,
            updated_at=NOW,
        )
        for name, local, language in [
            ("Ukrainischer Verein Mriya e.V.", "mriya", "uk"),
            ("FC Anadolu Nordstadt 1987", "anadolu", "tr"),
            ("Stadtteilbüro Nordstadt", "buero", "de"),
        ]
    ]


def matches(orgs: list[OrganisationRegistered], count: int = MATCHES) -> list[MatchFound]:
    ids = [org.organisation_id for org in orgs]
    return numbered_matches(
        [(ids[n % len(ids)], ids[(n + 1) % len(ids)]) for n in range(count)], NOW
    )


@dataclass(frozen=True)
class Stage:
    """Where a test starts notifier processes and kills them: their environment (this test's
    database, `mail_server`), the broker they listen to and their database."""

    env: dict[str, str]
    rabbitmq_url: str
    db: Any


@pytest.fixture
def stage(
    mail_server: MailServer,
    notifier_vhost: RabbitVhost,
    mongo_url: str,
    database_name: str,
    mongo_client: Any,
    storage_selfcheck: None,
) -> Stage:
    env = notifier_environment(
        mongo_url=mongo_url,
        database=database_name,
        rabbitmq_url=notifier_vhost.url,
        smtp_port=mail_server.port,
    )
    return Stage(env, notifier_vhost.url, mongo_client[database_name])


@pytest.fixture
def recorded(stage: Stage) -> Iterator[Collection[dict[str, Any]]]:
    """The deliveries, read synchronously (from inside the mail server's hooks)."""
    client: MongoClient[dict[str, Any]] = MongoClient(stage.env["MONGODB_URL"])
    yield client[stage.env["MONGODB_DATABASE"]]["deliveries"]
    client.close()


async def test_killing_the_notifier_mid_batch_and_redelivering_everything_sends_each_email_once(
    mail_server: MailServer,
    stage: Stage,
    processes: list[ServiceProcess],
    tmp_path: Path,
    recorded: Collection[dict[str, Any]],
) -> None:
    env = stage.env
    first = start_service("notifier", env, tmp_path)
    processes.append(first)

    # The notifier sends several emails at once. The kill comes while none of them is in
    # the honest "ambiguous" case of the separate test below (accepted, not yet recorded):
    # once each mail the server accepted is recorded as sent (the hook holds the server,
    # which accepts nothing meanwhile), and what the killed process had already written
    # into its other connections is refused rather than accepted from a dead client.
    started: set[Any] = set()  # SMTP sessions with a MAIL FROM, by the time of the kill
    orphaned: set[Any] = set()  # those sessions once their client is killed

    def note_session(session: Any) -> str | None:
        started.add(session)
        return None  # accepted

    def kill_mid_batch(recipients_so_far: int) -> None:
        if recipients_so_far != KILL_AT_RECIPIENT:
            return
        accepted = len(mail_server.mails)
        deadline = time.monotonic() + 30  # a notifier that never records fails the test
        while recorded.count_documents({"status": "sent"}) < accepted:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        orphaned.update(started)
        first.kill()

    accept = mail_server.handle_DATA

    async def accept_from_the_living(server: Any, session: Any, envelope: Any) -> str:
        if session in orphaned:
            return "451 4.3.0 The sender is gone"
        return await accept(server, session, envelope)

    mail_server.on_mail = note_session
    mail_server.on_rcpt = kill_mid_batch
    mail_server.handle_DATA = accept_from_the_living  # type: ignore[method-assign]
    await asyncio.to_thread(first.wait_until, "/readyz")

    orgs = organisations()
    db = stage.db
    events: list[CloudEvent] = await publish(stage.rabbitmq_url, orgs)

    async def projected() -> bool:
        return len(await db["organisations"].find({}, {"_id": 1}).to_list(10)) == 3

    await wait_until(projected)
    events += await publish(stage.rabbitmq_url, matches(orgs))

    async def killed() -> bool:
        return first.process.poll() is not None

    await wait_until(killed, timeout=30)
    assert len(mail_server.mails) < 2 * MATCHES, "the kill came after the whole batch"

    second = start_service("notifier", env, tmp_path)
    processes.append(second)
    await asyncio.to_thread(second.wait_until, "/readyz")
    await publish(stage.rabbitmq_url, events)  # every message once more, with its own id

    match_ids = {e.id for e in events if e.type.endswith("match.found.v1")}

    def delivered() -> collections.Counter[tuple[str, str]]:
        return collections.Counter(
            (m.to, m.cause) for m in mail_server.mails if m.cause in match_ids
        )

    async def all_arrived() -> bool:
        return len(delivered()) == 2 * MATCHES

    await wait_until(all_arrived, timeout=60)
    await asyncio.sleep(4)  # longer than a lease: anything still to come would come now
    counts = delivered()
    assert len(counts) == 2 * MATCHES
    assert [key for key, n in counts.items() if n != 1] == []
    addresses = {str(org.email) for org in orgs}
    assert {to for to, _ in counts} == addresses

    async def statuses() -> collections.Counter[str]:
        docs = await db["deliveries"].find({}, {"status": 1}).to_list(1000)
        return collections.Counter(doc["status"] for doc in docs)

    # the mail server holds a mail before the sender hears "250" and records it as sent
    async def all_recorded() -> bool:
        return await statuses() == {"sent": 2 * MATCHES}

    await wait_until(all_recorded, timeout=30)


async def test_a_kill_after_the_mail_server_accepted_resends_with_the_same_message_id(
    mail_server: MailServer, stage: Stage, processes: list[ServiceProcess], tmp_path: Path
) -> None:
    """The one window no SMTP client can close, shown rather than hidden: the server has the
    mail, the notifier dies before writing that down, so the mail goes out again after the
    lease expires, as the same message (same Message-ID) for mail clients to fold together."""
    env = stage.env
    first = start_service("notifier", env, tmp_path)
    processes.append(first)
    accepted = mail_server.handle_DATA

    async def accept_then_kill(server: Any, session: Any, envelope: Any) -> str:
        answer = await accepted(server, session, envelope)
        if first.process.poll() is None:
            first.kill()
        return answer

    mail_server.handle_DATA = accept_then_kill  # type: ignore[method-assign]
    await asyncio.to_thread(first.wait_until, "/readyz")
    orgs = organisations()[:2]
    await publish(stage.rabbitmq_url, orgs)

    async def projected() -> bool:
        found = await stage.db["organisations"].find().to_list(10)
        return len(found) == 2

    await wait_until(projected)
    [match] = await publish(stage.rabbitmq_url, matches(orgs, 1))
    await mail_server.wait_for(lambda m: m.cause == match.id)
    mail_server.handle_DATA = accepted  # type: ignore[method-assign]

    second = start_service("notifier", env, tmp_path)
    processes.append(second)
    mails = await mail_server.wait_for(lambda m: m.cause == match.id, count=3, timeout=30)
    by_recipient = collections.defaultdict(list)
    for mail in mails:
        by_recipient[mail.to].append(mail.header("Message-ID"))
    copies = sorted(len(ids) for ids in by_recipient.values())
    assert copies == [1, 2]  # the one in flight at the kill came twice …
    assert all(len(set(ids)) == 1 for ids in by_recipient.values())  # … as the same message
