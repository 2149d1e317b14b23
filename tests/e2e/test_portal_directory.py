"""The office registers a new partner organisation in the portal in a real browser and invites
its first member; the invitation really goes out by email, and the member, once her password is
set, changes her organisation's description herself."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page

from tests.integration.conftest import PORTAL
from tests.integration.notifier_fixtures import NotifierFactory, ServedDirectory
from tests.support.browser import fill_in, refused_form, values_of
from tests.support.browser import log_in as send_log_in
from tests.support.mail import MailServer, tagged
from tests.support.portal import portal_app
from tests.support.services import ADMIN_EMAIL, ADMIN_PASSWORD, serving

NAME = "Deutsch-Ukrainischer Kulturverein"
DESCRIPTION = "Kultur, Sprache und Begegnung für ukrainische Familien in der Nordstadt."
NEW_DESCRIPTION = "Jetzt auch mit Kinderchor: dienstags um 17 Uhr im Gemeindesaal."
PASSWORD = "Sonnenblume-Nordstadt-2026"
ORGANISATION_URL = re.compile(r"/organisations/[0-9a-f-]{36}$")


async def log_in(page: Page, portal_url: str, email: str, password: str) -> None:
    await send_log_in(page, portal_url, email, password)
    await page.wait_for_url(re.compile(r"/me$"))


async def test_the_office_registers_an_organisation_invites_a_member_who_then_edits_it(
    served_directory: ServedDirectory,
    notifier_factory: NotifierFactory,
    mail_server: MailServer,
    browser: Browser,
    tmp_path: Path,
) -> None:
    olena = tagged("olena.kovalenko")
    portal = portal_app(directory_url=served_directory.url)
    async with (
        notifier_factory(directory_url=served_directory.url),
        serving(portal) as portal_url,
    ):
        office = await browser.new_context()
        page = await office.new_page()
        await log_in(page, portal_url, ADMIN_EMAIL, ADMIN_PASSWORD)
        await page.goto(f"{portal_url}/organisations")
        await page.click("main a:has-text('Organisation anlegen')")
        await page.wait_for_selector("h1:has-text('Organisation anlegen')")

        # a contact address without its domain ending: the directory refuses it
        typed = {
            "input[name=name]": NAME,
            "select[name=kind]": "migrant_organisation",
            "textarea[name=description]": DESCRIPTION,
            "input[name=languages]": "de, uk",
            "input[name=communities]": "ukrainische Familien, Studierende",
            "input[name=district]": "Nordstadt",
            "input[name=email]": "kontakt@dukv",
            "select[name=preferred_language]": "uk",
        }
        await fill_in(page, typed)
        await page.check("input[name=fields][value=cultural_diversity]")
        await page.check("input[name=fields][value=language_education]")
        shown = await refused_form(page, "main button:has-text('Organisation anlegen')")
        assert "Bitte prüfen Sie: Kontakt-E-Mail." in shown
        assert "Eine gültige E-Mail-Adresse" in shown
        assert await page.get_attribute("input[name=email]", "aria-invalid") == "true"
        assert await values_of(page, typed) == typed
        assert await page.is_checked("input[name=fields][value=cultural_diversity]")
        assert await page.is_checked("input[name=fields][value=language_education]")
        assert not await page.is_checked("input[name=fields][value=housing]")
        await page.screenshot(path=str(tmp_path / "refused.png"), full_page=True)

        await page.fill("input[name=email]", "kontakt@dukv.example.org")
        await page.click("main button:has-text('Organisation anlegen')")
        await page.wait_for_url(ORGANISATION_URL)
        organisation_url = page.url
        assert await page.inner_text("h1") == NAME
        assert DESCRIPTION in await page.inner_text("main")

        # the office invites the association's first member
        await page.fill("#einladen input[name=name]", "Olena Kovalenko")
        await page.fill("#einladen input[name=email]", olena)
        await page.click("#einladen button:has-text('Mitglied einladen')")
        await page.wait_for_selector("text=Einladung an Olena Kovalenko ist unterwegs.")
        assert "noch kein Passwort gesetzt" in await page.inner_text("#mitgliederliste")
        await page.screenshot(path=str(tmp_path / "invited.png"), full_page=True)

        [mail] = await mail_server.wait_for(lambda m: m.to == olena)
        assert NAME in mail.header("Subject")
        link = mail.link(rf"{PORTAL}/set-password\?token=\S+")
        await served_directory.set_password(link, PASSWORD)

        # Olena, in a browser of her own, changes what her association says about itself
        own = await browser.new_context()
        member = await own.new_page()
        await log_in(member, portal_url, olena, PASSWORD)
        await member.goto(f"{portal_url}/organisations")
        await member.click(f"main a:has-text('{NAME}')")
        await member.wait_for_url(organisation_url)
        assert await member.locator("main button:has-text('Archivieren')").count() == 0
        await member.click("main a:has-text('Bearbeiten')")
        await member.wait_for_selector("h1:has-text('Organisation bearbeiten')")
        assert await member.input_value("textarea[name=description]") == DESCRIPTION
        await member.fill("textarea[name=description]", NEW_DESCRIPTION)
        await member.click("main button:has-text('Änderungen speichern')")
        await member.wait_for_url(organisation_url)
        await member.wait_for_selector(f"main p:has-text('{NEW_DESCRIPTION}')")
        assert DESCRIPTION not in await member.inner_text("main")
        await member.screenshot(path=str(tmp_path / "edited.png"), full_page=True)
        await own.close()
        await office.close()

    stored = await served_directory.client.get(organisation_url.replace(portal_url, ""))
    organisation = stored.json()
    assert organisation["description"] == NEW_DESCRIPTION
    assert organisation["email"] == "kontakt@dukv.example.org"
    assert organisation["district"] == "Nordstadt"
    assert organisation["revision"] == 2
