"""Fixtures for the notifier's tests: the notifier served over real HTTP, sending to the test's
SMTP server (`tests.support.mail`), and the directory served over real HTTP (its JWKS, its
invitations)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.notifier.app import create_app as create_notifier
from services.notifier.delivery_store import DELIVERIES
from services.notifier.domain import DeliveryStatus, delivery_id, email_recipient
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from shared.contracts.notifier import SendEmail
from shared.ids import new_id
from shared.mongo import Document
from tests.conftest import RUN_ID, new_database_name
from tests.integration.conftest import PORTAL
from tests.support.infra import RabbitVhost, create_vhost, delete_vhost, free_port
from tests.support.mail import MailServer, link_token
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.services import serving, serving_with_admin
from tests.support.waiting import eventually as wait_until
from tests.support.waiting import until_ready as wait_ready

SIGNING_SECRET = "a-signing-secret-for-the-notifier-tests-only"


# --- the broker -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def notifier_vhost(rabbitmq_base_url: str) -> Iterator[RabbitVhost]:
    """One vhost for the notifier's tests: no command left over by other tests reaches them."""
    vhost = create_vhost(rabbitmq_base_url, f"inx-test-{RUN_ID}-notifier")
    yield vhost
    delete_vhost(vhost)


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

    async def invite(self, organisation_id: str, email: str, name: str) -> dict[str, Any]:
        """Invite a person into the organisation as office staff; the directory asks the
        notifier to email the invitation."""
        invited = await self.client.post(
            f"/organisations/{organisation_id}/members",
            json={"email": email, "name": name},
            headers=self.admin,
        )
        assert invited.status_code == 201, invited.text
        member: dict[str, Any] = invited.json()
        return member

    async def set_password(self, link: str, password: str) -> None:
        """Set a password with the token of an invitation's (or reset's) emailed link."""
        password_set = await self.client.post(
            "/auth/password", json={"token": link_token(link), "password": password}
        )
        assert password_set.status_code == 204, password_set.text


@pytest.fixture
async def served_directory(
    directory_settings: Callable[..., DirectorySettings], notifier_vhost: RabbitVhost
) -> AsyncIterator[ServedDirectory]:
    app = create_directory(directory_settings(rabbitmq_url=notifier_vhost.url))
    async with serving_with_admin(app) as (url, client, admin):
        yield ServedDirectory(url, client, admin, app)


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
        "MATCH_FEEDBACK_SECRET": MATCH_FEEDBACK_SECRET,
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

    async def subscribe(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Create a subscription (201 expected); returns it as the notifier answered."""
        created = await self.client.post("/subscriptions", json=body, headers=headers)
        assert created.status_code == 201, created.text
        subscription: dict[str, Any] = created.json()
        return subscription

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


@pytest.fixture
async def notifier(
    notifier_factory: NotifierFactory, served_directory: ServedDirectory
) -> AsyncIterator[ServedNotifier]:
    """A notifier that knows the served directory: it checks log-ins with the directory's keys."""
    async with notifier_factory(directory_url=served_directory.url) as served:
        yield served


# --- deliveries of commands ---------------------------------------------------------------


def key_of(command: SendEmail) -> str:
    return delivery_id(command.command_id, email_recipient(command.to), command.template.value)


async def stored(notifier: ServedNotifier, command: SendEmail) -> Document:
    doc: Document | None = await notifier.app.state.runtime.db[DELIVERIES].find_one(
        {"_id": key_of(command)}
    )
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
        inbox = notifier.app.state.runtime.db["inbox"]
        return await inbox.find_one({"event_id": event_id, "state": "done"}) is not None

    await wait_until(done)
