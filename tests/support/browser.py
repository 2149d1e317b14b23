"""What a person does in the portal in a real browser, again and again: logging in, filling in
a form, and sending a form the portal refuses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from playwright.async_api import Browser, BrowserContext, Page


async def log_in(page: Page, portal_url: str, email: str, password: str) -> None:
    """Fill in and send the portal's log-in form in `page` (the answer is not waited for)."""
    await page.goto(f"{portal_url}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", password)
    await page.click("main button[type=submit]")


async def logged_in_page(
    browser: Browser | BrowserContext, portal_url: str, email: str, password: str
) -> Page:
    """A new page of `browser` in which `email` has sent the portal's log-in form."""
    page = await browser.new_page()
    await log_in(page, portal_url, email, password)
    return page


async def fill_in(page: Page, typed: Mapping[str, str]) -> None:
    """Type each value into the field its selector names (in a `select`, choose that option)."""
    for selector, value in typed.items():
        if selector.startswith("select"):
            await page.select_option(selector, value)
        else:
            await page.fill(selector, value)


async def values_of(page: Page, selectors: Iterable[str]) -> dict[str, str]:
    """What the fields the selectors name hold now (to compare with what was typed)."""
    return {selector: await page.input_value(selector) for selector in selectors}


async def refused_form(page: Page, button: str = "main button[type=submit]") -> str:
    """Press `button` expecting the portal to refuse the form (422) with an alert on the page;
    returns the alert's text."""
    async with page.expect_response(lambda r: r.request.method == "POST") as refused:
        await page.click(button)
    assert (await refused.value).status == 422
    alert = page.locator("[role=alert]")
    await alert.wait_for()
    return await alert.inner_text()
