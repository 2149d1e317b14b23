"""The runtime is the one place that creates a service's consumer queues: by purpose, named
`<service>.<purpose>`, each once, and only before the consumers run."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.contracts.base import CloudEvent
from shared.contracts.directory import OrganisationRegistered
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings


@pytest.fixture
async def runtime() -> AsyncIterator[ServiceRuntime]:
    built = ServiceRuntime(ServiceSettings(_env_file=None, service_name="testsvc"))
    yield built  # never started: nothing connects
    await built.mongo.close()


async def ignore(_payload: OrganisationRegistered, _event: CloudEvent) -> None:
    return None


async def test_a_queue_is_named_after_the_service_and_its_purpose_and_made_once(
    runtime: ServiceRuntime,
) -> None:
    first = runtime.queue("directory-events")
    first.on(OrganisationRegistered)(ignore)

    assert runtime.queue("directory-events") is first
    assert [s.queue_name for s in runtime.subscriptions] == ["testsvc.directory-events"]
    binding = first.binding()
    assert (binding.queue.name, binding.exchange.name, binding.routing_keys) == (
        "testsvc.directory-events",
        "integrationsnetz.events",
        ("directory.organisation.registered",),
    )


async def test_a_service_without_queues_consumes_nothing(runtime: ServiceRuntime) -> None:
    runtime.register_consumers()

    assert runtime.subscriptions == ()


async def test_no_queue_can_be_added_once_the_consumers_run(runtime: ServiceRuntime) -> None:
    runtime.queue("directory-events").on(OrganisationRegistered)(ignore)
    runtime.register_consumers()

    with pytest.raises(RuntimeError, match="already running"):
        runtime.queue("matching")
