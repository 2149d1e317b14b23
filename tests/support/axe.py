"""axe-core in the real browser: the rules engine the accessibility tests run on every portal
page (WCAG 2.1 levels A and AA). `make axe` puts it in var/tools/axe; it is added to a browser
context as an init script (CDP, not a `<script>` element), so the portal's strict
Content-Security-Policy stays as it is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "var" / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: The rule set BITV 2.0 refers to: WCAG 2.1, levels A and AA.
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " " + n.failureSummary),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    page: str
    rule: str
    impact: str
    help: str
    nodes: tuple[str, ...]

    def __str__(self) -> str:
        where = "\n      ".join(self.nodes)
        return f"{self.page}: {self.rule} ({self.impact}) {self.help}\n      {where}"


async def with_axe(context: BrowserContext) -> BrowserContext:
    """`context` with axe-core loaded into each of its pages."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"axe-core is missing ({AXE_SCRIPT}): run `make axe`")
    await context.add_init_script(path=str(AXE_SCRIPT))
    return context


async def axe_violations(page: Page, label: str) -> list[Violation]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    found: list[dict[str, Any]] = await page.evaluate(RUN_AXE, list(WCAG_21_AA))
    return [
        Violation(label, v["id"], str(v["impact"]), v["help"], tuple(v["nodes"])) for v in found
    ]
