"""Fixtures for the notifier's tests: a real SMTP server (aiosmtpd on loopback) that keeps what
it receives, the notifier served over real HTTP, the directory served over real HTTP (its JWKS,
its invitations), and publishing CloudEvents to the broker as another service would."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import aio_pika
import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.notifier.app import create_app as create_notifier
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from shared.contracts.base import CLOUDEVENTS_CONTENT_TYPE, CloudEvent, Payload, envelope
from shared.contracts.exchange import MatchFound
from shared.ids import new_id
from shared.topology import commands_exchange, events_exchange
from tests.conftest import RUN_ID, new_database_name
from tests.integration.conftest import PORTAL
from tests.support.infra import RabbitVhost, create_vhost, delete_vhost, free_port
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, serving
from tests.support.waiting import eventually as wait_until
from tests.support.waiting import until_ready as wait_ready

SIGNING_SECRET = "a-signing-secret-for-the-notifier-tests-only"


# --- the SMTP server ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaughtMail:
    envelope_to: list[str]
    message: EmailMessage
    #: The message exactly as it arrived over SMTP (a decoding parser hides wire mistakes).
    raw: bytes = b""

    @property
    def to(self) -> str:
        return self.envelope_to[0]

    def header(self, name: str) -> str:
        value = self.message.get(name)
        return "" if value is None else str(value)

    @property
    def cause(self) -> str:
        return self.header("X-Integrationsnetz-Cause")

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        content: str = body.get_content()
        return content

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")

    def link(self, pattern: str) -> str:
        found = re.search(pattern, self.text)
        assert found, f"no link matching {pattern!r} in:\n{self.text}"
        return found.group(0)


@dataclass
class MailServer:
    """An SMTP server on a fixed loopback port that keeps every accepted message; it can be
    stopped and started again on the same port, and can run a hook at each RCPT."""

    port: int
    mails: list[CaughtMail] = field(default_factory=list)
    rcpt_count: int = 0
    on_rcpt: Callable[[int], None] | None = None
    _controller: Controller | None = None

    async def handle_RCPT(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        self.rcpt_count += 1
        if self.on_rcpt is not None:
            self.on_rcpt(self.rcpt_count)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.mails.append(CaughtMail(list(envelope.rcpt_tos), message, raw))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[CaughtMail]:
        return [m for m in self.mails if m.to == address]

    async def wait_for(
        self,
        predicate: Callable[[CaughtMail], bool] = lambda _m: True,
        count: int = 1,
        timeout: float = 15.0,
    ) -> list[CaughtMail]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [m for m in self.mails if predicate(m)]
            if len(found) >= count:
                return found
            if asyncio.get_running_loop().time() > deadline:
                seen = [(m.to, m.header("Subject")) for m in self.mails]
                raise AssertionError(f"expected {count} matching mails in {timeout}s; saw {seen}")
            await asyncio.sleep(0.05)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer(free_port())
    server.start()
    yield server
    server.stop()


# --- the broker -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def notifier_vhost(rabbitmq_base_url: str) -> Iterator[RabbitVhost]:
    """One vhost for the notifier's tests: no command left over by other tests reaches them."""
    vhost = create_vhost(rabbitmq_base_url, f"inx-test-{RUN_ID}-notifier")
    yield vhost
    delete_vhost(vhost)


async def publish(url: str, messages: Sequence[CloudEvent | Payload]) -> list[CloudEvent]:
    """Publish CloudEvents (or payloads, wrapped in a new envelope) the way a service's outbox
    relay does: persistent, confirmed, `message_id` = CloudEvents id."""
    events = [m if isinstance(m, CloudEvent) else envelope(m) for m in messages]
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchanges = {}
        for known in (events_exchange, commands_exchange):
            exchanges[known.name] = await channel.declare_exchange(
                known.name, type=known.type.value, durable=True, arguments=known.arguments
            )
        for event in events:
            target = (
                commands_exchange.name
                if event.type.startswith("integrationsnetz.notifier.email")
                else events_exchange.name
            )
            await exchanges[target].publish(
                aio_pika.Message(
                    event.model_dump_json(exclude_none=True).encode(),
                    message_id=event.id,
                    content_type=CLOUDEVENTS_CONTENT_TYPE,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=event.routing_key,
            )
    return events


def a_match(offer_org: str, request_org: str, **changes: object) -> MatchFound:
    """An `exchange.match.found` between two organisations; keyword arguments override."""
    values: dict[str, object] = {
        "match_id": str(uuid.uuid4()),
        "offer_id": str(uuid.uuid4()),
        "request_id": str(uuid.uuid4()),
        "offer_organisation_id": offer_org,
        "request_organisation_id": request_org,
        "category": "language_partner",
        "score": 0.82,
        "reasons": ["gleiche Sprache", "gleicher Stadtteil"],
        "offer_title": "Seniorinnen und Senioren für Gesprächsrunden",
        "request_title": "Sprachpartner für ukrainische Jugendliche gesucht",
        "found_at": dt.datetime.now(dt.UTC),
    }
    values.update(changes)
    return MatchFound.model_validate(values)


# --- serving apps over real HTTP ------------------------------------------------------------


@dataclass
class ServedDirectory:
    url: str
    client: httpx.AsyncClient
    admin: dict[str, str]
    app: FastAPI

    def editor_of(self, *organisation_ids: str) -> dict[str, str]:
        """A member's token, signed by the directory's real key."""
        token = self.app.state.directory.issuer.issue(new_id(), "editor", list(organisation_ids))
        return {"Authorization": f"Bearer {token}"}

    async def register(self, name: str, **facts: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/organisations",
            json={"name": name, "kind": "association", **facts},
            headers=self.admin,
        )
        assert response.status_code == 201, response.text
        organisation: dict[str, Any] = response.json()
        return organisation


@pytest.fixture
async def served_directory(
    directory_settings: Callable[..., DirectorySettings], notifier_vhost: RabbitVhost
) -> AsyncIterator[ServedDirectory]:
    app = create_directory(directory_settings(rabbitmq_url=notifier_vhost.url))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await wait_ready(client)
        response = await client.post(
            "/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        yield ServedDirectory(url, client, {"Authorization": f"Bearer {token}"}, app)


def notifier_environment(
    *, mongo_url: str, database: str, rabbitmq_url: str, smtp_port: int, **extra: str
) -> dict[str, str]:
    """Settings of a notifier for tests, as environment variables: short retries and leases."""
    return {
        "ENVIRONMENT": "test",
        "MONGODB_URL": mongo_url,
        "MONGODB_DATABASE": database,
        "RABBITMQ_URL": rabbitmq_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_TIMEOUT_SECONDS": "3",
        "SIGNING_SECRET": SIGNING_SECRET,
        "PUBLIC_BASE_URL": PORTAL,
        "RETRY_BASE_SECONDS": "0.25",
        "RETRY_MAX_SECONDS": "1",
        "MAX_ATTEMPTS": "40",
        "DELIVERY_LEASE_SECONDS": "3",
        "SENDER_POLL_SECONDS": "0.1",
        "OUTBOX_POLL_SECONDS": "0.2",
        # the tests run digest passes themselves, with explicit times
        "DIGEST_CHECK_SECONDS": "3600",
        "LOG_LEVEL": "warning",
        **extra,
    }


@dataclass
class ServedNotifier:
    app: FastAPI
    url: str
    client: httpx.AsyncClient
    mail: MailServer

    @property
    def amqp_url(self) -> str:
        url: str = self.app.state.runtime.settings.rabbitmq_url
        return url

    @property
    def service(self) -> Notifier:
        notifier: Notifier = self.app.state.notifier
        return notifier

    async def knows_organisations(self, *organisation_ids: str) -> None:
        async def known() -> bool:
            found = [await self.service.store.organisation(o) for o in organisation_ids]
            return all(found)

        await wait_until(known)


NotifierFactory = Callable[..., contextlib.AbstractAsyncContextManager[ServedNotifier]]


@pytest.fixture
def notifier_factory(
    mongo_url: str, notifier_vhost: RabbitVhost, mail_server: MailServer, storage_selfcheck: None
) -> NotifierFactory:
    """Starts a notifier served over HTTP on its own database; keyword arguments override
    settings (e.g. `directory_url`)."""

    @contextlib.asynccontextmanager
    async def serve(**overrides: Any) -> AsyncIterator[ServedNotifier]:
        port = free_port()
        environment = notifier_environment(
            mongo_url=mongo_url,
            database=new_database_name(),
            rabbitmq_url=notifier_vhost.url,
            smtp_port=mail_server.port,
        )
        values: dict[str, Any] = {key.lower(): value for key, value in environment.items()}
        values.update(port=port, notifier_public_url=f"http://127.0.0.1:{port}")
        values.update(overrides)
        settings = NotifierSettings(_env_file=None, **values)
        app = create_notifier(settings)
        async with serving(app, port) as url, httpx.AsyncClient(base_url=url) as client:
            await wait_ready(client)
            yield ServedNotifier(app, url, client, mail_server)

    return serve


def tagged(local: str) -> str:
    """A unique address per test, so mails are told apart whatever else runs."""
    return f"{local}-{uuid.uuid4().hex[:8]}@example.org"
