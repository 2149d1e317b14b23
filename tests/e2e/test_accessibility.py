"""Every page of the portal passes axe-core's WCAG 2.1 A/AA rules (what BITV 2.0 requires of a
municipal office) in a real browser: signed out, as a member of an organisation and as office
staff, on the demo network that `make up` loads."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext

from scripts import demo
from services.directory.settings import DirectorySettings
from tests.e2e.demo_stack import DemoServices, demo_services
from tests.integration.notifier_fixtures import NotifierFactory
from tests.support.axe import Violation, axe_violations, with_axe
from tests.support.browser import log_in
from tests.support.infra import RabbitVhost
from tests.support.members import member_with_password
from tests.support.portal import served_portal
from tests.support.portal_pages import visited_paths
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.support.services import log_in as api_log_in
from tests.support.waiting import eventually

MEMBER_EMAIL = "leyla@kulturbruecke.example.org"
MEMBER_PASSWORD = "Kulturbruecke-Nordstadt-2026"


async def network_ids(services: DemoServices) -> dict[str, str]:
    """Ids of the demo network's things, for the pages that show one; a member of the
    organisation with the demo's match, and a published report."""
    async with httpx.AsyncClient(base_url=services.directory_url) as directory:
        admin = await api_log_in(directory, ADMIN_EMAIL, ADMIN_PASSWORD)
        async with httpx.AsyncClient(headers=admin) as client:
            offers = (await client.get(f"{services.exchange_url}/offers")).json()["items"]
            request = (await client.get(f"{services.exchange_url}/requests")).json()["items"][0]
            event = (await client.get(f"{services.calendar_url}/events")).json()["items"][0]
            overview = (await client.get(f"{services.concept_url}/overview")).json()
            report = await client.post(
                f"{services.concept_url}/reports",
                json={"cut_off": dt.date.today().isoformat(), "title": "Zwischenstand"},
            )
            matched: list[dict[str, Any]] = []

            async def a_match() -> bool:
                for offer in offers:
                    found = await client.get(
                        f"{services.exchange_url}/matches",
                        params={"organisation": offer["organisation_id"]},
                    )
                    matched[:] = [{**m, "by": offer} for m in found.json()["items"]]
                    if matched:
                        return True
                return False

            await eventually(a_match)
        assert report.status_code == 201, report.text
        match = matched[0]
        offer = match["by"]
        await member_with_password(
            directory,
            admin,
            services.rabbit_url,
            offer["organisation_id"],
            email=MEMBER_EMAIL,
            name="Leyla Demir",
            password=MEMBER_PASSWORD,
        )
    return {
        "organisation_id": offer["organisation_id"],
        "offer_id": offer["id"],
        "request_id": request["id"],
        "event_id": event["event_id"],
        "measure_id": overview["measures"][0]["id"],
        "match_id": match["id"],
        "report_id": report.json()["id"],
    }


async def violations_on_every_page(
    context: BrowserContext, portal_url: str, paths: dict[str, str], role: str
) -> list[Violation]:
    page = await context.new_page()
    found: list[Violation] = []
    for route, path in paths.items():
        response = await page.goto(f"{portal_url}{path}")
        assert response is not None, (role, route)
        assert response.status < 500, (role, route, response.status)
        found += await axe_violations(page, f"{role} {route}")
    await page.close()
    return found


async def test_every_portal_page_passes_axe_signed_out_as_member_and_as_office(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    mongo_url: str,
    notifier_factory: NotifierFactory,
    browser: Browser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with demo_services(directory_settings, rabbit, mongo_url, monkeypatch) as services:
        assert await asyncio.to_thread(demo.main) == 0
        paths = visited_paths(await network_ids(services))
        async with (
            notifier_factory(directory_url=services.directory_url) as notifier,
            served_portal(
                directory_url=services.directory_url,
                exchange_url=services.exchange_url,
                calendar_url=services.calendar_url,
                concept_url=services.concept_url,
                notifier_url=notifier.url,
            ) as portal_url,
        ):
            found: list[Violation] = []
            for role, credentials in {
                "signed out": None,
                "member": (MEMBER_EMAIL, MEMBER_PASSWORD),
                "office": (ADMIN_EMAIL, ADMIN_PASSWORD),
            }.items():
                context = await with_axe(await browser.new_context(locale="de-DE"))
                if credentials:
                    page = await context.new_page()
                    await log_in(page, portal_url, *credentials)
                    await page.wait_for_url(f"{portal_url}/me")
                    await page.close()
                found += await violations_on_every_page(context, portal_url, paths, role)
                await context.close()
    assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(map(str, found))
