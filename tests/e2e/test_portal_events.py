"""A small association puts its event into the shared calendar in the browser: the calendar
says at once that the room is taken by another organisation, and the member books another."""

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

EMAIL = "ayse@linde.example"
PASSWORD = "Nachbarschaft-Linde-2026"
VENUE = "Bürgerhaus Nordstadt"
TITLE = "Sprachcafé für Eltern"


async def test_a_member_sees_the_room_is_taken_and_books_another_room(
    served_partners: ServedPartners, rabbit: RabbitVhost, browser: Browser
) -> None:
    partners = served_partners
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    anadolu = await partners.organisation("FC Anadolu Nordstadt 1987")
    day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=30)
    booked = await partners.calendar.post(
        "/events",
        json={
            "organisation_id": anadolu,
            "title": "Vereinsversammlung",
            "starts_at": dt.datetime.combine(day, dt.time(16), BERLIN).isoformat(),
            "ends_at": dt.datetime.combine(day, dt.time(18), BERLIN).isoformat(),
            "venue": {"name": VENUE, "room": "Saal 2"},
        },
        headers=partners.editor_of(anadolu),
    )
    assert booked.status_code == 201, booked.text
    await member_with_password(
        partners.directory,
        partners.admin,
        rabbit.url,
        linde,
        email=EMAIL,
        name="Ayşe Demir",
        password=PASSWORD,
    )
    async with served_portal(
        directory_url=partners.directory_url, calendar_url=partners.calendar_url
    ) as portal_url:
        page = await logged_in_page(browser, portal_url, EMAIL, PASSWORD)
        await page.get_by_role("link", name="Termin eintragen").click()
        await page.wait_for_url(re.compile(r"/events/new\?organisation="))

        form = page.locator("form.event")
        assert await form.locator("select[name=organisation_id]").input_value() == linde
        await form.locator("input[name=title]").fill(TITLE)
        await form.locator("textarea[name=description]").fill("Deutsch üben bei Tee.")
        await form.locator("input[name=date]").fill(day.isoformat())
        await form.locator("input[name=starts]").fill("17:00")
        await form.locator("input[name=ends]").fill("19:00")
        await form.locator("input[name=venue_name]").fill(VENUE)
        await form.locator("input[name=venue_room]").fill("Saal 2")
        await form.get_by_label("Familien").check()
        async with page.expect_response(
            lambda r: r.url.endswith("/events/new") and r.request.method == "POST"
        ) as answered:
            await form.locator("button[type=submit]").click()
        assert (await answered.value).status == 409

        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert await alert.inner_text() == (
            "Der Raum ist zu dieser Zeit schon belegt: «Vereinsversammlung» "
            f"({day:%d.%m.%Y} 16:00–18:00). "
            "Bitte wählen Sie einen anderen Raum oder eine andere Zeit."
        )
        form = page.locator("form.event")
        assert await form.locator("select[name=organisation_id]").input_value() == linde
        assert await form.locator("input[name=title]").input_value() == TITLE
        assert (
            await form.locator("textarea[name=description]").input_value()
            == "Deutsch üben bei Tee."
        )
        assert await form.locator("input[name=date]").input_value() == day.isoformat()
        assert await form.locator("input[name=starts]").input_value() == "17:00"
        assert await form.locator("input[name=ends]").input_value() == "19:00"
        assert await form.locator("input[name=venue_name]").input_value() == VENUE
        assert await form.locator("input[name=venue_room]").input_value() == "Saal 2"
        assert await form.get_by_label("Familien").is_checked()
        assert not await form.get_by_label("Kinder", exact=True).is_checked()
        assert await form.locator("input[name=override]").count() == 0

        await form.locator("input[name=venue_room]").fill("Saal 3")
        await form.locator("button[type=submit]").click()
        await page.wait_for_url(re.compile(r"/events/[0-9a-f-]{36}$"))
        assert await page.inner_text("h1") == TITLE
        shown = await page.inner_text("main")
        assert f"{day:%d.%m.%Y} 17:00 – {day:%d.%m.%Y} 19:00" in shown
        assert f"{VENUE}, Saal 3" in shown
        assert "Nachbarschaftstreff Linde" in shown

    planned = await partners.calendar.get(
        "/events",
        params={"organisation": linde, "from": day.isoformat()},
        headers=partners.editor_of(linde),
    )
    [event] = planned.json()["items"]
    assert event["title"] == TITLE
    assert event["venue"]["room"] == "Saal 3"
    assert event["audience"] == ["families"]
    assert event["starts_at"] == dt.datetime.combine(day, dt.time(17), BERLIN).isoformat()
