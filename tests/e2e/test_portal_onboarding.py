"""A new member's first steps in a real browser: invitation link → password → log-in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.async_api import Browser

from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.portal.app import create_app as create_portal
from services.portal.settings import PortalSettings
from shared.contracts.base import COMMANDS_EXCHANGE
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, serving
from tests.support.waiting import until_ready


async def test_an_invited_member_sets_a_password_in_the_browser_and_sees_their_organisation(
    directory_settings: Callable[..., DirectorySettings],
    rabbit: RabbitVhost,
    browser: Browser,
    tmp_path: Path,
) -> None:
    async with serving(create_directory(directory_settings())) as directory_url:
        portal = create_portal(PortalSettings(_env_file=None, directory_url=directory_url))
        async with serving(portal) as portal_url:
            await _story(directory_url, portal_url, rabbit, browser, tmp_path)


async def _story(
    directory_url: str, portal_url: str, rabbit: RabbitVhost, browser: Browser, tmp_path: Path
) -> None:
    async with httpx.AsyncClient(base_url=directory_url) as api:
        await until_ready(api)
        token = (
            await api.post(
                "/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
        ).json()["access_token"]
        admin = {"Authorization": f"Bearer {token}"}
        org = (
            await api.post(
                "/organisations",
                json={"name": "Centro Cultural Hispano", "kind": "migrant_organisation"},
                headers=admin,
            )
        ).json()
        async with StreamTap(rabbit.url, COMMANDS_EXCHANGE, ("notifier.email.send",)) as tap:
            invited = await api.post(
                f"/organisations/{org['id']}/members",
                json={"email": "lucia@centro-hispano.example", "name": "Lucía Pérez"},
                headers=admin,
            )
            assert invited.status_code == 201
            [command] = await tap.wait_for("notifier.email.send")
    link = command["data"]["params"]["link"]
    # the directory builds links to the portal's page; open that page on the portal under test
    assert link.startswith("http://portal.test/set-password?token=")
    path = link.split("/set-password", 1)[1]

    page = await browser.new_page()
    await page.goto(f"{portal_url}/set-password{path}")
    await page.fill("input[name=password]", "Hola-Integrationsnetz-2026")
    await page.fill("input[name=password_repeated]", "Hola-Integrationsnetz-2026")
    await page.click("main button[type=submit]")
    await page.wait_for_selector("text=Passwort gespeichert")

    await page.goto(f"{portal_url}/login")
    await page.fill("input[name=email]", "lucia@centro-hispano.example")
    await page.fill("input[name=password]", "Hola-Integrationsnetz-2026")
    await page.click("main button[type=submit]")
    await page.wait_for_selector("h2:has-text('Centro Cultural Hispano')")
    assert "Lucía Pérez" in await page.inner_text("h1")
    await page.screenshot(path=str(tmp_path / "me.png"), full_page=True)

    # the same link does not work twice
    await page.goto(f"{portal_url}/set-password{path}")
    await page.fill("input[name=password]", "Noch-ein-Passwort-2026")
    await page.fill("input[name=password_repeated]", "Noch-ein-Passwort-2026")
    await page.click("main button[type=submit]")
    await page.wait_for_selector("text=ungültig oder wurde schon benutzt")
    assert json.dumps(command["data"]["template"]) == '"invitation"'
