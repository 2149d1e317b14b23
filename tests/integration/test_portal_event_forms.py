"""Planning an event from the portal, without a browser: the refusals that need no calendar,
a calendar that is down, and what the real calendar answers (clashes, office staff, fields)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.integration.calendar_fixtures import ServedPartners
from tests.support.infra import RabbitVhost
from tests.support.members import member_session
from tests.support.portal import portal_client, signed_in_portal

ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
BERLIN = ZoneInfo("Europe/Berlin")


def a_form(**typed: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "organisation_id": ORGANISATION,
        "title": "Sprachcafé im Bürgerhaus",
        "description": "Deutsch üben bei Tee und Kuchen",
        "date": "2027-06-20",
        "starts": "17:00",
        "ends": "19:00",
        "venue_name": "Bürgerhaus Nordstadt",
        "venue_room": "Saal 2",
        "district": "Nordstadt",
        "audience": ["families", "newcomers"],
        "visibility": "public",
    }
    return {**values, **typed}


@pytest.fixture
async def signed_in_without_services() -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in_portal("a-session-token") as client:
        yield client


# --- without the services ------------------------------------------------------------------


async def test_the_form_sends_someone_not_signed_in_to_the_login() -> None:
    async with portal_client() as client:
        shown = await client.get("/events/new")
        sent = await client.post("/events/new", data=a_form())
    for response in (shown, sent):
        assert response.status_code == 303
        assert response.headers["location"] == "/login"


async def test_a_calendar_that_is_down_answers_503_and_keeps_every_typed_value(
    signed_in_without_services: httpx.AsyncClient,
) -> None:
    response = await signed_in_without_services.post("/events/new", data=a_form())
    assert response.status_code == 503
    page = response.text
    assert "Der Kalender ist gerade nicht erreichbar" in page
    for typed in (
        'value="Sprachcafé im Bürgerhaus"',
        ">Deutsch üben bei Tee und Kuchen</textarea>",
        'value="2027-06-20"',
        'value="17:00"',
        'value="19:00"',
        'value="Bürgerhaus Nordstadt"',
        'value="Saal 2"',
        'value="Nordstadt"',
        'value="families" checked',
        'value="newcomers" checked',
        'value="public" checked',
        f'value="{ORGANISATION}" selected',
    ):
        assert typed in page
    assert 'value="children" checked' not in page


async def test_a_form_from_another_site_is_refused(
    signed_in_without_services: httpx.AsyncClient,
) -> None:
    response = await signed_in_without_services.post(
        "/events/new", data=a_form(), headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "Dieses Formular kam nicht vom Portal." in response.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"ends": "16:30"}, "Das Ende muss nach dem Beginn liegen."),
        ({"date": ""}, "Bitte geben Sie das Datum an"),
        ({"date": "2027-03-28", "starts": "02:15"}, "wegen der Umstellung auf die Sommerzeit"),
    ],
)
async def test_times_that_cannot_work_are_refused_in_german_without_asking_the_calendar(
    signed_in_without_services: httpx.AsyncClient, typed: dict[str, str], message: str
) -> None:
    response = await signed_in_without_services.post("/events/new", data=a_form(**typed))
    # 422, not 503: the calendar (down here) was never asked
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Sprachcafé im Bürgerhaus"' in response.text


async def test_the_form_page_says_so_when_the_directory_is_down(
    signed_in_without_services: httpx.AsyncClient,
) -> None:
    response = await signed_in_without_services.get("/events/new")
    assert response.status_code == 503
    assert "Das Verzeichnis ist gerade nicht erreichbar" in response.text


# --- with the real directory and calendar --------------------------------------------------


def next_month() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()


async def book(
    partners: ServedPartners, organisation_id: str, title: str, **facts: Any
) -> dict[str, Any]:
    """An event of `organisation_id` next month, 16:00–18:00 Berlin time."""
    day = dt.date.fromisoformat(next_month())
    answer = await partners.calendar.post(
        "/events",
        json={
            "organisation_id": organisation_id,
            "title": title,
            "starts_at": dt.datetime.combine(day, dt.time(16), BERLIN).isoformat(),
            "ends_at": dt.datetime.combine(day, dt.time(18), BERLIN).isoformat(),
            **facts,
        },
        headers=partners.editor_of(organisation_id),
    )
    assert answer.status_code == 201, answer.text
    event: dict[str, Any] = answer.json()["event"]
    return event


async def linde_and_anadolu_in_saal_2(partners: ServedPartners) -> tuple[str, str]:
    """Linde and Anadolu registered, Anadolu's assembly booked into Saal 2 of the Bürgerhaus."""
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    anadolu = await partners.organisation("FC Anadolu Nordstadt 1987")
    await book(
        partners,
        anadolu,
        "Vereinsversammlung",
        venue={"name": "Bürgerhaus Nordstadt", "room": "Saal 2"},
    )
    return linde, anadolu


def portal_of(partners: ServedPartners) -> httpx.AsyncClient:
    """The portal in front of the partners' directory and calendar."""
    return portal_client(directory_url=partners.directory_url, calendar_url=partners.calendar_url)


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def test_an_audience_clash_is_shown_right_after_saving(
    served_partners: ServedPartners,
) -> None:
    partners = served_partners
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    anadolu = await partners.organisation("FC Anadolu Nordstadt 1987")
    theirs = await book(
        partners, anadolu, "Kinderturnier", district="Nordstadt", audience=["children"]
    )
    form = a_form(
        organisation_id=linde,
        title="Vorlesestunde",
        date=next_month(),
        starts="17:00",
        ends="18:30",
        venue_name="Stadtteilbibliothek",
        venue_room="",
        audience=["children"],
    )
    async with portal_of(partners) as portal:
        portal.cookies.set("inx_session", token_of(partners.editor_of(linde)))
        saved = await portal.post("/events/new", data=form)
        assert saved.status_code == 303, saved.text
        location = saved.headers["location"]
        assert re.fullmatch(r"/events/[0-9a-f-]{36}/clashes", location)
        shown = await portal.get(location)
    assert shown.status_code == 200
    assert "Termin eingetragen" in shown.text
    assert "Gleiches Publikum im selben Stadtteil" in shown.text
    assert f'href="/events/{theirs["id"]}">Kinderturnier</a>' in shown.text


async def test_office_staff_plan_for_any_organisation_and_may_book_over_a_room_clash(
    served_partners: ServedPartners,
) -> None:
    partners = served_partners
    linde, _anadolu = await linde_and_anadolu_in_saal_2(partners)
    form = a_form(organisation_id=linde, date=next_month(), district="", audience=[])
    async with portal_of(partners) as portal:
        portal.cookies.set("inx_session", token_of(partners.admin))
        blank = await portal.get("/events/new", params={"organisation": linde})
        refused = await portal.post("/events/new", data=form)
        booked = await portal.post("/events/new", data={**form, "override": "true"})
        shown = await portal.get(booked.headers["location"])
    assert blank.status_code == 200
    assert "FC Anadolu Nordstadt 1987</option>" in blank.text
    assert f'value="{linde}" selected>Nachbarschaftstreff Linde</option>' in blank.text
    assert refused.status_code == 409
    day = dt.date.fromisoformat(next_month())
    assert f"«Vereinsversammlung» ({day:%d.%m.%Y} 16:00–18:00)" in refused.text
    assert 'name="override"' in refused.text
    assert booked.status_code == 303, booked.text
    assert booked.headers["location"].endswith("/clashes")
    assert "Raum doppelt belegt" in shown.text


async def test_a_member_sees_no_override_and_a_refused_field_by_its_german_name(
    served_partners: ServedPartners,
) -> None:
    partners = served_partners
    linde, anadolu = await linde_and_anadolu_in_saal_2(partners)
    form = a_form(organisation_id=linde, date=next_month())
    async with portal_of(partners) as portal:
        portal.cookies.set("inx_session", token_of(partners.editor_of(linde)))
        clash = await portal.post("/events/new", data=form)
        too_long = await portal.post(
            "/events/new", data={**form, "venue_room": "R" * 101, "title": "T" * 201}
        )
        foreign = await portal.post("/events/new", data={**form, "organisation_id": anadolu})
    assert clash.status_code == 409
    assert 'name="override"' not in clash.text
    assert too_long.status_code == 422
    assert "Bitte prüfen Sie: Titel (zu lang), Raum (zu lang)." in too_long.text
    assert foreign.status_code == 403
    assert "Sie dürfen für diese Organisation keine Termine eintragen." in foreign.text


async def test_a_member_accepts_an_invitation_to_co_organise_and_later_leaves_the_event(
    served_partners: ServedPartners, rabbit: RabbitVhost
) -> None:
    partners = served_partners
    linde = await partners.organisation("Nachbarschaftstreff Linde")
    anadolu = await partners.organisation("FC Anadolu Nordstadt 1987")
    event = await book(partners, linde, "Nachbarschaftsfest", co_organiser_ids=[anadolu])
    email, password = "trainer@anadolu.example", "ein-langes-passwort-1987"
    session = await member_session(
        partners.directory,
        partners.admin,
        rabbit.url,
        anadolu,
        email=email,
        name="Emre Yıldız",
        password=password,
    )
    async with portal_of(partners) as portal:
        portal.cookies.set("inx_session", session)
        invited = await portal.get("/mitveranstalten")
        answer = {"event_id": event["id"], "organisation_id": anadolu}
        accepted = await portal.post("/mitveranstalten", data={**answer, "action": "accept"})
        joined = await portal.get(accepted.headers["location"])
        left = await portal.post("/mitveranstalten", data={**answer, "action": "leave"})
        after = await portal.get("/mitveranstalten")
        again = await portal.post("/mitveranstalten", data={**answer, "action": "leave"})
    assert invited.status_code == 200, invited.text
    assert f'id="invitation-{event["id"]}"' in invited.text
    assert "Annehmen" in invited.text
    assert accepted.status_code == 303, accepted.text
    assert f'id="joined-{event["id"]}"' in joined.text
    assert f'id="invitation-{event["id"]}"' not in joined.text
    assert left.status_code == 303, left.text
    assert event["id"] not in after.text
    assert again.status_code == 404
    assert "gibt es nicht" in again.text
