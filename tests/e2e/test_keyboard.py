"""Someone who cannot use a mouse does the main things in the portal with the keyboard alone:
skips to the content, logs in, posts an offer, puts an event in the calendar and follows the
network by email. Every control passed shows its focus, and no page holds the focus."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.async_api import Browser, Page

from services.portal.i18n import translations
from tests.e2e.demo_stack import MEMBER_EMAIL, MEMBER_PASSWORD, DemoPortal
from tests.support.keyboard import date_keys, focused, tab_through, tab_to


def said(locale: str, german: str) -> str:
    """What the portal says for a German text in the browser's language."""
    return translations(locale[:2]).gettext(german)


async def choose_with_arrows(page: Page, selector: str, value: str, most: int = 40) -> None:
    """Move through a focused closed list with the arrow key until `value` is chosen (typing a
    label's first letters works too, but not for every script)."""
    for _ in range(most):
        if await page.input_value(selector) == value:
            return
        await page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not reached in {selector} with the arrow key")


async def press_on(page: Page, selector: str, key: str = "Enter") -> None:
    await tab_to(page, selector)
    await page.keyboard.press(key)


async def type_into(page: Page, selector: str, text: str) -> None:
    await tab_to(page, selector)
    await page.keyboard.type(text)


#: The languages walked (German, Arabic right to left, Ukrainian), one after the other on
#: the same network: each puts its event on a day of its own.
WALKED = ("de-DE", "ar", "uk")


async def test_log_in_post_an_offer_put_an_event_in_the_calendar_and_follow_by_keyboard(
    demo_portal: DemoPortal, browser: Browser, tmp_path: Path
) -> None:
    for n, locale in enumerate(WALKED):
        shots = tmp_path / locale
        shots.mkdir()
        await walk(browser, demo_portal.portal_url, locale, shots, 40 + n)


async def walk(browser: Browser, portal_url: str, locale: str, tmp_path: Path, days: int) -> None:
    """The four stories in `locale`; the event `days` from today. Screenshots in `tmp_path`."""
    context = await browser.new_context(locale=locale)
    page = await context.new_page()
    await page.goto(portal_url)
    assert await tab_through(page) > 5

    # the first Tab offers to skip the navigation
    await page.goto(portal_url)
    await page.keyboard.press("Tab")
    skip = await focused(page) or {}
    assert skip.get("href") == "#inhalt"
    assert skip.get("text") == said(locale, "Zum Inhalt springen")
    await page.screenshot(path=str(tmp_path / "skip-link.png"))
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "inhalt"

    # log in
    await press_on(page, "a[href='/login']")
    await page.wait_for_url(re.compile(r"/login$"))
    assert await tab_through(page) > 3
    await type_into(page, "input[name=email]", MEMBER_EMAIL)
    await type_into(page, "input[name=password]", MEMBER_PASSWORD)
    await press_on(page, "main button[type=submit]")
    await page.wait_for_url(re.compile(r"/me$"))
    assert await tab_through(page) > 5

    # post an offer
    await press_on(page, "main a[href^='/offers/new']")
    await page.wait_for_url(re.compile(r"/offers/new"))
    assert await tab_through(page) > 5
    await tab_to(page, "select[name=category]")
    await choose_with_arrows(page, "select[name=category]", "language_partner")
    assert await page.input_value("select[name=category]") == "language_partner"
    await type_into(page, "input[name=title]", "Deutsch am Nachmittag")
    await type_into(page, "textarea[name=description]", "Zweimal pro Woche im Treff.")
    await type_into(page, "input[name=languages]", "de, tr")
    await type_into(page, "input[name=district]", "Nordstadt")
    await page.screenshot(path=str(tmp_path / "offer-form.png"), full_page=True)
    await press_on(page, "main button[type=submit]")
    await page.wait_for_url(re.compile(r"/offers/[0-9a-f-]{36}$"))
    assert await page.inner_text("h1") == "Deutsch am Nachmittag"

    # put an event in the calendar
    await press_on(page, "header a[href='/me']")
    await page.wait_for_url(re.compile(r"/me$"))
    await press_on(page, "main a[href^='/events/new']")
    await page.wait_for_url(re.compile(r"/events/new"))
    assert await tab_through(page) > 5
    day = dt.date.today() + dt.timedelta(days=days)
    await type_into(page, "input[name=title]", "Elterncafé")
    await type_into(page, "input[name=date]", await date_keys(page, day))
    await type_into(page, "input[name=starts]", "1630")
    await type_into(page, "input[name=ends]", "1800")
    await type_into(page, "input[name=venue_name]", "Familienzentrum Süd")
    assert await page.input_value("input[name=date]") == day.isoformat()
    await press_on(page, "main button[type=submit]")
    await page.wait_for_url(re.compile(r"/events/[0-9a-f-]{36}$"))
    assert await page.inner_text("h1") == "Elterncafé"

    # follow the network by email
    await press_on(page, "header a[href='/benachrichtigungen']")
    await page.wait_for_url(re.compile(r"/benachrichtigungen$"))
    assert await tab_through(page) > 5
    await type_into(page, "input[name=email]", "nachbarin@example.org")
    await press_on(page, "input[name=topics]", " ")
    assert await page.is_checked("input[name=topics]")
    async with page.expect_response(lambda r: r.request.method == "POST") as sent:
        await press_on(page, "main button[type=submit]")
    assert (await sent.value).status == 200
    await page.wait_for_selector("main h1")
    await page.screenshot(path=str(tmp_path / "followed.png"), full_page=True)
    await context.close()
