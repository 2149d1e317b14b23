"""An Arabic-speaking newcomer and a Ukrainian association read an organisation's page in a
real browser: the browser's language is taken, Arabic is laid out right to left, and the
switcher (a form, no script) changes the language for the following pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page

from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from tests.support.portal import served_portal
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, serving
from tests.support.waiting import until_ready


async def test_an_organisations_page_reads_right_to_left_in_arabic_and_switches_to_ukrainian(
    directory_settings: Callable[..., DirectorySettings], browser: Browser, tmp_path: Path
) -> None:
    async with serving(create_directory(directory_settings())) as directory_url:
        organisation_id = await _register_an_organisation(directory_url)
        async with served_portal(directory_url=directory_url) as portal_url:
            context = await browser.new_context(
                locale="ar-SY", viewport={"width": 1000, "height": 800}
            )
            page = await context.new_page()
            opened = await page.goto(f"{portal_url}/organisations/{organisation_id}")
            assert opened is not None
            assert opened.status == 200, await opened.text()

            await page.wait_for_selector("html[lang=ar][dir=rtl]", state="attached")
            await page.wait_for_selector("h1:has-text('Ukrainischer Verein Nordstadt')")
            assert await page.locator("header nav a").first.inner_text() == "المنظمات"
            assert "منظمة مهاجرين" in await page.inner_text("main")  # its kind, in Arabic
            # right to left: the brand stands at the right edge, a line's words start there
            assert await _centre_x(page, "header a.brand") > 500
            assert await _centre_x(page, "main span.tag") > 500
            await page.screenshot(path=str(tmp_path / "organisation-ar.png"), full_page=True)

            await page.click("form.languages button[value=uk]")
            await page.wait_for_selector("html[lang=uk]")
            assert page.url == f"{portal_url}/organisations/{organisation_id}"
            assert await page.get_attribute("html", "dir") == "ltr"
            assert await page.locator("header nav a").first.inner_text() == "Організації"
            assert "Організація мігрантів" in await page.inner_text("main")
            assert await _centre_x(page, "header a.brand") < 500
            assert await _centre_x(page, "main span.tag") < 500
            await page.screenshot(path=str(tmp_path / "organisation-uk.png"), full_page=True)

            # the choice is remembered: the next page is Ukrainian too, whatever the browser says
            await page.click("header nav a[href='/organisations']")
            await page.wait_for_selector("h1:has-text('Організації')")
            await context.close()
    assert (tmp_path / "organisation-ar.png").stat().st_size > 0
    assert (tmp_path / "organisation-uk.png").stat().st_size > 0


async def _register_an_organisation(directory_url: str) -> str:
    async with httpx.AsyncClient(base_url=directory_url) as api:
        await until_ready(api)
        answer = await api.post(
            "/auth/token", data={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        )
        admin = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        registered = await api.post(
            "/organisations",
            json={
                "name": "Ukrainischer Verein Nordstadt",
                "kind": "migrant_organisation",
                "description": "Beratung und Treffpunkt für Familien aus der Ukraine.",
                "languages": ["uk", "de"],
                "district": "Nordstadt",
            },
            headers=admin,
        )
        assert registered.status_code == 201
        organisation_id: str = registered.json()["id"]
        return organisation_id


async def _centre_x(page: Page, selector: str) -> float:
    box = await page.locator(selector).first.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2
