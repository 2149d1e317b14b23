"""A database that goes down under running services: every service answers 503 problem+json
with Retry-After on its reads and writes and logs a warning, not an unhandled exception; the
portal shows its German 503 page; a consumer retries instead of parking the message."""

from __future__ import annotations

import contextlib
import logging
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from pymongo.errors import ExecutionTimeout

from services.calendar.app import create_app as create_calendar
from services.calendar.settings import CalendarSettings
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.exchange.app import create_app as create_exchange
from services.exchange.settings import ExchangeSettings
from services.notifier.app import create_app as create_notifier
from services.notifier.settings import NotifierSettings
from shared.ids import new_id
from shared.messaging import while_database_unavailable
from tests.conftest import RUN_ID, new_database_name
from tests.integration.notifier_fixtures import SIGNING_SECRET
from tests.support.infra import ROOT, MongoServer, RabbitVhost, embedded_mongo_server
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.portal import portal_app
from tests.support.services import running, serving
from tests.support.waiting import until_ready

#: Short, so each refused request gives up on the dead server quickly.
TIMEOUT_MS = 300


@pytest.fixture
def doomed_mongo() -> Iterator[MongoServer]:
    """An nx-27017 of this test's own, so killing it leaves the rest of the run alone."""
    data_dir = ROOT / "var" / "test" / f"{RUN_ID}-outage-{uuid.uuid4().hex[:6]}"
    with embedded_mongo_server(data_dir) as server:
        yield server
    shutil.rmtree(data_dir, ignore_errors=True)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def of(self, logger: str) -> list[logging.LogRecord]:
        return [r for r in self.records if r.name == logger]


@contextlib.contextmanager
def recording() -> Iterator[Records]:
    handler = Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def assert_unavailable(response: httpx.Response, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"] == "application/problem+json", what
    assert int(response.headers["retry-after"]) > 0, what
    problem = response.json()
    assert problem["status"] == 503, what
    assert problem["type"].endswith("/unavailable"), what
    assert "temporarily unavailable" in problem["detail"], what


@contextlib.asynccontextmanager
async def services_on(
    server: MongoServer,
    rabbit: RabbitVhost,
    directory_settings: Callable[..., DirectorySettings],
) -> AsyncIterator[dict[str, Any]]:
    """The four services on the doomed server (a database each); the directory over HTTP,
    because the others fetch its token keys."""
    common: dict[str, Any] = {
        "environment": "test",
        "match_feedback_secret": MATCH_FEEDBACK_SECRET,
        "mongodb_url": server.url,
        "mongodb_timeout_ms": TIMEOUT_MS,
        "rabbitmq_url": rabbit.url,
        "outbox_poll_seconds": 0.2,
    }
    directory_app = create_directory(
        directory_settings(mongodb_url=server.url, mongodb_timeout_ms=TIMEOUT_MS)
    )
    async with (
        serving(directory_app) as directory_url,
        httpx.AsyncClient(base_url=directory_url) as directory,
    ):
        await until_ready(directory)
        common["directory_url"] = directory_url
        calendar_app = create_calendar(
            CalendarSettings(
                _env_file=None,
                mongodb_database=new_database_name(),
                import_poll_seconds=3600,
                **common,
            )
        )
        exchange_app = create_exchange(
            ExchangeSettings(_env_file=None, mongodb_database=new_database_name(), **common)
        )
        notifier_app = create_notifier(
            NotifierSettings(
                _env_file=None,
                mongodb_database=new_database_name(),
                signing_secret=SIGNING_SECRET,
                digest_check_seconds=3600,
                **common,
            )
        )
        async with (
            running(calendar_app) as calendar,
            running(exchange_app) as exchange,
            running(notifier_app) as notifier,
        ):
            issuer = directory_app.state.directory.issuer
            yield {
                "directory": directory,
                "directory_url": directory_url,
                "calendar": calendar.client,
                "exchange": exchange.client,
                "notifier": notifier.client,
                "admin": {"Authorization": f"Bearer {issuer.issue(new_id(), 'admin', [])}"},
            }


async def test_every_service_answers_503_with_retry_after_while_its_database_is_down(
    doomed_mongo: MongoServer,
    rabbit: RabbitVhost,
    directory_settings: Callable[..., DirectorySettings],
) -> None:
    organisation_id = new_id()
    async with services_on(doomed_mongo, rabbit, directory_settings) as up:
        admin = up["admin"]
        reads = [
            ("directory", "/organisations"),
            ("calendar", "/events"),
            ("exchange", "/offers"),
            ("exchange", "/requests"),
            ("notifier", "/subscriptions"),
        ]
        for service, path in reads:  # answered while the database is up
            answered = await up[service].get(path, headers=admin)
            assert answered.status_code == 200, f"{service} {path}: {answered.text}"
        listing = {
            "organisation_id": organisation_id,
            "category": "room",
            "title": "Gruppenraum für 20 Personen, abends frei",
            "district": "Nordstadt",
        }
        writes = [
            ("directory", "/organisations", {"name": "Kulturverein Aurora", "kind": "association"}),
            ("directory", "/auth/token", None),
            (
                "calendar",
                "/events",
                {
                    "organisation_id": organisation_id,
                    "title": "Kinderfest im Hoeschpark",
                    "starts_at": "2030-06-20T14:00:00+02:00",
                    "ends_at": "2030-06-20T17:00:00+02:00",
                },
            ),
            ("exchange", "/offers", listing),
            ("exchange", "/requests", listing),
            ("notifier", "/subscriptions", {"email": "someone@example.org", "topics": ["offers"]}),
        ]

        with recording() as logs:
            doomed_mongo.kill()

            for service, path in reads:
                answer = await up[service].get(path, headers=admin)
                assert_unavailable(answer, f"GET {service} {path}")
            for service, path, body in writes:
                if body is None:
                    answer = await up[service].post(
                        path, data={"username": "office@example.org", "password": "secret"}
                    )
                else:
                    answer = await up[service].post(path, json=body, headers=admin)
                assert_unavailable(answer, f"POST {service} {path}")

            portal = portal_app(directory_url=up["directory_url"])
            transport = httpx.ASGITransport(app=portal)
            async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as web:
                for path in ("/organisations", f"/organisations/{organisation_id}"):
                    shown = await web.get(path)
                    assert shown.status_code == 503, f"portal {path}: {shown.text[:300]}"
                    assert int(shown.headers["retry-after"]) > 0
                    assert shown.headers["content-type"].startswith("text/html")
                    assert "Vorübergehend nicht erreichbar" in shown.text
                    assert "Bitte versuchen Sie es in einigen Minuten erneut." in shown.text

        http_logs = logs.of("integrationsnetz.http")
        assert [r.getMessage() for r in http_logs if r.levelno >= logging.ERROR] == []
        assert all(r.exc_info is None for r in http_logs)
        warned = [r for r in http_logs if r.levelno == logging.WARNING]
        assert len(warned) >= len(reads) + len(writes)
        assert all("database unavailable" in r.getMessage() for r in warned)


async def test_a_query_timeout_while_handling_a_message_is_retried_not_given_up() -> None:
    """The consumer's retry-in-place covers every database-unavailable error, so a message is
    not counted as failing (and parked) because the database was slow or away."""
    attempts = 0

    async def handler() -> str:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ExecutionTimeout("operation exceeded time limit", code=50)
        return "handled"

    assert await while_database_unavailable(handler) == "handled"
    assert attempts == 2
