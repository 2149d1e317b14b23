"""A mail server's refusal quotes the recipient's address; the notifier's logs, its delivery log
and its events keep the reason but never the address."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from services.notifier.domain import DeliveryStatus
from services.notifier.retention import confirmation_delivery_id
from tests.integration.notifier_fixtures import NotifierFactory
from tests.support.infra import free_port
from tests.support.mail import tagged
from tests.support.waiting import eventually as wait_until


class RefusingServer:
    """Refuses every recipient for good, quoting the address as real servers do."""

    async def handle_RCPT(  # noqa: N802 (aiosmtpd hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


@pytest.fixture
def refusing_port() -> Iterator[int]:
    controller = Controller(RefusingServer(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port
    controller.stop()


async def test_a_refused_recipient_is_logged_with_the_reason_but_without_the_address(
    notifier_factory: NotifierFactory, refusing_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # the service's loggers write JSON to stderr and do not propagate: listen on them too
    service_logs = logging.getLogger("integrationsnetz")
    service_logs.addHandler(caplog.handler)
    try:
        await refused_and_logged(notifier_factory, refusing_port, caplog)
    finally:
        service_logs.removeHandler(caplog.handler)


async def refused_and_logged(
    notifier_factory: NotifierFactory, refusing_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    reader = tagged("unbekannt")
    async with notifier_factory(smtp_port=refusing_port, max_attempts=2) as notifier:
        created = await notifier.client.post(
            "/subscriptions", json={"email": reader, "topics": ["offers"]}
        )
        assert created.status_code == 201, created.text
        key = confirmation_delivery_id(created.json()["id"], reader)
        store = notifier.service.store

        async def given_up() -> bool:
            delivery = await store.delivery(key)
            return delivery is not None and delivery.status is DeliveryStatus.FAILED

        await wait_until(given_up)
        delivery = await store.delivery(key)
        assert delivery is not None
        assert delivery.last_error is not None
        assert "550 5.1.1" in delivery.last_error
        assert reader not in delivery.last_error
        outbox = [
            doc async for doc in notifier.app.state.runtime.db["deliveries"].find({"_id": key})
        ]
        assert reader not in str(outbox[0].get("outbox", []))

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "550 5.1.1" in logged
    assert reader not in logged
    assert reader.split("@")[0] not in logged
