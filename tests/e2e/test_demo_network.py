"""`make up` on an empty system shows a living network: the demo loader, against real services."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from scripts import demo
from services.calendar.app import create_app as create_calendar
from services.calendar.settings import CalendarSettings
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.exchange.app import create_app as create_exchange
from services.exchange.settings import ExchangeSettings
from tests.conftest import new_database_name
from tests.support.infra import RabbitVhost
from tests.support.match_feedback import MATCH_FEEDBACK_SECRET
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, serving
from tests.support.waiting import until_ready


async def test_the_demo_loads_partners_listings_with_a_match_and_events_once(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    mongo_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    common: dict[str, Any] = {
        "_env_file": None,
        "environment": "test",
        "match_feedback_secret": MATCH_FEEDBACK_SECRET,
        "mongodb_url": mongo_url,
        "rabbitmq_url": rabbit.url,
        "outbox_poll_seconds": 0.2,
    }
    async with serving(create_directory(directory_settings())) as directory_url:
        exchange_app = create_exchange(
            ExchangeSettings(
                **common,
                mongodb_database=new_database_name(),
                directory_url=directory_url,
            )
        )
        calendar_app = create_calendar(
            CalendarSettings(
                **common,
                mongodb_database=new_database_name(),
                directory_url=directory_url,
            )
        )
        async with serving(exchange_app) as exchange_url, serving(calendar_app) as calendar_url:
            for url in (directory_url, exchange_url, calendar_url):
                async with httpx.AsyncClient(base_url=url) as client:
                    await until_ready(client)
            for name, value in {
                "DIRECTORY_URL": directory_url,
                "EXCHANGE_URL": exchange_url,
                "CALENDAR_URL": calendar_url,
                "ADMIN_EMAIL": ADMIN_EMAIL,
                "ADMIN_PASSWORD": ADMIN_PASSWORD,
            }.items():
                monkeypatch.setenv(name, value)

            assert await asyncio.to_thread(demo.main) == 0
            async with httpx.AsyncClient() as client:
                organisations = (await client.get(f"{directory_url}/organisations")).json()
                offers = (await client.get(f"{exchange_url}/offers")).json()
                requests_ = (await client.get(f"{exchange_url}/requests")).json()
                events = (await client.get(f"{calendar_url}/events")).json()
            assert organisations["total"] == len(demo.ORGANISATIONS)
            assert offers["total"] == 2
            assert requests_["total"] == 2
            assert {e["title"] for e in events["items"]} == {
                "Sprachcafé",
                "Kinderfußballturnier im Hoeschpark",
            }

            assert await asyncio.to_thread(demo.main) == 0  # a second start loads nothing
            async with httpx.AsyncClient() as client:
                again = (await client.get(f"{directory_url}/organisations")).json()
            assert again["total"] == len(demo.ORGANISATIONS)
