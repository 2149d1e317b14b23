"""The demo network on real services: the directory, calendar, exchange and concept served
over HTTP on the run's broker and database server, with the environment the demo loader
(`scripts/demo.py`, what `make up` runs) reads to reach them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.calendar.app import create_app as create_calendar
from services.calendar.settings import CalendarSettings
from services.concept.app import create_app as create_concept
from services.concept.settings import ConceptSettings
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.exchange.app import create_app as create_exchange
from services.exchange.settings import ExchangeSettings
from tests.conftest import new_database_name
from tests.support.infra import RabbitVhost
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, serving
from tests.support.waiting import until_ready


@dataclass(frozen=True)
class DemoServices:
    directory_url: str
    exchange_url: str
    calendar_url: str
    concept_url: str
    rabbit_url: str


@contextlib.asynccontextmanager
async def demo_services(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    mongo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[DemoServices]:
    """The four services the demo loads into, ready, each on a database of its own."""
    common: dict[str, Any] = {
        "_env_file": None,
        "environment": "test",
        "match_feedback_secret": MATCH_FEEDBACK_SECRET,
        "mongodb_url": mongo_url,
        "rabbitmq_url": rabbit.url,
        "outbox_poll_seconds": 0.2,
    }
    async with serving(create_directory(directory_settings())) as directory_url:

        def own(settings: type[Any]) -> Any:
            """Settings of a service behind the directory, on a database of its own."""
            return settings(
                **common, directory_url=directory_url, mongodb_database=new_database_name()
            )

        apps = [
            create_exchange(own(ExchangeSettings)),
            create_calendar(own(CalendarSettings)),
            create_concept(own(ConceptSettings)),
        ]
        async with (
            serving(apps[0]) as exchange_url,
            serving(apps[1]) as calendar_url,
            serving(apps[2]) as concept_url,
        ):
            for url in (directory_url, exchange_url, calendar_url, concept_url):
                async with httpx.AsyncClient(base_url=url) as client:
                    await until_ready(client)
            for name, value in {
                "DIRECTORY_URL": directory_url,
                "EXCHANGE_URL": exchange_url,
                "CALENDAR_URL": calendar_url,
                "CONCEPT_URL": concept_url,
                "ADMIN_EMAIL": ADMIN_EMAIL,
                "ADMIN_PASSWORD": ADMIN_PASSWORD,
            }.items():
                monkeypatch.setenv(name, value)
            yield DemoServices(directory_url, exchange_url, calendar_url, concept_url, rabbit.url)
