"""Registering for events in the portal without the services: the forms' bodies and checks,
the attendance form's changes, and the pages in front of a calendar answering as the spec
says (the transport replaced): the event page's box, registering without an account, the
refusals, the emailed links' pages that change nothing until their button is pressed, the
participants' spreadsheet passed through as it is."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.portal import refusals
from services.portal.clients.base import Problem
from services.portal.clients.registration_views import Participant, Registration
from services.portal.participant_pages import attendance_changes
from services.portal.registration_forms import RegistrationForm, registration_body
from services.portal.registration_setup import SetupForm, setup_body
from tests.support.portal import mocked_portal, portal_client

EVENT = "01a20175-6dad-718f-a12c-c0b9a10eb0e1"
ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
PROBLEMS = "https://integrationsnetz.de/problems/"
TOKEN = "a-link-token-from-the-email"
AN_EVENT = {
    "id": EVENT,
    "organisation_id": ORGANISATION,
    "title": "Elterncafé mit Kinderbetreuung",
    "starts_at": "2027-01-20T16:00:00+01:00",
    "ends_at": "2027-01-20T18:00:00+01:00",
    "status": "scheduled",
}
A_MEMBER = {
    "person_id": "p-1",
    "email": "ayse@linde.example",
    "name": "Ayşe Demir",
    "role": "editor",
    "organisations": [{"id": ORGANISATION, "name": "Nachbarschaftstreff Linde"}],
}
OPEN = {
    "open": True,
    "capacity": 2,
    "confirmed": 1,
    "waiting": 0,
    "seats_left": 1,
    "deadline": "2027-01-19T12:00:00+01:00",
    "places_per_organisation": None,
    "questions": ["child_care", "dietary"],
    "open_to": "public",
    "closed_reason": None,
}


class FakeCalendar:
    """The calendar's registration API as the spec describes it, answering from tables; every
    request is kept."""

    def __init__(self, registration: dict[str, Any] | None = None) -> None:
        self.registration = registration if registration is not None else dict(OPEN)
        self.seen: list[httpx.Request] = []
        self.answers: dict[tuple[str, str], httpx.Response] = {}

    def answer(self, method: str, path: str, status: int, body: Any) -> None:
        self.answers[(method, path)] = httpx.Response(status, json=body)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        key = (request.method, request.url.path)
        if key in self.answers:
            return self.answers[key]
        if key == ("GET", f"/events/{EVENT}"):
            return httpx.Response(200, json=AN_EVENT)
        if key == ("GET", f"/events/{EVENT}/registration"):
            return httpx.Response(200, json=self.registration)
        return httpx.Response(404, json={"type": PROBLEMS + "not-found"})

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.seen if r.method == method and r.url.path == path]


@pytest.fixture
def calendar() -> FakeCalendar:
    return FakeCalendar()


@pytest.fixture
async def portal(calendar: FakeCalendar) -> AsyncIterator[httpx.AsyncClient]:
    """The portal with the fake calendar; every other service answers 503."""

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "calendar.test":
            return calendar(request)
        if request.url.path == "/me" and request.headers.get("Authorization"):
            return httpx.Response(200, json=A_MEMBER)
        return httpx.Response(503)

    async with mocked_portal(route) as client:
        yield client


# --- the forms' bodies ----------------------------------------------------------------------


def test_only_the_questions_asked_are_answered_and_nothing_else_is_sent() -> None:
    form = RegistrationForm(
        name="Olena Koval",
        email="olena@example.org",
        language="uk",
        interpreter_language="Ukrainisch",
        child_care="2",
        dietary="vegetarisch",
    )
    body, problems = registration_body(form, ["child_care", "dietary"])
    assert problems == {}
    assert body == {
        "name": "Olena Koval",
        "email": "olena@example.org",
        "language": "uk",
        "answers": {
            "interpreter_language": None,
            "child_care": 2,
            "accessibility": None,
            "dietary": "vegetarisch",
        },
    }


@pytest.mark.parametrize("typed", ["11", "-1", "zwei", "2.5"])
def test_a_number_of_children_that_cannot_be_is_pointed_out_before_asking(typed: str) -> None:
    form = RegistrationForm(name="A", email="a@example.org", child_care=typed)
    _, problems = registration_body(form, ["child_care"])
    assert problems == {"child_care": "Bitte geben Sie eine Zahl von 0 bis 10 an."}


def test_a_name_and_an_address_are_needed() -> None:
    _, problems = registration_body(RegistrationForm(), [])
    assert list(problems) == ["name", "email"]


def test_the_set_up_sends_the_deadline_as_berlin_time_and_leaves_out_unknown_questions() -> None:
    form = SetupForm(
        capacity="25",
        deadline_date="2027-01-19",
        deadline_time="12:00",
        places_per_organisation="2",
        questions=["interpreter", "dietary", "shoe_size"],
        open_to="network",
    )
    body, problems = setup_body(form)
    assert problems == {}
    assert body == {
        "capacity": 25,
        "deadline": "2027-01-19T12:00:00+01:00",
        "places_per_organisation": 2,
        "questions": ["interpreter", "dietary"],
        "open_to": "network",
    }


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "10001"}, "capacity"),
        ({"capacity": "viele"}, "capacity"),
        ({"capacity": "5", "deadline_date": "2027-01-19"}, "deadline"),
        ({"capacity": "5", "deadline_date": "2027-03-28", "deadline_time": "02:30"}, "deadline"),
        ({"capacity": "5", "places_per_organisation": "0"}, "places_per_organisation"),
    ],
)
def test_set_ups_that_cannot_work_are_pointed_out(typed: dict[str, Any], field: str) -> None:
    _, problems = setup_body(SetupForm(**typed))
    assert list(problems) == [field]


def test_the_set_up_form_shows_the_deadline_in_berlin() -> None:
    registration = Registration.model_validate({**OPEN, "deadline": "2027-06-19T10:00:00Z"})
    form = SetupForm.of_registration(registration)
    assert (form.deadline_date, form.deadline_time) == ("2027-06-19", "12:00")
    assert (form.capacity, form.places_per_organisation) == ("2", "")


# --- attendance -----------------------------------------------------------------------------

attendance = st.sampled_from([None, True, False])


@given(st.lists(st.tuples(attendance, st.booleans(), st.booleans()), max_size=12))
def test_attendance_changes_only_what_the_form_showed_and_the_organiser_changed(
    rows: list[tuple[bool | None, bool, bool]],
) -> None:
    participants = [
        Participant(id=f"r{i}", state="confirmed", attended=held)
        for i, (held, _, _) in enumerate(rows)
    ]
    shown = [f"r{i}" for i, (_, was_shown, _) in enumerate(rows) if was_shown]
    ticked = [f"r{i}" for i, (_, was_shown, tick) in enumerate(rows) if was_shown and tick]
    changes = attendance_changes(participants, shown, ticked)
    for i, (held, was_shown, tick) in enumerate(rows):
        key = f"r{i}"
        if not was_shown or tick == (held is True) or (held is None and not tick):
            assert key not in changes
        else:
            assert changes[key] is tick


# --- the refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "slug"),
    [
        ("registration.register", "registration-needs-sign-in"),
        ("registration.register", "registration-group-only"),
        ("registration.register", "registration-closed"),
        ("registration.register", "registration-not-found"),
        ("registration.register", "already-registered"),
        ("registration.register", "organisation-places-taken"),
        ("registration.link", "registration-token-invalid"),
        ("registration.link", "registration-token-expired"),
    ],
)
def test_every_slug_of_the_registrations_has_its_own_sentence(action: str, slug: str) -> None:
    assert refusals.knows(action, Problem(409, slug))


# --- the pages ------------------------------------------------------------------------------


async def test_the_event_page_offers_anyone_the_form_with_the_questions_chosen(
    portal: httpx.AsyncClient,
) -> None:
    page = (await portal.get(f"/events/{EVENT}")).text
    assert "Noch 1 von 2 Plätzen frei" in page
    assert "Anmeldeschluss: 19.01.2027 12:00" in page
    assert f'action="/events/{EVENT}/anmelden"' in page
    assert 'name="child_care"' in page
    assert 'name="dietary"' in page
    assert 'name="interpreter_language"' not in page
    assert 'name="organisation_id"' not in page  # only members register for an organisation
    assert "/teilnehmende" not in page


async def test_a_network_registration_asks_to_sign_in_and_offers_no_form(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    calendar.registration["open_to"] = "network"
    page = (await portal.get(f"/events/{EVENT}")).text
    assert "nur Mitglieder des Netzwerks an" in page
    assert "/anmelden" not in page


async def test_a_full_event_offers_the_waiting_list(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    calendar.registration.update(open=False, confirmed=2, seats_left=0, closed_reason="full")
    page = (await portal.get(f"/events/{EVENT}")).text
    assert "Alle Plätze sind vergeben" in page
    assert ">Auf die Warteliste setzen</button>" in page


async def test_an_event_without_registration_shows_no_box(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    calendar.answer(
        "GET", f"/events/{EVENT}/registration", 404, {"type": PROBLEMS + "registration-not-found"}
    )
    page = (await portal.get(f"/events/{EVENT}")).text
    assert "Anmeldung" not in page


def a_registration(**typed: str) -> dict[str, str]:
    return {
        "name": "Olena Koval",
        "email": "olena@example.org",
        "language": "uk",
        "child_care": "2",
        "dietary": "vegetarisch",
        **typed,
    }


async def test_registering_without_an_account_asks_to_confirm_by_email(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    path = f"/events/{EVENT}/registrations"
    calendar.answer("POST", path, 201, {"id": "r-1", "state": "pending", "position": None})
    answer = await portal.post(f"/events/{EVENT}/anmelden", data=a_registration())
    assert answer.status_code == 200
    assert "Fast geschafft" in answer.text
    assert "E-Mail an olena@example.org" in answer.text
    [sent] = calendar.calls("POST", path)
    assert "Authorization" not in sent.headers
    assert json.loads(sent.content)["answers"]["child_care"] == 2


async def test_an_address_already_registered_is_said_and_the_form_kept_as_typed(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    path = f"/events/{EVENT}/registrations"
    calendar.answer("POST", path, 409, {"type": PROBLEMS + "already-registered"})
    answer = await portal.post(f"/events/{EVENT}/anmelden", data=a_registration())
    assert answer.status_code == 409
    assert "Mit dieser E-Mail-Adresse ist schon jemand angemeldet" in answer.text
    for typed in (
        'value="Olena Koval"',
        'value="olena@example.org"',
        'value="2"',
        ">vegetarisch</textarea>",
    ):
        assert typed in answer.text
    assert 'value="uk" lang="uk" selected' in answer.text


async def test_a_field_the_calendar_refuses_is_named(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    error = {"location": "body.email", "message": "not an email", "type": "value_error"}
    calendar.answer(
        "POST",
        f"/events/{EVENT}/registrations",
        422,
        {"type": PROBLEMS + "validation-error", "errors": [error]},
    )
    answer = await portal.post(f"/events/{EVENT}/anmelden", data=a_registration(email="olena@"))
    assert answer.status_code == 422
    assert "Bitte prüfen Sie: E-Mail-Adresse." in answer.text
    assert 'id="feld-email" aria-invalid="true"' in answer.text


async def test_a_calendar_that_is_down_keeps_what_was_typed() -> None:
    async with portal_client() as portal:
        answer = await portal.post(f"/events/{EVENT}/anmelden", data=a_registration())
    assert answer.status_code == 503
    assert "Der Kalender ist gerade nicht erreichbar" in answer.text
    assert 'value="Olena Koval"' in answer.text


@pytest.mark.parametrize(
    ("page", "purpose", "button"),
    [
        ("/anmeldung/bestaetigen", "opt_in", "Anmeldung bestätigen"),
        ("/anmeldung/abmelden", "cancel", "Von dieser Veranstaltung abmelden"),
    ],
)
async def test_a_link_of_an_email_shows_its_button_and_changes_nothing(
    calendar: FakeCalendar, portal: httpx.AsyncClient, page: str, purpose: str, button: str
) -> None:
    linked = {
        "event_id": EVENT,
        "event_title": AN_EVENT["title"],
        "starts_at": AN_EVENT["starts_at"],
        "state": "pending" if purpose == "opt_in" else "confirmed",
        "purpose": purpose,
    }
    calendar.answer("GET", "/registrations/by-token", 200, linked)
    shown = await portal.get(page, params={"token": TOKEN})
    assert shown.status_code == 200
    assert f">{button}</button>" in shown.text
    assert f'value="{TOKEN}"' in shown.text
    assert [r.method for r in calendar.seen] == ["GET"]
    other = await portal.get(
        "/anmeldung/abmelden" if purpose == "opt_in" else "/anmeldung/bestaetigen",
        params={"token": TOKEN},
    )
    assert other.status_code == 404  # a link opened on the other page does nothing either


async def test_the_confirm_button_confirms_and_says_the_waiting_list_place(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    calendar.answer(
        "POST",
        "/registrations/confirm",
        200,
        {"event_id": EVENT, "state": "waiting", "position": 3},
    )
    answer = await portal.post("/anmeldung/bestaetigen", data={"token": TOKEN})
    assert answer.status_code == 200
    assert "Platz 3 der Warteliste" in answer.text
    [sent] = calendar.calls("POST", "/registrations/confirm")
    assert json.loads(sent.content) == {"token": TOKEN}


@pytest.mark.parametrize(
    ("status", "slug", "says"),
    [
        (404, "registration-token-invalid", "ungültig oder wurde schon benutzt"),
        (410, "registration-token-expired", "Dieser Link ist abgelaufen"),
    ],
)
async def test_a_link_that_no_longer_works_says_why(
    calendar: FakeCalendar, portal: httpx.AsyncClient, status: int, slug: str, says: str
) -> None:
    calendar.answer("POST", "/registrations/confirm", status, {"type": PROBLEMS + slug})
    answer = await portal.post("/anmeldung/bestaetigen", data={"token": TOKEN})
    assert answer.status_code == status
    assert says in answer.text


async def test_the_spreadsheet_is_passed_through_byte_for_byte(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    sheet = "\ufeffName;E-Mail\r\nOlena Koval;olena@example.org\r\n".encode()
    path = f"/events/{EVENT}/registrations.csv"
    calendar.answers[("GET", path)] = httpx.Response(
        200, content=sheet, headers={"Content-Type": "text/csv"}
    )
    portal.cookies.set("inx_session", "a-session-token")
    answer = await portal.get(f"/events/{EVENT}/teilnehmende.csv")
    assert answer.status_code == 200
    assert answer.content == sheet
    assert answer.headers["content-type"].startswith("text/csv")
    assert re.search(
        r'attachment; filename="teilnehmende-\w+\.csv"', answer.headers["content-disposition"]
    )
    [asked] = calendar.calls("GET", path)
    assert asked.headers["Authorization"] == "Bearer a-session-token"


async def test_others_than_organisers_are_told_the_participants_are_not_theirs(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    calendar.answer("GET", f"/events/{EVENT}/registrations", 403, {"type": PROBLEMS + "forbidden"})
    portal.cookies.set("inx_session", "a-session-token")
    answer = await portal.get(f"/events/{EVENT}/teilnehmende")
    assert answer.status_code == 403
    assert "sehen nur die Veranstalter" in answer.text


async def test_a_member_registers_for_her_organisation_and_the_organisers_links_are_shown(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    portal.cookies.set("inx_session", "a-session-token")
    page = (await portal.get(f"/events/{EVENT}")).text
    assert 'value="Ayşe Demir"' in page
    assert 'value="ayse@linde.example"' in page
    assert f'<option value="{ORGANISATION}" selected>Nachbarschaftstreff Linde</option>' in page
    assert f'href="/events/{EVENT}/teilnehmende"' in page  # her organisation organises it

    path = f"/events/{EVENT}/registrations"
    calendar.answer("POST", path, 201, {"id": "r-1", "state": "confirmed", "position": None})
    typed = a_registration(name="Ayşe Demir", organisation_id=ORGANISATION)
    answer = await portal.post(f"/events/{EVENT}/anmelden", data=typed)
    assert "Sie sind angemeldet." in answer.text
    [sent] = calendar.calls("POST", path)
    assert sent.headers["Authorization"] == "Bearer a-session-token"
    assert json.loads(sent.content)["organisation_id"] == ORGANISATION


async def test_my_registrations_are_on_my_page_with_a_button_to_cancel(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    mine = [
        {
            "registration_id": "01a20175-6dad-718f-a12c-c0b9a10eb0f1",
            "event_id": EVENT,
            "event_title": AN_EVENT["title"],
            "starts_at": AN_EVENT["starts_at"],
            "state": "waiting",
            "position": 2,
        }
    ]
    calendar.answer("GET", "/me/registrations", 200, mine)
    portal.cookies.set("inx_session", "a-session-token")
    page = (await portal.get("/me")).text
    assert "Meine Anmeldungen" in page
    assert "auf der Warteliste</strong> (Platz 2)" in page
    assert f'action="/events/{EVENT}/teilnehmende/{mine[0]["registration_id"]}/abmelden"' in page

    calendar.answer(
        "DELETE", f"/events/{EVENT}/registrations/{mine[0]['registration_id']}", 204, None
    )
    cancelled = await portal.post(
        f"/events/{EVENT}/teilnehmende/{mine[0]['registration_id']}/abmelden",
        data={"zurueck": "me"},
    )
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == "/me#anmeldungen"


async def test_the_participants_page_shows_the_answers_and_records_who_came(
    calendar: FakeCalendar, portal: httpx.AsyncClient
) -> None:
    came, absent = "01a20175-6dad-718f-a12c-c0b9a10eb0f1", "01a20175-6dad-718f-a12c-c0b9a10eb0f2"
    registrations = [
        {
            "id": came,
            "name": "Olena Koval",
            "email": "olena@example.org",
            "state": "confirmed",
            "created_at": "2027-01-02T10:00:00Z",
            "attended": None,
            "answers": {"child_care": 2, "dietary": "vegetarisch"},
        },
        {
            "id": absent,
            "name": "Kemal Aydın",
            "email": "kemal@example.org",
            "state": "confirmed",
            "created_at": "2027-01-03T10:00:00Z",
            "attended": True,
            "answers": {},
        },
    ]
    calendar.answer("GET", f"/events/{EVENT}/registrations", 200, registrations)
    portal.cookies.set("inx_session", "a-session-token")
    page = (await portal.get(f"/events/{EVENT}/teilnehmende")).text
    assert "Olena Koval" in page
    assert "vegetarisch" in page
    assert f'value="{absent}" id="kam-{absent}" checked' in page

    for registration_id in (came, absent):
        calendar.answer(
            "PUT", f"/events/{EVENT}/registrations/{registration_id}/attendance", 200, {}
        )
    saved = await portal.post(
        f"/events/{EVENT}/teilnehmende",
        data={"shown": [came, absent], "attended": [came]},
    )
    assert saved.status_code == 303
    put = [r for r in calendar.seen if r.method == "PUT"]
    assert {(r.url.path.split("/")[-2], json.loads(r.content)["attended"]) for r in put} == {
        (came, True),
        (absent, False),
    }
