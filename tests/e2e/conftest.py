"""Fixtures of the end-to-end tests: the directory's settings and a real browser (Debian's
Chromium driven by Playwright; Playwright's own browser download is not used).

The browser speaks German (`de-DE`, its Accept-Language) unless a test opens a context with
another locale: the portal answers in the browser's language, and these tests read German."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.e2e.demo_stack import demo_portal
from tests.integration.conftest import directory_settings

__all__ = ["browser", "demo_portal", "directory_settings"]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=de-DE",
]
#: The language every browser context of these tests speaks unless it names another.
BROWSER_LOCALE = "de-DE"


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if candidate and shutil.which(candidate):
            return candidate
    pytest.fail("Chromium is missing: run `make browser` (Debian: apt-get install chromium)")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS
        )
        speaking_german(launched)
        yield launched
        await launched.close()


def speaking_german(browser: Browser) -> None:
    """New contexts and pages of `browser` speak `BROWSER_LOCALE` unless told otherwise."""
    new_context, new_page = browser.new_context, browser.new_page

    async def context_in_german(**options: Any) -> BrowserContext:
        options.setdefault("locale", BROWSER_LOCALE)
        return await new_context(**options)

    async def page_in_german(**options: Any) -> Page:
        options.setdefault("locale", BROWSER_LOCALE)
        return await new_page(**options)

    # Browser's methods are fixed by Playwright; the defaults are set on this one instance
    setattr(browser, "new_context", context_in_german)  # noqa: B010
    setattr(browser, "new_page", page_in_german)  # noqa: B010
