"""Fixtures that start services against the real broker and database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from tests.support.infra import RabbitVhost
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, RunningService, log_in, running

PORTAL = "http://portal.test"


@pytest.fixture
def directory_settings(
    rabbit: RabbitVhost, mongo_url: str, database_name: str, keys_dir: Path, storage_selfcheck: None
) -> Callable[..., DirectorySettings]:
    """Settings for a directory on this test's own database; keyword arguments override."""

    def make(**overrides: Any) -> DirectorySettings:
        values: dict[str, Any] = {
            "environment": "test",
            "mongodb_url": mongo_url,
            "mongodb_database": database_name,
            "rabbitmq_url": rabbit.url,
            "signing_key_file": str(keys_dir / "directory.pem"),
            "admin_email": ADMIN_EMAIL,
            "admin_password": ADMIN_PASSWORD,
            "public_base_url": PORTAL,
            "outbox_poll_seconds": 0.2,
        }
        values.update(overrides)
        return DirectorySettings(_env_file=None, **values)

    return make


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
