"""Registering for an event through the portal in front of the real directory and calendar: the
organiser sets up two seats, a neighbour without an account registers and confirms through the
link of the email the calendar asks for, a member registers for her organisation, a third is
put on the waiting list and moves up when the member cancels on /me; the organiser sees the
answers, ticks attendance and downloads the spreadsheet; office staff see the counts; anyone
else is refused in German."""

from __future__ import annotations

import csv
import io
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from shared.contracts.base import COMMANDS_EXCHANGE
from shared.ids import new_id
from tests.integration.calendar_fixtures import ServedPartners
from tests.integration.test_portal_event_forms import book
from tests.support.amqp import StreamTap
from tests.support.infra import RabbitVhost
from tests.support.mail import link_token, tagged
from tests.support.members import member_session
from tests.support.portal import portal_client, session_of
from tests.support.waiting import eventually

BERLIN = ZoneInfo("Europe/Berlin")
SEND_EMAIL = "notifier.email.send"


def portal_of(partners: ServedPartners) -> httpx.AsyncClient:
    return portal_client(directory_url=partners.directory_url, calendar_url=partners.calendar_url)


async def emailed_link(tap: StreamTap, to: str, template: str, param: str) -> str:
    """The link `param` of the email `template` the calendar asked the notifier to send."""

    def sent() -> list[dict[str, Any]]:
        return [
            c["data"]
            for c in tap.of_type(SEND_EMAIL)
            if c["data"]["to"] == to and c["data"]["template"] == template
        ]

    async def arrived() -> bool:
        return bool(sent())

    await eventually(arrived)
    link: str = sent()[-1]["params"][param]
    return link


async def register_anonymously(
    portal: httpx.AsyncClient, tap: StreamTap, event_id: str, name: str, email: str
) -> httpx.Response:
    """Register without an account and confirm through the emailed link's page."""
    typed = {"name": name, "email": email, "language": "de", "child_care": "1"}
    registered = await portal.post(f"/events/{event_id}/anmelden", data=typed)
    assert registered.status_code == 200, registered.text
    assert "Fast geschafft" in registered.text
    link = await emailed_link(tap, email, "registration_opt_in", "confirm_link")
    assert "/anmeldung/bestaetigen?token=" in link
    token = link_token(link)
    shown = await portal.get("/anmeldung/bestaetigen", params={"token": token})
    assert shown.status_code == 200, shown.text
    assert "wartet auf Bestätigung per E-Mail" in shown.text
    return await portal.post("/anmeldung/bestaetigen", data={"token": token})


async def test_two_seats_three_people_a_waiting_list_and_who_moves_up(
    served_partners: ServedPartners, rabbit: RabbitVhost
) -> None:
    partners = served_partners
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    event_id = (await book(partners, linde, "Elterncafé mit Kinderbetreuung"))["id"]
    organiser = await member_session(
        partners.directory,
        partners.admin,
        rabbit.url,
        linde,
        email=tagged("ayse"),
        name="Ayşe Demir",
        password="Nachbarschaft-Linde-2026",
    )
    member_email = tagged("emre")
    member = await member_session(
        partners.directory,
        partners.admin,
        rabbit.url,
        linde,
        email=member_email,
        name="Emre Yıldız",
        password="ein-langes-passwort-1987",
    )
    neighbour, third = tagged("olena"), tagged("kemal")
    async with (
        StreamTap(rabbit.url, COMMANDS_EXCHANGE, (SEND_EMAIL,)) as tap,
        portal_of(partners) as portal,
    ):
        # the organiser sets up two seats with a question about child care
        portal.cookies.set("inx_session", organiser)
        form = await portal.get(f"/events/{event_id}/anmeldung")
        assert form.status_code == 200, form.text
        set_up = await portal.post(
            f"/events/{event_id}/anmeldung",
            data={"capacity": "2", "questions": ["child_care"], "open_to": "public"},
        )
        assert set_up.status_code == 303, set_up.text
        portal.cookies.clear()

        page = await portal.get(f"/events/{event_id}")
        assert "Noch 2 von 2 Plätzen frei" in page.text
        assert 'name="child_care"' in page.text

        confirmed = await register_anonymously(portal, tap, event_id, "Olena Koval", neighbour)
        assert confirmed.status_code == 200, confirmed.text
        assert "Sie sind angemeldet." in confirmed.text

        portal.cookies.set("inx_session", member)
        own = await portal.post(
            f"/events/{event_id}/anmelden",
            data={
                "name": "Emre Yıldız",
                "email": member_email,
                "organisation_id": linde,
                "language": "de",
            },
        )
        assert own.status_code == 200, own.text
        assert "Sie sind angemeldet." in own.text
        portal.cookies.clear()

        waiting = await register_anonymously(portal, tap, event_id, "Kemal Aydın", third)
        assert "Platz 1 der Warteliste" in waiting.text
        again = await portal.post(
            f"/events/{event_id}/anmelden",
            data={"name": "Kemal Aydın", "email": third, "language": "de"},
        )
        assert again.status_code == 409
        assert "schon jemand angemeldet" in again.text

        # the member cancels on /me; the third moves up
        portal.cookies.set("inx_session", member)
        mine = await portal.get("/me")
        assert "Elterncafé mit Kinderbetreuung" in mine.text
        assert 'id="anmeldungen"' in mine.text
        [registration_id] = await my_registration_ids(partners, member)
        cancelled = await portal.post(
            f"/events/{event_id}/teilnehmende/{registration_id}/abmelden",
            data={"zurueck": "me"},
        )
        assert cancelled.status_code == 303, cancelled.text
        await emailed_link(tap, third, "registration_promoted", "cancel_link")

        # the organiser sees who comes, ticks attendance, downloads the spreadsheet
        portal.cookies.set("inx_session", organiser)
        participants = await portal.get(f"/events/{event_id}/teilnehmende")
        assert participants.status_code == 200, participants.text
        for shown in ("Olena Koval", "Kemal Aydın", neighbour, "abgemeldet"):
            assert shown in participants.text
        listed = await partners.calendar.get(
            f"/events/{event_id}/registrations",
            headers={"Authorization": f"Bearer {organiser}"},
        )
        by_email = {r["email"]: r for r in listed.json()}
        came = by_email[neighbour]["id"]
        ticked = await portal.post(
            f"/events/{event_id}/teilnehmende", data={"shown": [came], "attended": [came]}
        )
        assert ticked.status_code == 303, ticked.text
        marked = await portal.get(f"/events/{event_id}/teilnehmende")
        assert f'value="{came}" id="kam-{came}" checked' in marked.text
        sheet = await portal.get(f"/events/{event_id}/teilnehmende.csv")
        assert sheet.status_code == 200, sheet.text
        assert sheet.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:2] == ["Name", "E-Mail"]
        states = {row[1]: row[3] for row in rows[1:]}
        assert (states[third], states[member_email]) == ("bestätigt", "abgemeldet")

        # a member of another organisation does not see who registered
        portal.cookies.set("inx_session", session_of(partners.editor_of(new_id())))
        refused = await portal.get(f"/events/{event_id}/teilnehmende")
        assert refused.status_code == 403
        assert "sehen nur die Veranstalter" in refused.text

        # the cancel link of an email: the page changes nothing, its button cancels
        portal.cookies.clear()
        cancel_link = await emailed_link(tap, third, "registration_promoted", "cancel_link")
        token = link_token(cancel_link)
        asked = await portal.get("/anmeldung/abmelden", params={"token": token})
        assert asked.status_code == 200, asked.text
        assert "Von dieser Veranstaltung abmelden" in asked.text
        still = await partners.calendar.get(f"/events/{event_id}/registration")
        assert still.json()["confirmed"] == 2
        done = await portal.post("/anmeldung/abmelden", data={"token": token})
        assert done.status_code == 200, done.text
        assert "Sie sind abgemeldet." in done.text
        after = await partners.calendar.get(f"/events/{event_id}/registration")
        assert after.json()["confirmed"] == 1

        # office staff see the counts, members do not
        portal.cookies.set("inx_session", session_of(partners.admin))
        counts = await portal.get("/buero/anmeldungen")
        assert counts.status_code == 200, counts.text
        assert "Elterncafé mit Kinderbetreuung" in counts.text
        portal.cookies.set("inx_session", member)
        not_office = await portal.get("/buero/anmeldungen")
        assert not_office.status_code == 403


async def my_registration_ids(partners: ServedPartners, session: str) -> list[str]:
    """The ids of the member's registrations, as the calendar lists them."""
    answer = await partners.calendar.get(
        "/me/registrations", headers={"Authorization": f"Bearer {session}"}
    )
    assert answer.status_code == 200, answer.text
    return [item["registration_id"] for item in answer.json()]


async def test_a_link_that_was_never_sent_is_refused_in_german(
    served_partners: ServedPartners,
) -> None:
    async with portal_of(served_partners) as portal:
        shown = await portal.get("/anmeldung/bestaetigen", params={"token": "x" * 43})
        pressed = await portal.post("/anmeldung/abmelden", data={"token": "x" * 43})
    for answer in (shown, pressed):
        assert answer.status_code == 404, answer.text
        assert "ungültig oder wurde schon benutzt" in answer.text
