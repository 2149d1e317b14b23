"""A working group's meeting invitations as the member organisations receive them: directory,
calendar and notifier on one broker, the mail server catching what is sent. Both members get an
email with the iCalendar invitation (`METHOD:REQUEST`, the entry's UID), a new one with
`SEQUENCE` + 1 when the meeting moves, and `METHOD:CANCEL` when it is called off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.calendar.app import create_app as create_calendar
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from services.directory.app import create_app as create_directory
from services.directory.settings import DirectorySettings
from shared.ids import new_id
from tests.integration.calendar_fixtures import itip
from tests.integration.directory_fixtures import register
from tests.integration.notifier_fixtures import NotifierFactory
from tests.support.infra import RabbitVhost
from tests.support.mail import CaughtMail, MailServer, tagged
from tests.support.services import serving, serving_with_admin
from tests.support.waiting import eventually, until_ready

BERLIN = ZoneInfo("Europe/Berlin")


def invitation(mail: CaughtMail) -> tuple[str, Any]:
    """The iTIP method of an email's `text/calendar` part and the one VEVENT in it."""
    part = mail.message.get_body(preferencelist=("calendar",))
    assert part is not None, "no text/calendar part"
    return itip(part.get_content(), str(part.get_param("method")))


async def test_both_members_receive_each_version_of_the_meeting_in_their_calendar_program(
    directory_settings: Callable[..., DirectorySettings],
    calendar_settings: Callable[..., CalendarSettings],
    notifier_factory: NotifierFactory,
    notifier_vhost: RabbitVhost,
    mail_server: MailServer,
) -> None:
    addresses = {name: tagged(name) for name in ("buero", "mriya", "linde")}
    directory_app = create_directory(directory_settings(rabbitmq_url=notifier_vhost.url))
    async with serving_with_admin(directory_app) as (directory_url, directory, admin):
        calendar_app = create_calendar(
            calendar_settings(directory_url, rabbitmq_url=notifier_vhost.url)
        )
        async with (
            serving(calendar_app) as calendar_url,
            httpx.AsyncClient(base_url=calendar_url) as calendar,
            notifier_factory(directory_url=directory_url),
        ):
            await until_ready(calendar)
            ids = {
                name: (await register(directory, admin, name, email=addresses[key]))["id"]
                for key, name in (
                    ("buero", "Integrationsbüro"),
                    ("mriya", "Verein Mriya"),
                    ("linde", "Treff Linde"),
                )
            }
            service: Calendar = calendar_app.state.calendar

            async def all_known() -> bool:
                known = [await service.store.get_organisation(i) for i in ids.values()]
                return all(k is not None and k.email for k in known)

            await eventually(all_known)
            issuer = directory_app.state.directory.issuer

            def editor_of(name: str) -> dict[str, str]:
                token = issuer.issue(new_id(), "editor", [ids[name]])
                return {"Authorization": f"Bearer {token}"}

            coordinator = editor_of("Integrationsbüro")
            created = await calendar.post(
                "/groups",
                json={
                    "name": "Netzwerk der Communitys",
                    "coordinator_id": ids["Integrationsbüro"],
                    "visibility": "network",
                },
                headers=coordinator,
            )
            assert created.status_code == 201, created.text
            group = created.json()["id"]
            mriya, linde = ids["Verein Mriya"], ids["Treff Linde"]
            for path, body, headers in (
                (f"/groups/{group}/join-requests", {"organisation_id": mriya}, "Verein Mriya"),
                (f"/groups/{group}/members/{mriya}/accept", None, "Integrationsbüro"),
                (f"/groups/{group}/invitations", {"organisation_id": linde}, "Integrationsbüro"),
                (f"/groups/{group}/members/{linde}/accept", None, "Treff Linde"),
            ):
                answer = await calendar.post(path, json=body, headers=editor_of(headers))
                assert answer.status_code == 200, answer.text

            day = dt.datetime.now(BERLIN).date() + dt.timedelta(days=40)
            planned = await calendar.post(
                "/events",
                json={
                    "organisation_id": ids["Integrationsbüro"],
                    "title": "Treffen der Arbeitsgruppe",
                    "topic": "Projektförderung einwerben",
                    "group_id": group,
                    "starts_at": dt.datetime.combine(day, dt.time(18), BERLIN).isoformat(),
                    "ends_at": dt.datetime.combine(day, dt.time(20), BERLIN).isoformat(),
                    "visibility": "network",
                },
                headers=coordinator,
            )
            assert planned.status_code == 201, planned.text
            event_id = planned.json()["event"]["id"]
            uid = f"{event_id}@integrationsnetz"

            def about_the_meeting(to: str) -> Callable[[CaughtMail], bool]:
                def matches(mail: CaughtMail) -> bool:
                    part = mail.message.get_body(preferencelist=("calendar",))
                    return mail.to == to and part is not None and uid in part.get_content()

                return matches

            sequences = []
            for member in ("mriya", "linde"):
                [mail] = await mail_server.wait_for(about_the_meeting(addresses[member]))
                method, vevent = invitation(mail)
                assert method == "REQUEST"
                assert str(vevent["UID"]) == uid
                sequences.append(vevent.decoded("SEQUENCE"))
            assert sequences[0] == sequences[1]

            later = dt.datetime.combine(day + dt.timedelta(days=7), dt.time(18), BERLIN)
            moved = await calendar.patch(
                f"/events/{event_id}",
                json={
                    "starts_at": later.isoformat(),
                    "ends_at": (later + dt.timedelta(hours=2)).isoformat(),
                },
                headers=coordinator,
            )
            assert moved.status_code == 200, moved.text
            for member in ("mriya", "linde"):
                mails = await mail_server.wait_for(about_the_meeting(addresses[member]), count=2)
                method, vevent = invitation(mails[-1])
                assert method == "REQUEST"
                assert vevent.decoded("SEQUENCE") == sequences[0] + 1
                assert vevent.decoded("DTSTART") == later

            cancelled = await calendar.post(f"/events/{event_id}/cancel", headers=coordinator)
            assert cancelled.status_code == 200, cancelled.text
            for member in ("mriya", "linde"):
                mails = await mail_server.wait_for(about_the_meeting(addresses[member]), count=3)
                method, vevent = invitation(mails[-1])
                assert method == "CANCEL"
                assert str(vevent["UID"]) == uid
