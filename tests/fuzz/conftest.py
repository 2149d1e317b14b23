"""The whole platform, started once for the fuzzing, authorisation and hostile-input suites."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import RUN_ID
from tests.fuzz.stack import Stack, full_stack
from tests.support.infra import RabbitVhost, create_vhost, delete_vhost


@pytest.fixture(scope="session")
def suites_vhost(rabbitmq_base_url: str) -> Iterator[RabbitVhost]:
    """A vhost of its own: nothing other tests publish reaches these services."""
    vhost = create_vhost(rabbitmq_base_url, f"inx-test-{RUN_ID}-suites")
    yield vhost
    delete_vhost(vhost)


@pytest.fixture(scope="session")
async def stack(
    suites_vhost: RabbitVhost, mongo_url: str, keys_dir: Path, storage_selfcheck: None
) -> AsyncIterator[Stack]:
    async with full_stack(suites_vhost.url, mongo_url, keys_dir) as running:
        yield running
