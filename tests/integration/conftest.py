"""Fixtures that start services against the real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from tests.conftest import new_database_name
from tests.support.infra import RabbitVhost
from tests.support.processes import ServiceProcess
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, RunningService, log_in, running

PORTAL = "http://portal.test"


@pytest.fixture
def directory_settings(
    rabbit: RabbitVhost, mongo_url: str, database_name: str, keys_dir: Path, storage_selfcheck: None
) -> Callable[..., DirectorySettings]:
    """Settings for a directory on this test's own database; keyword arguments override."""

    def make(**overrides: Any) -> DirectorySettings:
        return directory_settings_for(rabbit.url, mongo_url, keys_dir, database_name, **overrides)

    return make


def directory_settings_for(
    rabbitmq_url: str, mongo_url: str, keys_dir: Path, database: str, /, **overrides: Any
) -> DirectorySettings:
    """A directory's settings for tests (the office's account, fast outbox); keyword arguments
    override. The `directory_settings` fixture, for code that outlives one test."""
    values: dict[str, Any] = {
        "environment": "test",
        "mongodb_url": mongo_url,
        "mongodb_database": database,
        "rabbitmq_url": rabbitmq_url,
        "signing_key_file": str(keys_dir / "directory.pem"),
        "admin_email": ADMIN_EMAIL,
        "admin_password": ADMIN_PASSWORD,
        "public_base_url": PORTAL,
        "outbox_poll_seconds": 0.2,
        **overrides,
    }
    return DirectorySettings(_env_file=None, **values)


@pytest.fixture(scope="module")
async def module_directory(
    rabbit: RabbitVhost,
    mongo_url: str,
    keys_dir: Path,
    storage_selfcheck: None,
    mongo_client: AsyncMongoClient[dict[str, Any]],
) -> AsyncIterator[RunningService]:
    """One directory, on a database of its own, for all the tests of a module (for what they
    set up once and only read); the database is dropped afterwards."""
    database = new_database_name()
    settings = directory_settings_for(rabbit.url, mongo_url, keys_dir, database)
    async with running(create_directory(settings)) as service:
        yield service
    await mongo_client.drop_database(database)


@pytest.fixture
async def directory(
    directory_settings: Callable[..., DirectorySettings],
) -> AsyncIterator[RunningService]:
    async with running(create_directory(directory_settings())) as service:
        yield service


@pytest.fixture
async def admin(directory: RunningService) -> dict[str, str]:
    """Authorization headers of the office staff account."""
    return await log_in(directory.client, ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture
def processes() -> Iterator[list[ServiceProcess]]:
    """Services a test starts as processes of their own (append them); stopped afterwards."""
    started: list[ServiceProcess] = []
    yield started
    for process in started:
        process.stop()
