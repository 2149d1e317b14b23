"""Fixtures for the whole suite: the real broker, database and SMTP server, and the services."""

from __future__ import annotations

import itertools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic_settings import BaseSettings
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import create_mongo_client
from tests.support.infra import (
    ROOT,
    MissingServerError,
    RabbitVhost,
    create_vhost,
    delete_vhost,
    embedded_mongo,
)
from tests.support.storage import format_failures, run_storage_selfcheck

#: The fixture modules of the services' stacks, for every test that names one of their fixtures
#: (registered once here, so no test module imports fixtures for pytest to find them).
pytest_plugins = [
    "tests.support.broker_accounts",
    "tests.support.mail",
    # before the calendar's and the concept's: they use it
    "tests.integration.directory_fixtures",
    "tests.integration.calendar_fixtures",
    "tests.integration.exchange_fixtures",
    "tests.integration.browse_fixtures",
    # after the exchange's: it uses them
    "tests.integration.concept_fixtures",
    "tests.integration.feed_fixtures",
    "tests.integration.notifier_fixtures",
]

RUN_ID = uuid.uuid4().hex[:8]
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def run_id() -> str:
    return RUN_ID


@pytest.fixture(scope="session")
def rabbitmq_base_url() -> str:
    return os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


@pytest.fixture(scope="session")
def rabbit(rabbitmq_base_url: str) -> Iterator[RabbitVhost]:
    """A RabbitMQ vhost for this test run."""
    try:
        vhost = create_vhost(rabbitmq_base_url, f"inx-test-{RUN_ID}")
    except MissingServerError as exc:
        pytest.exit(f"RabbitMQ missing: {exc}", returncode=3)
    yield vhost
    delete_vhost(vhost)


@pytest.fixture
def fresh_vhost(rabbitmq_base_url: str) -> Iterator[RabbitVhost]:
    """A vhost for one test that must see a queue nobody else writes to."""
    vhost = create_vhost(rabbitmq_base_url, f"inx-test-{RUN_ID}-{uuid.uuid4().hex[:6]}")
    yield vhost
    delete_vhost(vhost)


@pytest.fixture(scope="session")
def mongo_url() -> Iterator[str]:
    """MONGODB_URL if given (e.g. a real MongoDB), else nx-27017 started for this run."""
    given = os.environ.get("MONGODB_URL")
    if given:
        yield given
        return
    data_dir = ROOT / "var" / "test" / RUN_ID
    try:
        with embedded_mongo(data_dir) as url:
            yield url
    except MissingServerError as exc:
        pytest.exit(f"MongoDB-protocol server missing: {exc}", returncode=3)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def mongo_client(mongo_url: str) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client = create_mongo_client(mongo_url, app_name="tests")
    try:
        await client.admin.command("ping")
    except Exception as exc:
        pytest.exit(f"MongoDB-protocol server at {mongo_url} does not answer: {exc}", returncode=3)
    yield client
    await client.close()


def new_database_name() -> str:
    return f"t{RUN_ID}_{next(_databases)}"


def behind_the_directory(mongo_url: str, rabbit_url: str, directory_url: str) -> dict[str, Any]:
    """The settings every service under test starts from: a database of its own on the test
    server, the run's vhost, the directory that signs its tokens, a fast outbox poll."""
    return {
        "environment": "test",
        "mongodb_url": mongo_url,
        "mongodb_database": new_database_name(),
        "rabbitmq_url": rabbit_url,
        "directory_url": directory_url,
        "outbox_poll_seconds": 0.2,
    }


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def settings_behind_the_directory(
    settings_class: type[SettingsT], mongo_url: str, rabbit_url: str, **defaults: Any
) -> Callable[..., SettingsT]:
    """Makes a service's settings for the directory at the URL it is called with: those of
    `behind_the_directory`, then `defaults`, then the call's keyword arguments."""

    def make(directory_url: str, **overrides: Any) -> SettingsT:
        values = behind_the_directory(mongo_url, rabbit_url, directory_url)
        return settings_class(_env_file=None, **{**values, **defaults, **overrides})

    return make


@pytest.fixture(scope="session")
async def storage_selfcheck(mongo_client: AsyncMongoClient[dict[str, Any]]) -> None:
    """Fails every storage-touching test loudly when the server breaks an assumption."""
    db = mongo_client[f"t{RUN_ID}_selfcheck"]
    results = await run_storage_selfcheck(db)
    failures = [r for r in results if not r.ok]
    if failures:
        pytest.fail(
            "The MongoDB-protocol server breaks assumptions the code relies on:\n"
            + format_failures(results),
            pytrace=False,
        )


@pytest.fixture
async def mongo_db(
    mongo_client: AsyncMongoClient[dict[str, Any]], storage_selfcheck: None
) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    name = new_database_name()
    yield mongo_client[name]
    await mongo_client.drop_database(name)


@pytest.fixture
def database_name() -> str:
    return new_database_name()


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")
