"""Every page of the portal passes axe-core's WCAG 2.1 A/AA rules (what BITV 2.0 requires of a
municipal office) in a real browser: signed out, as a member of an organisation and as office
staff, on the demo network that `make up` loads — in German and in Arabic (right to left) — and
each page reflows into 320 CSS pixels without scrolling sideways (a screenshot of each page, wide
and narrow, in the test's output)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, ViewportSize

from tests.e2e.demo_stack import MEMBER_EMAIL, MEMBER_PASSWORD, DemoPortal
from tests.support.axe import Violation, axe_violations, with_axe
from tests.support.browser import log_in
from tests.support.portal_pages import visited_paths
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD

NARROW = ViewportSize(width=320, height=640)
WIDE_SCREEN = ViewportSize(width=1280, height=720)
WIDE = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
#: The elements that stick out to the right (left in Arabic), to say which ones.
STICKING_OUT = """() => [...document.querySelectorAll("body *")].filter((el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return false;
    }
    const box = el.getBoundingClientRect();
    return box.right > document.documentElement.clientWidth + 1 || box.left < -1;
  }).slice(0, 4).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
    + (el.name ? "[" + el.name + "]" : ""))"""


async def violations_on_every_page(
    context: BrowserContext,
    portal_url: str,
    paths: dict[str, str],
    role: str,
    shots: Path | None,
) -> list[Violation]:
    page = await context.new_page()
    found: list[Violation] = []
    for route, path in paths.items():
        response = await page.goto(f"{portal_url}{path}")
        assert response is not None, (role, route)
        assert response.status < 500, (role, route, response.status)
        found += await axe_violations(page, f"{role} {route}")
        name = route.replace("/", "_").replace(" ", "-").strip("_") or "home"
        if shots:
            await page.screenshot(path=str(shots / f"{name}.png"))
        # WCAG 1.4.10: at 320 CSS px (a 1280 px window at 400 %) nothing scrolls sideways
        await page.set_viewport_size(NARROW)
        overflow: int = await page.evaluate(WIDE)
        if overflow > 0:
            sticking_out: list[str] = await page.evaluate(STICKING_OUT)
            found.append(
                Violation(
                    f"{role} {route}",
                    "reflow-320",
                    "serious",
                    f"{overflow} px wider than 320 px",
                    tuple(sticking_out),
                )
            )
        if shots:
            await page.screenshot(path=str(shots / f"320-{name}.png"), full_page=True)
        await page.set_viewport_size(WIDE_SCREEN)
    await page.close()
    return found


async def violations_on_a_refused_form(
    context: BrowserContext, portal_url: str, role: str
) -> list[Violation]:
    """A form sent back with its errors: the summary, the marked fields, their hints."""
    page = await context.new_page()
    await page.goto(f"{portal_url}/offers/new")
    organisations = await page.eval_on_selector_all(
        "select[name=organisation_id] option", "options => options.map(o => o.value)"
    )
    await page.select_option("select[name=organisation_id]", next(o for o in organisations if o))
    await page.select_option("select[name=category]", "furniture")
    await page.fill("input[name=title]", "Zwölf Stühle")
    await page.fill("input[name=languages]", "Deutsch")  # a name, not a language tag
    async with page.expect_response(lambda r: r.request.method == "POST") as refused:
        await page.click("main button[type=submit]")
    assert (await refused.value).status == 422
    await page.wait_for_selector("[role=alert]")
    found = await axe_violations(page, f"{role} /offers/new refused")
    await page.close()
    return found


#: The languages every page is checked in, and the direction their pages run.
LANGUAGES = {"de-DE": "ltr", "ar": "rtl"}
ROLES = {
    "signed out": None,
    "member": (MEMBER_EMAIL, MEMBER_PASSWORD),
    "office": (ADMIN_EMAIL, ADMIN_PASSWORD),
}


# some 110 pages a language, each checked wide and narrow: more than the suite's 120 s per test
@pytest.mark.timeout(300)
@pytest.mark.parametrize("locale", list(LANGUAGES))
async def test_every_portal_page_passes_axe_signed_out_as_member_and_as_office(
    demo_portal: DemoPortal, browser: Browser, tmp_path: Path, locale: str
) -> None:
    paths = visited_paths(demo_portal.ids)
    # the three callers browse side by side, each in a browser context of its own; the pages
    # only read, and the refused form stores nothing
    found = await asyncio.gather(
        *(
            violations_as(demo_portal.portal_url, browser, locale, role, paths, tmp_path)
            for role in ROLES
        )
    )
    assert not any(found), "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(
        str(violation) for of_role in found for violation in of_role
    )


async def violations_as(
    portal_url: str,
    browser: Browser,
    locale: str,
    role: str,
    paths: dict[str, str],
    tmp_path: Path,
) -> list[Violation]:
    """Every page as `role` sees it in `locale`, and (signed in) a refused form."""
    credentials = ROLES[role]
    context = await with_axe(await browser.new_context(locale=locale, viewport=WIDE_SCREEN))
    if credentials:
        page = await context.new_page()
        await log_in(page, portal_url, *credentials)
        await page.wait_for_url(f"{portal_url}/me")
        await page.close()
    page = await context.new_page()
    await page.goto(portal_url)
    assert await page.get_attribute("html", "dir") == LANGUAGES[locale]
    await page.close()
    # screenshots of every page signed out, wide and narrow, in each language
    shots = tmp_path if credentials is None else None
    found = await violations_on_every_page(context, portal_url, paths, f"{locale} {role}", shots)
    if credentials:
        found += await violations_on_a_refused_form(context, portal_url, f"{locale} {role}")
    await context.close()
    return found
