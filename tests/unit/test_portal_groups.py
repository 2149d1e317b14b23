"""Working groups in the portal without the services: the group form read and turned into the
calendar's JSON, what a group's page offers whom (`GroupView`), the calendar client's paths
and bodies, and a meeting document passed through as an attachment. The transport alone is
replaced (`httpx.MockTransport`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.datastructures import FormData

from services.portal.clients import Clients
from services.portal.clients.base import Download, FieldError, Problem
from services.portal.clients.calendar import Contact, Group, Membership
from services.portal.clients.directory import OrganisationRef, Person
from services.portal.document_pages import as_download, attachment, file_name
from services.portal.event_forms import EventForm
from services.portal.group_forms import MOST_CONTACTS, GroupForm, group_refusal
from services.portal.group_pages import GroupView
from services.portal.members import choices_again
from services.portal.web import Session
from tests.support.portal import mocked_clients

GROUP = "01a2f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7c"
COORDINATOR = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
MEMBER = "01a20175-6e13-7012-9a1c-8de746c2ce99"
ASKING = "01a20175-6e35-7420-942f-2edfc88e1cc8"
INVITED = "01a20175-6e55-7420-942f-2edfc88e1cc9"
OUTSIDER = "01a20175-6e75-7420-942f-2edfc88e1cca"
EVENT = "01a20175-7000-7420-942f-2edfc88e1ccb"
NAMES = {
    COORDINATOR: "Amt für Integration",
    MEMBER: "Kulturbrücke Nordstadt",
    ASKING: "FC Anadolu",
    INVITED: "Nachbarschaftstreff Linde",
    OUTSIDER: "Frauencafé Süd",
}


def a_group(**shown: Any) -> Group:
    members = [
        Membership(organisation_id=COORDINATOR, state="member"),
        Membership(organisation_id=MEMBER, state="member"),
        Membership(organisation_id=ASKING, state="requested"),
        Membership(organisation_id=INVITED, state="invited"),
    ]
    values: dict[str, Any] = {
        "id": GROUP,
        "name": "Netzwerk der Communitys",
        "coordinator_id": COORDINATOR,
        "visibility": "network",
        "members": members,
    }
    return Group.model_validate({**values, **shown})


def someone_of(*organisation_ids: str, role: str = "editor") -> Person:
    organisations = [OrganisationRef(id=o, name=NAMES[o]) for o in organisation_ids]
    return Person(person_id="p-1", email="a@example.org", role=role, organisations=organisations)


# --- the form -------------------------------------------------------------------------------


def test_the_form_becomes_the_calendars_group_with_the_filled_in_contacts_only() -> None:
    typed = FormData(
        [
            ("name", "  Netzwerk der Communitys "),
            ("purpose", "Austausch zweimal im Jahr"),
            ("coordinator_id", COORDINATOR),
            ("visibility", "office"),
            ("contacts.0.name", "Olena Kovalenko"),
            ("contacts.0.email", "olena@example.org"),
            ("contacts.1.name", ""),
            ("contacts.2.name", "Emre Yıldız"),
            ("contacts.2.role", "Sprecher"),
        ]
    )
    form = GroupForm.of(typed)

    assert form.calendar_body(founding=True) == {
        "name": "Netzwerk der Communitys",
        "purpose": "Austausch zweimal im Jahr",
        "coordinator_id": COORDINATOR,
        "visibility": "office",
        "contacts": [
            {"name": "Olena Kovalenko", "email": "olena@example.org"},
            {"name": "Emre Yıldız", "role": "Sprecher"},
        ],
    }
    changed = form.calendar_body(founding=False)
    assert "coordinator_id" not in changed
    assert changed["status"] == "active"


def test_a_form_left_without_visibility_founds_a_group_of_the_network() -> None:
    form = GroupForm.of(FormData([("name", "Runder Tisch")]))
    assert form.visibility == "network"
    assert form.contacts == []
    assert len(form.contact_rows) == 2


def test_the_form_shows_the_groups_contacts_and_room_for_more_up_to_ten() -> None:
    contacts = [Contact(name=f"Person {n}", email=None) for n in range(MOST_CONTACTS)]
    full = GroupForm.of_group(a_group(contacts=contacts))
    assert len(full.contact_rows) == MOST_CONTACTS
    one = GroupForm.of_group(a_group(contacts=[Contact(name="Olena", phone="0231 1234")]))
    assert [row.name for row in one.contact_rows] == ["Olena", "", ""]
    assert one.contact_rows[0].phone == "0231 1234"


def test_a_refused_contact_is_named_by_its_field_and_a_known_slug_by_its_sentence() -> None:
    invalid = Problem(
        422,
        errors=[FieldError(location="body.contacts.1.email", message="not an email", type="x")],
    )
    message, problems = group_refusal(invalid, founding=True)
    assert message == "Bitte prüfen Sie: Ansprechpersonen."
    assert list(problems) == ["contacts"]

    archived, none = group_refusal(Problem(409, "organisation-archived"), founding=True)
    assert "nicht mehr im Netzwerk" in archived
    assert none == {}


def test_a_meeting_is_planned_with_its_group_and_topic() -> None:
    typed = FormData(
        [
            ("organisation_id", COORDINATOR),
            ("title", "Zweites Treffen"),
            ("date", "2027-06-20"),
            ("starts", "17:00"),
            ("ends", "19:00"),
            ("group_id", GROUP),
            ("topic", "Projektförderung einwerben"),
        ]
    )
    body = EventForm.of(typed).calendar_body()
    assert body["group_id"] == GROUP
    assert body["topic"] == "Projektförderung einwerben"
    assert "group_id" not in EventForm.of(FormData(list(typed.items())[:5])).calendar_body()


async def test_a_refused_form_keeps_the_typed_organisation_while_the_directory_is_down() -> None:
    directory = mocked_clients(lambda request: httpx.Response(503)).directory
    choices = await choices_again(Session("t", directory), COORDINATOR)
    assert choices.organisations == [(COORDINATOR, "Ihre gewählte Organisation")]
    assert not choices.is_admin


# --- what the page offers whom ----------------------------------------------------------------


def test_the_coordinators_member_manages_and_may_invite_whoever_is_not_in_the_group() -> None:
    view = GroupView.of(a_group(may_manage=True), someone_of(COORDINATOR), NAMES)

    assert view.members == [COORDINATOR, MEMBER]  # the coordinator first
    assert view.requested == [ASKING]
    assert view.invited == [INVITED]
    assert view.may_invite == [(OUTSIDER, "Frauencafé Süd")]
    assert view.may_ask == []
    assert view.may_leave == []  # the coordinator cannot leave


def test_a_member_of_an_outside_organisation_may_ask_to_join_and_an_invited_one_answer() -> None:
    view = GroupView.of(a_group(), someone_of(OUTSIDER, INVITED, MEMBER), NAMES)

    assert view.may_ask == [(OUTSIDER, "Frauencafé Süd")]
    assert view.invited_mine == [(INVITED, "Nachbarschaftstreff Linde")]
    assert view.may_leave == [(MEMBER, "Kulturbrücke Nordstadt")]
    assert view.may_invite == []


def test_nobody_is_offered_anything_in_an_archived_group_or_when_signed_out() -> None:
    for view in (
        GroupView.of(a_group(status="archived"), someone_of(OUTSIDER), NAMES),
        GroupView.of(a_group(), None, NAMES),
    ):
        assert (view.may_ask, view.invited_mine, view.may_leave, view.may_invite) == (
            [],
            [],
            [],
            [],
        )
    assert GroupView.of(a_group(), None, {}).name(MEMBER) == "eine Organisation"


# --- the client -------------------------------------------------------------------------------


def recording(answer: httpx.Response, seen: list[httpx.Request]) -> Clients:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return mocked_clients(handler)


async def test_the_client_asks_the_calendar_at_the_paths_of_the_specification() -> None:
    seen: list[httpx.Request] = []
    client = recording(httpx.Response(200, json=a_group().model_dump()), seen).calendar
    await client.ask_to_join(GROUP, MEMBER, "t")
    await client.invite_to_group(GROUP, OUTSIDER, "t")
    await client.answer_membership(GROUP, ASKING, "accept", "t")
    await client.answer_membership(GROUP, MEMBER, "remove", "t")
    await client.delete_document(EVENT, "t")

    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", f"/groups/{GROUP}/join-requests"),
        ("POST", f"/groups/{GROUP}/invitations"),
        ("POST", f"/groups/{GROUP}/members/{ASKING}/accept"),
        ("DELETE", f"/groups/{GROUP}/members/{MEMBER}"),
        ("DELETE", f"/documents/{EVENT}"),
    ]
    assert seen[0].content == b'{"organisation_id":"' + MEMBER.encode() + b'"}'
    assert all(r.headers["Authorization"] == "Bearer t" for r in seen)


async def test_a_group_is_read_with_its_members_contacts_and_what_the_reader_may_do() -> None:
    body = {
        **a_group().model_dump(),
        "contacts": [{"name": "Olena", "email": "olena@example.org", "phone": None}],
        "may_manage": True,
        "is_member": True,
        "member_count": 2,
        "created_at": "2026-12-01T10:00:00+01:00",
    }
    seen: list[httpx.Request] = []
    group = await recording(httpx.Response(200, json=body), seen).calendar.group(GROUP, None)
    assert group.in_state("member") == [COORDINATOR, MEMBER]
    assert group.contacts[0].email == "olena@example.org"
    assert group.may_manage
    assert group.is_member
    assert "Authorization" not in seen[0].headers


async def test_past_meetings_are_asked_for_with_past_true() -> None:
    seen: list[httpx.Request] = []
    answer = httpx.Response(200, json={"items": [], "total": 0, "next_offset": None})
    await recording(answer, seen).calendar.meetings(GROUP, "t", past=True)
    assert seen[0].url.path == f"/groups/{GROUP}/meetings"
    assert seen[0].url.params["past"] == "true"


async def test_a_document_is_uploaded_as_multipart_with_its_title() -> None:
    seen: list[httpx.Request] = []
    answer = httpx.Response(201, json={"id": EVENT, "filename": "protokoll.pdf", "size": 9})
    file = ("protokoll.pdf", b"%PDF-1.7\n", "application/pdf")
    uploaded = await recording(answer, seen).calendar.upload_document(EVENT, file, "Protokoll", "t")
    assert uploaded.filename == "protokoll.pdf"
    sent = seen[0]
    assert sent.url.path == f"/events/{EVENT}/documents"
    assert sent.headers["Content-Type"].startswith("multipart/form-data")
    content = sent.read()
    assert b'name="file"; filename="protokoll.pdf"' in content
    assert b'name="title"' in content
    assert b"Protokoll" in content


# --- the download -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        ('attachment; filename="protokoll.pdf"', "protokoll.pdf"),
        ("attachment; filename*=UTF-8''Tagesordnung%20M%C3%A4rz.odt", "Tagesordnung März.odt"),
        (
            'attachment; filename="Tagesordnung M_rz.odt"; '
            "filename*=UTF-8''Tagesordnung%20M%C3%A4rz.odt",
            "Tagesordnung März.odt",
        ),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ("attachment", "dokument"),
        ("", "dokument"),
    ],
)
def test_the_file_name_is_read_from_the_calendars_disposition(disposition: str, name: str) -> None:
    assert file_name(disposition) == name


def test_a_document_is_always_an_attachment_and_only_a_pdf_or_odt_keeps_its_type() -> None:
    pdf = as_download(
        Download(
            content=b"%PDF-1.7",
            media_type="application/pdf",
            disposition="attachment; filename*=UTF-8''Protokoll%20M%C3%A4rz.pdf",
        )
    )
    assert pdf.media_type == "application/pdf"
    assert pdf.headers["Content-Disposition"] == (
        "attachment; filename=\"Protokoll M_rz.pdf\"; filename*=UTF-8''Protokoll%20M%C3%A4rz.pdf"
    )
    html = as_download(Download(content=b"<script>", media_type="text/html", disposition=""))
    assert html.media_type == "application/octet-stream"
    assert html.headers["Content-Disposition"].startswith('attachment; filename="dokument"')
    assert attachment('a"b\r\n.pdf').startswith('attachment; filename="a_b__.pdf"')
