"""The use cases of working groups on the in-memory repositories: who may found, join, invite,
accept and leave, the emails each step sends, the rules of a group's meetings and their
invitations (once per version of a meeting)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.calendar.group_schemas import GroupCreate, GroupPatch
from services.calendar.group_service import Groups
from services.calendar.groups import Group
from services.calendar.inputs import EventCreate, EventPatch
from services.calendar.meetings import MeetingMail, MeetingNotices
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from shared.auth import Principal
from shared.clock import utc_now
from shared.contracts.calendar import EventFacts, GroupCreated, GroupUpdated
from shared.contracts.notifier import CalendarMethod, EmailTemplate, SendEmail
from shared.errors import ApplicationError
from shared.ids import new_id
from shared.pages import Paging
from tests.support.in_memory_calendar import InMemoryCalendarStore
from tests.support.in_memory_groups import InMemoryGroupStore
from tests.support.principals import OFFICE, member_of

COORDINATOR, MRIYA, LINDE, SILENT = new_id(), new_id(), new_id(), new_id()
NEXT_YEAR = utc_now().year + 1
PORTAL = "https://portal.example"


class Setup:
    def __init__(self) -> None:
        self.events = InMemoryCalendarStore()
        for organisation_id, name, email in (
            (COORDINATOR, "Integrationsbüro", "buero@example.org"),
            (MRIYA, "Verein Mriya", "info@mriya.example"),
            (LINDE, "Treff Linde", "treff@linde.example"),
            (SILENT, "Ohne Adresse e.V.", None),
        ):
            language = "uk" if organisation_id == MRIYA else "de"
            self.events.know(organisation_id, name, email=email, language=language)
        self.store = InMemoryGroupStore(self.events)
        self.calendar = Calendar(self.events, CalendarSettings(_env_file=None))
        self.notices = MeetingNotices(self.store, MeetingMail(PORTAL, "kalender@example.org"))
        self.groups = Groups(self.store, self.notices, self.calendar.require_active)
        self.calendar.event_rules = self.groups.check_meeting

    async def found(self, **fields: Any) -> Group:
        data = GroupCreate.model_validate(
            {"name": "Netzwerk der Communitys", "coordinator_id": COORDINATOR, **fields}
        )
        return await self.groups.found(data, member_of(COORDINATOR), None)

    async def with_members(self) -> Group:
        group = await self.found()
        await self.groups.ask_to_join(group.id, MRIYA, member_of(MRIYA), None)
        await self.groups.accept(group.id, MRIYA, member_of(COORDINATOR), None)
        await self.groups.invite(group.id, LINDE, member_of(COORDINATOR), None)
        return await self.groups.accept(group.id, LINDE, member_of(LINDE), None)

    async def meeting(self, group_id: str, user: Principal | None = None, **fields: Any) -> str:
        data = EventCreate.model_validate(
            {
                "organisation_id": COORDINATOR,
                "title": "Treffen der Arbeitsgruppe",
                "starts_at": f"{NEXT_YEAR}-06-20T14:00:00+02:00",
                "ends_at": f"{NEXT_YEAR}-06-20T16:00:00+02:00",
                "visibility": "network",
                "group_id": group_id,
                "topic": "Fördermittel",
                **fields,
            }
        )
        saved = await self.calendar.plan(data, user or member_of(COORDINATOR), None)
        return saved.event.id

    def emails(self) -> list[SendEmail]:
        return [m for m in self.store.published if isinstance(m, SendEmail)]


async def refused(slug: str, step: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        await step
    assert caught.value.slug == slug


async def test_a_member_of_the_coordinator_founds_a_group_and_the_stream_hears_of_it() -> None:
    setup = Setup()
    group = await setup.found(contacts=[{"name": "Ayşe Demir", "email": "ayse@example.org"}])
    [created] = setup.store.published
    assert isinstance(created, GroupCreated)
    assert created.group_id == group.id
    await refused(
        "forbidden",
        setup.groups.found(
            GroupCreate(name="X", coordinator_id=COORDINATOR), member_of(MRIYA), None
        ),
    )
    await refused(
        "unknown-organisation",
        setup.groups.found(GroupCreate(name="X", coordinator_id=new_id()), OFFICE, None),
    )


async def test_joining_tells_the_coordinator_and_inviting_tells_the_invited() -> None:
    setup = Setup()
    group = await setup.found()
    await setup.groups.ask_to_join(group.id, MRIYA, member_of(MRIYA), None)
    again = await setup.groups.ask_to_join(group.id, MRIYA, member_of(MRIYA), None)
    assert again.state_of(MRIYA) == "requested"
    await setup.groups.invite(group.id, LINDE, member_of(COORDINATOR), None)
    asked, invited = setup.emails()
    assert asked.template is EmailTemplate.GROUP_JOIN_REQUESTED
    assert asked.to == "buero@example.org"
    assert asked.params["organisation_name"] == "Verein Mriya"
    assert asked.params["group_link"] == f"{PORTAL}/arbeitsgruppen/{group.id}"
    assert invited.template is EmailTemplate.GROUP_INVITATION
    assert invited.to == "treff@linde.example"
    assert invited.params["coordinator_name"] == "Integrationsbüro"
    assert invited.requested_by_service == "calendar"


async def test_who_may_accept_invite_and_remove() -> None:
    setup = Setup()
    group = await setup.found()
    await setup.groups.ask_to_join(group.id, MRIYA, member_of(MRIYA), None)
    await refused("forbidden", setup.groups.accept(group.id, MRIYA, member_of(MRIYA), None))
    await refused("forbidden", setup.groups.invite(group.id, LINDE, member_of(MRIYA), None))
    await refused("forbidden", setup.groups.ask_to_join(group.id, LINDE, member_of(MRIYA), None))
    await setup.groups.invite(group.id, LINDE, member_of(COORDINATOR), None)
    await refused("forbidden", setup.groups.accept(group.id, LINDE, member_of(COORDINATOR), None))
    await refused(
        "membership-not-found", setup.groups.accept(group.id, SILENT, member_of(SILENT), None)
    )
    await setup.groups.accept(group.id, MRIYA, member_of(COORDINATOR), None)
    await refused(
        "already-member", setup.groups.ask_to_join(group.id, MRIYA, member_of(MRIYA), None)
    )
    await refused(
        "coordinator-cannot-leave",
        setup.groups.remove(group.id, COORDINATOR, member_of(COORDINATOR), None),
    )
    await refused("forbidden", setup.groups.remove(group.id, MRIYA, member_of(LINDE), None))
    left = await setup.groups.remove(group.id, MRIYA, member_of(MRIYA), None)
    assert left.member_ids == [COORDINATOR]
    updates = [m for m in setup.store.published if isinstance(m, GroupUpdated)]
    assert [u.member_ids for u in updates] == [[COORDINATOR, MRIYA], [COORDINATOR]]


async def test_an_office_group_is_unseen_by_others_and_only_managers_change_it() -> None:
    setup = Setup()
    group = await setup.found(visibility="office")
    assert setup.store.published == []  # never on the stream
    await refused("group-not-found", setup.groups.visible_group(group.id, member_of(MRIYA)))
    assert await setup.groups.seen_by(member_of(MRIYA), Paging(10, 0)) == ([], 0)
    assert (await setup.groups.seen_by(OFFICE, Paging(10, 0)))[1] == 1
    await refused(
        "group-not-found",
        setup.groups.change(group.id, GroupPatch(name="Neu"), member_of(MRIYA), None),
    )
    changed = await setup.groups.change(group.id, GroupPatch(name="Neu"), OFFICE, None)
    assert changed.name == "Neu"


async def test_a_meeting_is_planned_by_the_coordinator_no_wider_than_its_group() -> None:
    setup = Setup()
    group = await setup.with_members()
    await refused("visibility-wider-than-group", setup.meeting(group.id, visibility="public"))
    # Mriya does not manage the group; office staff do, but the organiser must be the coordinator
    await refused("forbidden", setup.meeting(group.id, member_of(MRIYA), organisation_id=MRIYA))
    await refused("group-meeting-organiser", setup.meeting(group.id, OFFICE, organisation_id=MRIYA))
    event_id = await setup.meeting(group.id)
    meetings, total = await setup.groups.meetings(group.id, member_of(MRIYA), Paging(10, 0))
    assert total == 1
    assert meetings[0].id == event_id
    assert meetings[0].topic == "Fördermittel"
    await refused(
        "visibility-wider-than-group",
        setup.calendar.change(
            event_id, EventPatch(visibility="public"), member_of(COORDINATOR), None
        ),
    )


async def test_a_meeting_stays_in_its_group() -> None:
    setup = Setup()
    group = await setup.with_members()
    other = await setup.found(name="Runder Tisch Bildung")
    event_id = await setup.meeting(group.id)
    for elsewhere in (None, other.id):
        await refused(
            "meeting-stays-in-its-group",
            setup.calendar.change(
                event_id, EventPatch(group_id=elsewhere), member_of(COORDINATOR), None
            ),
        )
    [meeting] = [e for e in _facts_published(setup) if e.event_id == event_id]
    assert meeting.group_id == group.id


def _facts_published(setup: Setup) -> list[EventFacts]:
    return [m for m in setup.events.published if isinstance(m, EventFacts)]


async def test_each_version_of_a_meeting_is_sent_once_to_every_member_with_an_address() -> None:
    setup = Setup()
    group = await setup.with_members()
    await setup.groups.invite(group.id, SILENT, member_of(COORDINATOR), None)
    await setup.groups.accept(group.id, SILENT, member_of(SILENT), None)  # has no address
    before = len(setup.emails())
    event_id = await setup.meeting(group.id)
    [scheduled] = _facts_published(setup)
    assert await setup.notices.event_changed(scheduled, None) == 3  # coordinator, Mriya, Linde
    assert await setup.notices.event_changed(scheduled, None) == 0  # once
    invitations = setup.emails()[before:]
    assert {e.to for e in invitations} == {
        "buero@example.org",
        "info@mriya.example",
        "treff@linde.example",
    }
    mriya = next(e for e in invitations if e.to == "info@mriya.example")
    assert mriya.template is EmailTemplate.MEETING_INVITATION
    assert mriya.language == "uk"
    assert mriya.calendar is not None
    assert mriya.calendar.method is CalendarMethod.REQUEST
    assert f"UID:{event_id}@integrationsnetz" in mriya.calendar.ics
    assert mriya.params["topic"] == "Fördermittel"
    assert mriya.params["event_link"] == f"{PORTAL}/events/{event_id}"
    assert mriya.params["all_day"] == "false"

    async def told() -> int:
        return await setup.notices.event_changed(_facts_published(setup)[-1], None)

    await setup.calendar.change(
        event_id, EventPatch(languages=["de"]), member_of(COORDINATOR), None
    )
    assert await told() == 0  # languages are not worth an email
    await setup.calendar.change(
        event_id,
        EventPatch(starts_at=dt.datetime(NEXT_YEAR, 6, 21, 12, tzinfo=dt.UTC)),
        member_of(COORDINATOR),
        None,
    )
    assert await told() == 3
    await setup.calendar.cancel(event_id, None, "Krank", member_of(COORDINATOR), None)
    assert await told() == 3
    moved, cancelled = setup.emails()[before + 3 : before + 6], setup.emails()[before + 6 :]
    assert {e.template for e in moved} == {EmailTemplate.MEETING_RESCHEDULED}
    assert all(e.calendar and "SEQUENCE:2" in e.calendar.ics for e in moved)
    assert {e.template for e in cancelled} == {EmailTemplate.MEETING_CANCELLED}
    assert all(e.calendar and e.calendar.method is CalendarMethod.CANCEL for e in cancelled)


async def test_an_older_version_of_a_meeting_is_not_sent_after_a_newer_one() -> None:
    setup = Setup()
    group = await setup.with_members()
    event_id = await setup.meeting(group.id)
    await setup.calendar.change(event_id, EventPatch(title="Neu"), member_of(COORDINATOR), None)
    scheduled, updated = _facts_published(setup)
    assert await setup.notices.event_changed(scheduled, None) == 0
    assert await setup.notices.event_changed(updated, None) == 3


async def test_joining_sends_the_coming_meetings_and_leaving_cancels_them() -> None:
    setup = Setup()
    group = await setup.with_members()
    event_id = await setup.meeting(group.id)
    await setup.groups.invite(group.id, SILENT, member_of(COORDINATOR), None)
    before = len(setup.emails())
    await setup.groups.remove(group.id, LINDE, member_of(LINDE), None)
    [cancel] = setup.emails()[before:]
    assert cancel.to == "treff@linde.example"
    assert cancel.template is EmailTemplate.MEETING_CANCELLED
    await setup.groups.ask_to_join(group.id, LINDE, member_of(LINDE), None)
    await setup.groups.accept(group.id, LINDE, member_of(COORDINATOR), None)
    invitation = setup.emails()[-1]
    assert invitation.template is EmailTemplate.MEETING_INVITATION
    assert invitation.to == "treff@linde.example"
    assert invitation.calendar is not None
    assert f"UID:{event_id}@integrationsnetz" in invitation.calendar.ics
