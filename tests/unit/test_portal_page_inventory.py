"""Every HTML page of the portal is in the accessibility tests' inventory, and nothing else."""

from __future__ import annotations

from services.portal.app import create_app
from tests.support.portal import portal_settings
from tests.support.portal_pages import PAGES, html_pages


def test_every_portal_page_has_an_accessibility_run() -> None:
    pages = html_pages(create_app(portal_settings()))

    assert sorted(pages - PAGES.keys()) == [], "pages without an axe run: add them to PAGES"
    assert sorted(PAGES.keys() - pages) == [], "PAGES names routes the portal no longer has"
