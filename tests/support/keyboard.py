"""Moving through a page with the keyboard alone, as someone who cannot use a mouse does: Tab
from control to control, checking on the way that each one shows where the focus is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.async_api import Page

#: What the focused element is, and whether its focus can be seen (an outline or a shadow).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    tag: el.tagName.toLowerCase(),
    name: el.getAttribute("name"),
    href: el.getAttribute("href"),
    text: (el.innerText || el.value || "").trim().slice(0, 60),
    visible: outline || style.boxShadow !== "none",
  };
}"""


async def focused(page: Page) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await page.evaluate(FOCUSED)
    return found


async def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has the focus; every element passed on
    the way must show its focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        now = await focused(page)
        if now is not None:
            assert now["visible"], f"the focus cannot be seen on {now} ({page.url})"
        if await page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"{selector} not reached with Tab within {limit} presses on {page.url}")


#: The controls of the page a keyboard reaches with Tab: focusable, enabled and shown; of a
#: group of radio buttons the checked one (or the first), the others are reached by arrow keys.
CONTROLS = """[...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]"
  )].filter((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden")
  .filter((el) => {
    if (el.type !== "radio") return true;
    const group = [...document.querySelectorAll(`input[type=radio][name="${el.name}"]`)];
    const checked = group.find((r) => r.checked);
    return checked ? el === checked : el === group[0];
  })"""
REACHABLE = f"() => {CONTROLS}.length"
MISSED = (
    f"() => {CONTROLS}.filter((el) => !el.dataset.tabbed).map((el) => el.outerHTML.slice(0, 120))"
)

MARK = "() => { const el = document.activeElement; if (!el || el === document.body) return 0;"
MARK += " if (!el.dataset.tabbed) el.dataset.tabbed = String(Object.keys(window.__tabbed ||= {})"
MARK += ".length + 1); window.__tabbed[el.dataset.tabbed] = 1; return Number(el.dataset.tabbed); }"


async def tab_through(page: Page, limit: int = 300) -> int:
    """Tab from the top of the page until the focus leaves it or comes round to the first
    control again (browsers differ); fails if it never does (a keyboard trap) or if a control
    of the page was never reached. Returns the number of controls passed."""
    await page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    reachable: int = await page.evaluate(REACHABLE)
    passed: set[int] = set()
    first = None
    for _ in range(limit):
        await page.keyboard.press("Tab")
        now = await focused(page)
        mark: int = await page.evaluate(MARK)
        first = first or mark
        # a date or time field takes a Tab per part (day, month, year): the same control again
        if now is None or (mark == first and len(passed) > 1):
            missed = await page.evaluate(MISSED)
            assert len(passed) == reachable, (
                f"{len(passed)} of the {reachable} controls of {page.url} reached with Tab;"
                f" not reached: {missed}"
            )
            return len(passed)
        assert now["visible"], f"the focus cannot be seen on {now} ({page.url})"
        passed.add(mark)
    raise AssertionError(f"the focus stays on {page.url} after {limit} presses of Tab")


async def date_keys(page: Page, day: dt.date) -> str:
    """What to type into a date field for `day`: the browser's own order of day, month and
    year (from its language, not the page's), found out on a scratch page."""
    probe = await page.context.new_page()
    await probe.set_content('<input type="date">')
    await probe.focus("input")
    await probe.keyboard.type("16012027")
    day_first = await probe.input_value("input") == "2027-01-16"
    await probe.close()
    return day.strftime("%d%m%Y" if day_first else "%m%d%Y")
