"""The public event stream end to end, as another city system sees it.

The four services run on a vhost of their own with the RabbitMQ accounts of
deploy/rabbitmq/definitions.json; the example subscriber of the guide
(docs/examples/external_consumer.py) runs as a process of its own with the read-only `external`
account. The story: the office registers a Ukrainian association and a senior citizens' house;
one looks for German conversation practice, the other offers seniors who like to talk; the
exchange matches them, one plans a first meeting in the calendar, and the notifier emails both.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass

import httpx
import pytest
from aio_pika.abc import AbstractIncomingMessage

from services.calendar.app import create_app as create_calendar
from services.calendar.settings import CalendarSettings
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.exchange.app import create_app as create_exchange
from services.exchange.settings import ExchangeSettings
from shared.clock import BERLIN
from shared.contracts.base import EVENTS_EXCHANGE, TYPE_PREFIX
from tests.conftest import new_database_name
from tests.integration.calendar_fixtures import Partners
from tests.integration.exchange_fixtures import GERMAN_PRACTICE, Network
from tests.integration.notifier_fixtures import (
    NotifierFactory,
    ServedNotifier,
)
from tests.support.amqp import StreamTap
from tests.support.broker_accounts import BrokerAccounts
from tests.support.infra import ROOT
from tests.support.mail import MailServer
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, log_in, running, serving
from tests.support.waiting import until_ready as wait_ready

EXAMPLE_CONSUMER = ROOT / "docs" / "examples" / "external_consumer.py"
CORRELATION_ID = "e2e-story-1"
MRIYA_MAILBOX = "kontakt@mriya.example.org"
SENIORS_MAILBOX = "begegnung@seniorenhaus-nordstadt.example.org"
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SECRET_LINKS = ("set-password", "unsubscribe", "token=")
EXPECTED_ON_THE_STREAM = Counter(
    {
        "directory.organisation.registered": 2,
        "exchange.request.posted": 1,
        "exchange.offer.posted": 1,
        "exchange.match.found": 1,
        "calendar.event.scheduled": 1,
        "notifier.notification.sent": 2,
    }
)


@dataclass
class City:
    """The four services on one broker, each with its own database and broker account."""

    accounts: BrokerAccounts
    network: Network  # the directory and the exchange, as in the exchange's tests
    partners: Partners  # the directory and the calendar, as in the calendar's tests
    notifier: ServedNotifier

    @property
    def admin(self) -> dict[str, str]:
        return self.network.admin


@pytest.fixture
async def city(
    broker_accounts: BrokerAccounts,
    directory_settings: Callable[..., DirectorySettings],
    calendar_settings: Callable[..., CalendarSettings],
    notifier_factory: NotifierFactory,
    mongo_url: str,
) -> AsyncIterator[City]:
    accounts = broker_accounts
    directory_app = create_directory(directory_settings(rabbitmq_url=accounts.url("directory")))
    async with (
        serving(directory_app) as directory_url,
        httpx.AsyncClient(base_url=directory_url) as directory,
    ):
        await wait_ready(directory)
        admin = await log_in(directory, ADMIN_EMAIL, ADMIN_PASSWORD)
        exchange_app = create_exchange(
            ExchangeSettings(
                _env_file=None,
                environment="test",
                match_feedback_secret=MATCH_FEEDBACK_SECRET,
                mongodb_url=mongo_url,
                mongodb_database=new_database_name(),
                rabbitmq_url=accounts.url("exchange"),
                directory_url=directory_url,
                outbox_poll_seconds=0.2,
            )
        )
        calendar_app = create_calendar(
            calendar_settings(directory_url, rabbitmq_url=accounts.url("calendar"))
        )
        async with (
            running(exchange_app) as exchange,
            running(calendar_app) as calendar,
            notifier_factory(
                directory_url=directory_url, rabbitmq_url=accounts.url("notifier")
            ) as notifier,
        ):
            yield City(
                accounts,
                Network(directory_app, directory, exchange, admin, accounts.vhost.url),
                Partners(directory_app, directory, calendar.client, calendar_app, admin),
                notifier,
            )


@contextlib.asynccontextmanager
async def example_consumer(
    amqp_url: str, name: str, *, max_events: int, idle_seconds: float, keys: tuple[str, ...]
) -> AsyncIterator[asyncio.subprocess.Process]:
    """docs/examples/external_consumer.py in a process of its own, from when it listens."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLE_CONSUMER),
        *("--name", name, "--max-events", str(max_events), "--idle-seconds", str(idle_seconds)),
        *keys,
        cwd=ROOT,
        env={**os.environ, "AMQP_URL": amqp_url},  # the password stays off the command line
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    try:
        first = await asyncio.wait_for(process.stdout.readline(), timeout=20)
        if not first.startswith(b"listening on ext."):
            await asyncio.wait_for(process.wait(), timeout=10)
            errors = (await process.stderr.read()).decode()[-3000:]
            raise AssertionError(f"the example consumer did not start: {first!r}\n{errors}")
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def routing_key_of(event_type: str) -> str:
    """`integrationsnetz.exchange.offer.posted.v1` → `exchange.offer.posted`."""
    return event_type.removeprefix(TYPE_PREFIX).rsplit(".", 1)[0]


def routing_keys_printed(output: bytes) -> Counter[str]:
    """The example prints `<time> <type> <subject>` per event."""
    return Counter(routing_key_of(line.split()[1]) for line in output.decode().splitlines())


def assert_only_public_facts(
    messages: Iterable[AbstractIncomingMessage], secrets: Iterable[str], mailboxes: set[str]
) -> None:
    """No secret in any body; the only addresses are organisations' contact mailboxes, which
    the directory publishes among their facts."""
    secrets = tuple(secrets)
    for message in messages:
        body, key = message.body.decode(), message.routing_key or ""
        for secret in secrets:
            assert secret not in body, f"{secret!r} in {key}: {body}"
        for address in EMAIL_ADDRESS.findall(body):
            assert address in mailboxes, f"{address} in {key}"
            assert key.startswith("directory.organisation."), f"{address} in {key}"


def a_week_from_now_at(hour: int) -> str:
    day = dt.date.today() + dt.timedelta(days=7)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN).isoformat()


async def test_an_outside_system_follows_a_language_partnership_without_personal_data(
    city: City, mail_server: MailServer
) -> None:
    async with (
        StreamTap(city.accounts.vhost.url, EVENTS_EXCHANGE) as tap,
        example_consumer(
            city.accounts.url("external"),
            "e2e.story",
            max_events=EXPECTED_ON_THE_STREAM.total(),
            idle_seconds=10,
            keys=("#",),
        ) as consumer,
    ):
        # the office registers both organisations; every service learns of them by events
        mriya = await city.network.register(
            "Ukrainischer Verein Mriya e.V.",
            kind="migrant_organisation",
            languages=["uk", "de"],
            email=MRIYA_MAILBOX,
            preferred_language="uk",
        )
        seniors = await city.network.register(
            "Seniorenhaus Nordstadt", email=SENIORS_MAILBOX, preferred_language="de"
        )
        for organisation in (mriya, seniors):
            await city.partners.known(organisation)
        await city.notifier.knows_organisations(mriya, seniors)
        mriya_editor = city.network.editor_of(mriya)
        seniors_editor = city.network.editor_of(seniors)

        # Suchen und Bieten: the request first, then the offer that fits it
        request = await city.network.post_matched(
            tap, "requests", mriya, headers=mriya_editor, **GERMAN_PRACTICE
        )
        posted = await city.network.client.post(
            "/offers",
            json={
                "organisation_id": seniors,
                "category": "language_partner",
                "title": "Senioren als Sprachpartner",
                "languages": ["de"],
            },
            headers={**seniors_editor, "X-Request-ID": CORRELATION_ID},
        )
        assert posted.status_code == 201, posted.text
        assert posted.headers["X-Request-ID"] == CORRELATION_ID
        [match] = await tap.wait_for("exchange.match.found")
        assert match["data"]["offer_id"] == posted.json()["id"]
        assert match["data"]["request_id"] == request["id"]

        # the seniors' house plans the first meeting, with the association as co-organiser
        planned = await city.partners.calendar.post(
            "/events",
            json={
                "organisation_id": seniors,
                "co_organiser_ids": [mriya],
                "title": "Erstes Treffen der Sprachpartner",
                "starts_at": a_week_from_now_at(15),
                "ends_at": a_week_from_now_at(17),
                "venue": {"name": "Seniorenhaus Nordstadt", "room": "Café"},
                "district": "Nordstadt",
                "audience": ["seniors", "newcomers"],
                "languages": ["de", "uk"],
            },
            headers=seniors_editor,
        )
        assert planned.status_code == 201, planned.text

        # both organisations hear of the match by email
        mails = await mail_server.wait_for(lambda m: m.cause == match["id"], count=2)
        sent = await tap.wait_for("notifier.notification.sent", count=2)
        # the tap counts the whole story below: the calendar's event too, not only its answer
        await tap.wait_for("calendar.event.scheduled")

        await asyncio.wait_for(consumer.wait(), timeout=30)
        assert consumer.stdout is not None
        assert consumer.stderr is not None
        printed, errors = await consumer.stdout.read(), await consumer.stderr.read()
    assert consumer.returncode == 0, errors.decode()

    # the outside system saw the whole story, each event once, and nothing else
    assert routing_keys_printed(printed) == EXPECTED_ON_THE_STREAM, printed.decode()
    distinct = {body["id"]: body for body in tap.bodies()}.values()
    assert Counter(routing_key_of(body["type"]) for body in distinct) == EXPECTED_ON_THE_STREAM

    # one email per organisation, in its own language, with a secret unsubscribe link ...
    assert sorted(m.to for m in mail_server.mails) == sorted([MRIYA_MAILBOX, SENIORS_MAILBOX])
    by_address = {m.to: m for m in mails}
    to_mriya, to_seniors = by_address[MRIYA_MAILBOX], by_address[SENIORS_MAILBOX]
    assert to_mriya.header("Content-Language") == "uk"
    assert "Знайдено відповідність" in to_mriya.header("Subject")
    assert "«Senioren als Sprachpartner»" in to_mriya.text
    assert to_seniors.header("Content-Language") == "de"
    assert "„Sprachpartner zum Deutschüben“" in to_seniors.text
    for mail in mails:
        assert "/unsubscribe?token=" in mail.header("List-Unsubscribe")

    # ... of which the public stream says only that it went out, never to whom
    tokens = [h["Authorization"].split()[1] for h in (city.admin, mriya_editor, seniors_editor)]
    assert_only_public_facts(
        tap.messages,
        secrets=(*SECRET_LINKS, *tokens, ADMIN_EMAIL),
        mailboxes={MRIYA_MAILBOX, SENIORS_MAILBOX},
    )
    assert {event["data"]["organisation_id"] for event in sent} == {mriya, seniors}
    assert {event["data"]["cause_event_id"] for event in sent} == {match["id"]}

    # the correlation id of the offer's HTTP request follows everything it caused: the
    # events, the notifier's delivery records, and the events about those deliveries
    [offer_posted] = tap.of_type("exchange.offer.posted")
    [request_posted] = tap.of_type("exchange.request.posted")
    assert offer_posted["correlationid"] == CORRELATION_ID
    assert request_posted["correlationid"] != CORRELATION_ID
    assert match["correlationid"] == CORRELATION_ID
    log = await city.notifier.client.get(
        "/deliveries", params={"status": "sent"}, headers=city.admin
    )
    assert log.status_code == 200, log.text
    for_match = [d for d in log.json()["items"] if d["cause_event_id"] == match["id"]]
    assert {d["organisation_id"] for d in for_match} == {mriya, seniors}
    assert [d["correlation_id"] for d in for_match] == [CORRELATION_ID] * 2
    assert [event["correlationid"] for event in sent] == [CORRELATION_ID] * 2
