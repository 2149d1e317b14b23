"""A working group in the browser: the coordinator of a small association founds it, a member
of another organisation asks to join, the coordinator accepts, plans the first meeting from the
group's page, and the meeting's page shows its topic."""

from __future__ import annotations

import datetime as dt
import re

from playwright.async_api import Browser

from shared.clock import BERLIN
from tests.integration.calendar_fixtures import ServedPartners
from tests.support.browser import logged_in_page
from tests.support.infra import RabbitVhost
from tests.support.members import member_with_password
from tests.support.portal import served_portal

PASSWORD = "Arbeitsgruppe-Nordstadt-2026"
GROUP = "Runder Tisch Sprachförderung"
TOPIC = "Sprachkurse für Eltern im Herbst"


async def test_a_coordinator_founds_a_group_accepts_a_member_and_plans_a_meeting(
    served_partners: ServedPartners, rabbit: RabbitVhost, browser: Browser
) -> None:
    partners = served_partners
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    anadolu = await partners.organisation("FC Anadolu Nordstadt 1987")
    for organisation_id, email, name in (
        (linde, "ayse@linde.example", "Ayşe Demir"),
        (anadolu, "emre@anadolu.example", "Emre Yıldız"),
    ):
        await member_with_password(
            partners.directory,
            partners.admin,
            rabbit.url,
            organisation_id,
            email=email,
            name=name,
            password=PASSWORD,
        )
    day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=21)
    async with served_portal(
        directory_url=partners.directory_url, calendar_url=partners.calendar_url
    ) as portal_url:
        ayse = await logged_in_page(browser, portal_url, "ayse@linde.example", PASSWORD)
        await ayse.wait_for_url(f"{portal_url}/me")
        await ayse.get_by_role("navigation").get_by_role("link", name="Arbeitsgruppen").click()
        await ayse.get_by_role("link", name="Neue Arbeitsgruppe").click()
        await ayse.get_by_label("Name der Arbeitsgruppe").fill(GROUP)
        await ayse.get_by_label("Wozu die Gruppe da ist").fill("Die Träger stimmen ihre Kurse ab.")
        await ayse.get_by_role("button", name="Arbeitsgruppe gründen").click()
        await ayse.wait_for_url(re.compile(r"/arbeitsgruppen/[0-9a-f-]{36}$"))
        group_url = ayse.url
        assert await ayse.inner_text("h1") == GROUP

        emre = await logged_in_page(browser, portal_url, "emre@anadolu.example", PASSWORD)
        await emre.wait_for_url(f"{portal_url}/me")
        await emre.goto(group_url)
        await emre.get_by_role(
            "button", name="Beitritt anfragen (FC Anadolu Nordstadt 1987)"
        ).click()
        await emre.get_by_role("heading", name="Beitritt angefragt").wait_for()

        await ayse.reload()
        request = ayse.locator(f"#anfrage-{anadolu}")
        assert "FC Anadolu Nordstadt 1987 möchte beitreten." in await request.inner_text()
        await request.get_by_role("button", name="Annehmen").click()
        await ayse.locator(f"#mitglied-{anadolu}").wait_for()
        assert await ayse.locator(f"#anfrage-{anadolu}").count() == 0

        await ayse.get_by_role("link", name="Treffen planen").click()
        await ayse.wait_for_url(re.compile(r"/events/new\?"))
        form = ayse.locator("form.event")
        await form.locator("input[name=title]").fill("Erstes Treffen")
        await form.get_by_label("Thema").fill(TOPIC)
        await form.locator("input[name=date]").fill(day.isoformat())
        await form.locator("input[name=starts]").fill("17:00")
        await form.locator("input[name=ends]").fill("18:30")
        await form.locator("button[type=submit]").click()
        await ayse.wait_for_url(re.compile(r"/events/[0-9a-f-]{36}$"))
        meeting = await ayse.inner_text("main")
        assert f"Treffen der Arbeitsgruppe {GROUP}" in meeting
        assert f"Thema: {TOPIC}" in meeting

        await emre.goto(group_url)
        coming = await emre.locator("#kommende-treffen").inner_text()
        assert "Erstes Treffen" in coming
        assert TOPIC in coming
