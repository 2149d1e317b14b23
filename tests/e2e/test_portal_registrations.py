"""An Elterncafé with two seats in a real browser: the organiser sets up the registration and
registers herself, a neighbour without an account registers and confirms through the link of
the email, a third lands on the waiting list and is told so; the neighbour cancels through the
link of her confirmation, and the third moves up (the email says so, the organiser's
participant list too). Directory, calendar, notifier and portal run for real, the emails
arrive at the test's SMTP server."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
from playwright.async_api import Browser, Page

from services.calendar.app import create_app as create_calendar
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from shared.clock import BERLIN
from shared.ids import new_id
from tests.integration.directory_fixtures import register
from tests.integration.notifier_fixtures import NotifierFactory
from tests.support.axe import Violation, axe_violations, with_axe
from tests.support.browser import logged_in_page
from tests.support.infra import RabbitVhost, free_port
from tests.support.mail import CaughtMail, MailServer, tagged
from tests.support.members import member_with_password
from tests.support.portal import portal_app
from tests.support.services import serving, serving_with_admin
from tests.support.waiting import eventually, until_ready

TITLE = "Elterncafé mit Kinderbetreuung"
ORGANISER, PASSWORD = "ayse@linde.example", "Nachbarschaft-Linde-2026"


@dataclass
class Stack:
    portal_url: str
    calendar: httpx.AsyncClient
    event_id: str


@contextlib.asynccontextmanager
async def an_elterncafe(
    directory_settings: Callable[..., DirectorySettings],
    calendar_settings: Callable[..., CalendarSettings],
    notifier_factory: NotifierFactory,
    vhost: RabbitVhost,
) -> AsyncIterator[Stack]:
    """Directory, calendar (its links naming the portal), notifier and portal on one broker;
    Linde with its member ORGANISER and an event of Linde next month."""
    portal_port = free_port()
    portal_url = f"http://127.0.0.1:{portal_port}"
    directory_app = create_directory(directory_settings(rabbitmq_url=vhost.url))
    async with serving_with_admin(directory_app) as (directory_url, directory, admin):
        calendar_app = create_calendar(
            calendar_settings(directory_url, rabbitmq_url=vhost.url, public_base_url=portal_url)
        )
        async with (
            serving(calendar_app) as calendar_url,
            httpx.AsyncClient(base_url=calendar_url) as calendar,
            notifier_factory(directory_url=directory_url),
        ):
            await until_ready(calendar)
            portal = portal_app(directory_url=directory_url, calendar_url=calendar_url)
            linde: str = (await register(directory, admin, "Nachbarschaftstreff Linde"))["id"]
            service: Calendar = calendar_app.state.calendar

            async def known() -> bool:
                return await service.store.get_organisation(linde) is not None

            await eventually(known)
            await member_with_password(
                directory,
                admin,
                vhost.url,
                linde,
                email=ORGANISER,
                name="Ayşe Demir",
                password=PASSWORD,
            )
            token = directory_app.state.directory.issuer.issue(new_id(), "editor", [linde])
            day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=30)
            planned = await calendar.post(
                "/events",
                json={
                    "organisation_id": linde,
                    "title": TITLE,
                    "starts_at": dt.datetime.combine(day, dt.time(16), BERLIN).isoformat(),
                    "ends_at": dt.datetime.combine(day, dt.time(18), BERLIN).isoformat(),
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            assert planned.status_code == 201, planned.text
            async with serving(portal, portal_port):
                yield Stack(portal_url, calendar, planned.json()["event"]["id"])


def calendar_part(mail: CaughtMail) -> str:
    """The iCalendar part of an email ("" without one)."""
    for part in mail.message.walk():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            return content.decode() if isinstance(content, bytes) else str(content)
    return ""


async def register_without_account(
    page: Page, stack: Stack, mail: MailServer, name: str, email: str, button: str
) -> str:
    """Register on the event page, then confirm through the link of the email; returns what
    the page says then."""
    await page.goto(f"{stack.portal_url}/events/{stack.event_id}")
    form = page.locator("form.registration")
    await form.locator("input[name=name]").fill(name)
    await form.locator("input[name=email]").fill(email)
    await form.locator("input[name=child_care]").fill("1")
    await form.get_by_role("button", name=button).click()
    await page.wait_for_selector("h1:has-text('Fast geschafft')")
    [opt_in] = await mail.wait_for(lambda m: m.to == email)
    link = opt_in.link(rf"{re.escape(stack.portal_url)}/anmeldung/bestaetigen\?token=\S+")
    await page.goto(link)
    assert "wartet auf Bestätigung" in await page.inner_text("main")
    await page.get_by_role("button", name="Anmeldung bestätigen").click()
    await page.wait_for_url(f"{stack.portal_url}/anmeldung/bestaetigen")
    return await page.inner_text("main")


async def test_two_seats_a_waiting_list_and_who_moves_up_when_someone_cancels(
    directory_settings: Callable[..., DirectorySettings],
    calendar_settings: Callable[..., CalendarSettings],
    notifier_factory: NotifierFactory,
    notifier_vhost: RabbitVhost,
    mail_server: MailServer,
    browser: Browser,
) -> None:
    neighbour, third = tagged("olena"), tagged("kemal")
    async with an_elterncafe(
        directory_settings, calendar_settings, notifier_factory, notifier_vhost
    ) as stack:
        url = stack.portal_url
        # the pages with registrations on them pass axe-core's WCAG 2.1 A/AA rules too
        found: list[Violation] = []
        organiser = await logged_in_page(
            await with_axe(await browser.new_context()), url, ORGANISER, PASSWORD
        )
        await organiser.wait_for_url(f"{url}/me")
        await organiser.goto(f"{url}/events/{stack.event_id}")
        await organiser.get_by_role("link", name="Anmeldung einrichten").click()
        found += await axe_violations(organiser, "setup")
        await organiser.locator("input[name=capacity]").fill("2")
        await organiser.get_by_label("Kinderbetreuung").check()
        await organiser.get_by_role("button", name="Speichern").click()
        await organiser.wait_for_url(re.compile(rf"/events/{stack.event_id}#anmeldung$"))
        assert "Noch 2 von 2 Plätzen frei" in await organiser.inner_text("main")

        # she registers herself: the form knows her name and address
        found += await axe_violations(organiser, "event page with the registration form")
        form = organiser.locator("form.registration")
        assert await form.locator("input[name=email]").input_value() == ORGANISER
        await form.get_by_role("button", name="Zur Veranstaltung anmelden").click()
        await organiser.wait_for_selector("h1:has-text('Angemeldet')")

        visitor = await (await with_axe(await browser.new_context())).new_page()
        said = await register_without_account(
            visitor, stack, mail_server, "Olena Koval", neighbour, "Zur Veranstaltung anmelden"
        )
        assert "Sie sind angemeldet." in said
        said = await register_without_account(
            visitor, stack, mail_server, "Kemal Aydın", third, "Auf die Warteliste setzen"
        )
        assert "Platz 1 der Warteliste" in said
        # the same address once more: refused, the form shown again as typed
        await visitor.goto(f"{url}/events/{stack.event_id}")
        await visitor.locator("form.registration input[name=name]").fill("Kemal Aydın")
        await visitor.locator("form.registration input[name=email]").fill(third)
        await visitor.get_by_role("button", name="Auf die Warteliste setzen").click()
        alert = visitor.get_by_role("alert")
        assert "schon jemand angemeldet" in await alert.inner_text()
        assert await visitor.locator("input[name=email]").input_value() == third
        found += await axe_violations(visitor, "refused registration")

        # the neighbour cancels through the link of her confirmation email
        [*_, confirmation] = await mail_server.wait_for(lambda m: m.to == neighbour, count=2)
        cancel = confirmation.link(rf"{re.escape(url)}/anmeldung/abmelden\?token=\S+")
        await visitor.goto(cancel)
        found += await axe_violations(visitor, "cancel link")
        await visitor.get_by_role("button", name="Von dieser Veranstaltung abmelden").click()
        await visitor.wait_for_selector("h1:has-text('Abgemeldet')")

        # the third moves up: an email with the event for the calendar, and the list says so
        mails = await mail_server.wait_for(lambda m: m.to == third, count=3)
        assert any("METHOD:REQUEST" in calendar_part(m) for m in mails)
        await organiser.goto(f"{url}/events/{stack.event_id}/teilnehmende")
        found += await axe_violations(organiser, "participants")
        row = organiser.locator("tr", has_text="Kemal Aydın")
        assert "angemeldet" in await row.inner_text()
        assert "abgemeldet" in await organiser.locator("tr", has_text="Olena Koval").inner_text()

        await organiser.goto(f"{url}/me")
        found += await axe_violations(organiser, "/me")
        mine = await organiser.locator("#anmeldungen + ul").inner_text()
        assert TITLE in mine
        assert "angemeldet" in mine
        await asyncio.gather(organiser.context.close(), visitor.context.close())
        assert not found, "axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(map(str, found))
