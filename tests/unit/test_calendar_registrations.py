"""Registering for events, on the in-memory repositories: members at once, anyone else by the
email's link, the waiting list, cancelling, who may see and do what, what the registrants are
told of their event's changes, and the periodic reminders, deadlines and retention."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from services.calendar.domain import Event
from services.calendar.inputs import EventCreate
from services.calendar.registration_jobs import EventNews, RegistrationJobs
from services.calendar.registration_reading import RegistrationReading
from services.calendar.registrations import NewRegistration, Registrations
from services.calendar.roster import Answers, RegistrationSettings
from services.calendar.service import Calendar
from services.calendar.settings import CalendarSettings
from shared.auth import Principal
from shared.contracts.calendar import (
    RegistrationChanged,
    RegistrationClosed,
    RegistrationCounts,
    RegistrationOpened,
    RegistrationOpenTo,
)
from shared.contracts.notifier import CalendarMethod, SendEmail
from shared.errors import (
    ConflictError,
    ForbiddenError,
    GoneError,
    NotFoundError,
    UnauthenticatedError,
)
from shared.ids import new_id
from shared.pages import Paging
from tests.support.in_memory_calendar import InMemoryCalendarStore
from tests.support.in_memory_registrations import FixedGroups, InMemoryRosters
from tests.support.principals import OFFICE, member_of

MRIYA = new_id()
LINDE = new_id()
PORTAL = "https://portal.example.org"


ORGANISER = member_of(MRIYA)


@dataclass
class Clock:
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0))

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class World:
    store: InMemoryCalendarStore
    rosters: InMemoryRosters
    registrations: Registrations
    clock: Clock
    event_id: str = ""

    @property
    def reading(self) -> RegistrationReading:
        return RegistrationReading(self.registrations)

    @property
    def jobs(self) -> RegistrationJobs:
        return RegistrationJobs(self.registrations)

    def event(self) -> Event:
        return self.store.event(self.event_id)

    def replace_event(self, event: Event) -> None:
        _, version = self.store.events[self.event_id]
        self.store.events[self.event_id] = (event, version + 1)

    def emails(self, template: str | None = None) -> list[SendEmail]:
        sent = [m for m in self.rosters.published if isinstance(m, SendEmail)]
        return [m for m in sent if template is None or m.template.value == template]

    def counts(self) -> list[RegistrationCounts]:
        return [m for m in self.rosters.published if isinstance(m, RegistrationCounts)]

    async def set_up(self, capacity: int = 2, **settings: Any) -> None:
        config = RegistrationSettings(capacity=capacity, **settings)
        await self.registrations.configure(self.event_id, config, ORGANISER, None)

    async def member_registers(self, name: str, user: Principal | None = None, **data: Any) -> Any:
        user = user or member_of(LINDE)
        email = f"{name.lower()}@example.org"
        return await self.registrations.register(
            self.event_id, NewRegistration(name=name, email=email, **data), user, None
        )


async def world(*, days_ahead: int = 20, **event_fields: Any) -> World:
    store = InMemoryCalendarStore()
    store.know(MRIYA, "Verein Mriya")
    store.know(LINDE, "Treff Linde")
    settings = CalendarSettings(_env_file=None, public_base_url=PORTAL)
    calendar = Calendar(store, settings)
    clock = Clock()
    start = clock.now + dt.timedelta(days=days_ahead)
    data = EventCreate.model_validate(
        {
            "organisation_id": MRIYA,
            "title": "Elterncafé",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "venue": {"name": "Stadtteilzentrum", "room": "Saal 2"},
            **event_fields,
        }
    )
    saved = await calendar.plan(data, ORGANISER, None)
    rosters = InMemoryRosters()
    registrations = Registrations(calendar, rosters, FixedGroups(), clock=clock)
    return World(store, rosters, registrations, clock, saved.event.id)


async def ana_seated_and_ben_waiting(*, days_ahead: int = 20) -> World:
    """An event with one seat: Ana (ana@example.org) has it, Ben is first on the waiting list."""
    w = await world(days_ahead=days_ahead)
    await w.set_up(capacity=1)
    await w.member_registers("Ana")
    await w.member_registers("Ben")
    return w


def token_of(email: SendEmail, param: str) -> str:
    found = re.search(r"token=(\S+)$", email.params[param])
    assert found, email.params[param]
    return found.group(1)


async def test_members_take_the_seats_and_then_wait_in_order() -> None:
    w = await world()
    await w.set_up(capacity=2)
    assert isinstance(w.counts()[-1], RegistrationOpened)
    first = await w.member_registers("Ana")
    second = await w.member_registers("Ben")
    third = await w.member_registers("Cem")
    fourth = await w.member_registers("Dua")
    assert [s.state for s in (first, second, third, fourth)] == [
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    assert (third.position, fourth.position) == (1, 2)
    confirmed = w.emails("registration_confirmed")
    assert [e.to for e in confirmed] == ["ana@example.org", "ben@example.org"]
    assert confirmed[0].calendar is not None
    assert confirmed[0].calendar.method is CalendarMethod.REQUEST
    assert "METHOD:REQUEST" in confirmed[0].calendar.ics
    assert confirmed[0].params["cancel_link"].startswith(f"{PORTAL}/anmeldung/abmelden?token=")
    assert confirmed[0].params["venue"] == "Stadtteilzentrum, Saal 2"
    assert confirmed[0].requested_by_service == "calendar"
    waitlisted = w.emails("registration_waitlisted")
    assert [e.params["position"] for e in waitlisted] == ["1", "2"]
    assert waitlisted[0].calendar is None
    closed = [c for c in w.counts() if isinstance(c, RegistrationClosed)]
    assert [c.reason for c in closed] == ["full"]
    assert w.counts()[-1].model_dump()["waiting"] == 2


async def test_a_cancellation_promotes_exactly_the_first_waiting() -> None:
    w = await ana_seated_and_ben_waiting()
    await w.member_registers("Cem")
    ana = w.emails("registration_confirmed")[0]
    seat = await w.registrations.cancel_by_token(token_of(ana, "cancel_link"), None)
    assert seat.state == "cancelled"
    [cancelled] = w.emails("registration_cancelled")
    assert cancelled.calendar is not None
    assert cancelled.calendar.method is CalendarMethod.CANCEL
    [promoted] = w.emails("registration_promoted")
    assert promoted.to == "ben@example.org"
    assert promoted.calendar is not None
    assert promoted.calendar.method is CalendarMethod.REQUEST
    roster = await w.rosters.get_roster(w.event_id)
    assert roster is not None
    assert (roster.confirmed, roster.waiting) == (1, 1)
    # cancelling twice changes nothing; the promoted one cancels with its new link
    await w.registrations.cancel_by_token(token_of(ana, "cancel_link"), None)
    assert len(w.emails("registration_promoted")) == 1
    await w.registrations.cancel_by_token(token_of(promoted, "cancel_link"), None)
    [_, cem] = w.emails("registration_promoted")
    assert cem.to == "cem@example.org"
    seat = await w.registrations.cancel_by_token(token_of(cem, "cancel_link"), None)
    assert isinstance(w.counts()[-1], RegistrationOpened), "a seat of a full event is free"


async def test_anyone_registers_by_confirming_the_emails_link() -> None:
    w = await world()
    await w.set_up(capacity=1, questions=["child_care"])
    answers = Answers(child_care=2, dietary="vegetarisch")
    pending = await w.registrations.register(
        w.event_id,
        NewRegistration(name="Olena", email="olena@example.org", language="uk", answers=answers),
        None,
        None,
    )
    assert pending.state == "pending"
    assert [type(c) for c in w.counts()] == [RegistrationOpened], "pending takes no seat"
    [opt_in] = w.emails("registration_opt_in")
    assert opt_in.language == "uk"
    assert opt_in.params["confirm_link"].startswith(f"{PORTAL}/anmeldung/bestaetigen?token=")
    token = token_of(opt_in, "confirm_link")
    view = await w.reading.by_token(token)
    assert (view.state, view.purpose, view.event_title) == ("pending", "opt_in", "Elterncafé")
    seat = await w.registrations.confirm(token, None)
    assert seat.state == "confirmed"
    again = await w.registrations.confirm(token, None)
    assert again.state == "confirmed"
    assert len(w.emails("registration_confirmed")) == 1
    roster = await w.rosters.get_roster(w.event_id)
    assert roster is not None
    [olena] = roster.registrations
    assert olena.answers == Answers(child_care=2), "only the questions asked are kept"
    assert olena.opt_in_hash is not None
    assert token not in roster.model_dump_json(), "only hashes are stored"
    with pytest.raises(NotFoundError) as unknown:
        await w.registrations.confirm("no-such-token", None)
    assert unknown.value.slug == "registration-token-invalid"


async def test_an_opt_in_link_expires_after_48_hours() -> None:
    w = await world()
    await w.set_up()
    await w.registrations.register(
        w.event_id, NewRegistration(name="Late", email="late@example.org"), None, None
    )
    token = token_of(w.emails("registration_opt_in")[0], "confirm_link")
    w.clock.now += dt.timedelta(hours=48)
    with pytest.raises(GoneError) as expired:
        await w.registrations.confirm(token, None)
    assert expired.value.slug == "registration-token-expired"


async def test_who_may_register() -> None:
    w = await world()
    await w.set_up(open_to=RegistrationOpenTo.NETWORK)
    with pytest.raises(UnauthenticatedError) as anonymous:
        await w.registrations.register(
            w.event_id, NewRegistration(name="A", email="a@example.org"), None, None
        )
    assert anonymous.value.slug == "registration-needs-sign-in"
    with pytest.raises(ForbiddenError):
        await w.member_registers("Ana", organisation_id=MRIYA)  # a member of Linde only
    seat = await w.member_registers("Ana", organisation_id=LINDE)
    assert seat.state == "confirmed"
    with pytest.raises(ConflictError) as twice:
        await w.member_registers("Ana")
    assert twice.value.slug == "already-registered"

    none = await world()
    with pytest.raises(NotFoundError) as not_set_up:
        await none.member_registers("Ana")
    assert not_set_up.value.slug == "registration-not-found"


async def test_a_group_meeting_open_to_its_group_takes_members_of_member_organisations() -> None:
    w = await world()
    group_id = new_id()
    w.registrations.groups = FixedGroups({group_id: frozenset({MRIYA})})
    w.replace_event(w.event().model_copy(update={"group_id": group_id}))
    await w.set_up(open_to=RegistrationOpenTo.GROUP)
    with pytest.raises(ForbiddenError) as outsider:
        await w.member_registers("Lin", member_of(LINDE))
    assert outsider.value.slug == "registration-group-only"
    seat = await w.member_registers("Mia", member_of(MRIYA))
    assert seat.state == "confirmed"


async def test_the_office_sees_the_counts_of_each_group_under_its_name() -> None:
    w = await world()
    group_id = new_id()
    w.registrations.groups = FixedGroups({group_id: frozenset({MRIYA, LINDE})})
    w.replace_event(w.event().model_copy(update={"group_id": group_id}))
    await w.set_up(capacity=1)
    await w.member_registers("Mia", member_of(MRIYA))
    await w.member_registers("Lin", member_of(LINDE))

    [counts] = await w.reading.group_counts(OFFICE)

    assert counts.group_name == f"Arbeitsgruppe {group_id}"
    assert (counts.events, counts.capacity, counts.confirmed, counts.waiting) == (1, 1, 1, 1)
    with pytest.raises(ForbiddenError):
        await w.reading.group_counts(ORGANISER)


async def test_only_organisers_see_and_manage_the_registrants() -> None:
    w = await world()
    await w.set_up(capacity=5)
    registrant = member_of(LINDE)
    seat = await w.member_registers("Ana", registrant)
    with pytest.raises(ForbiddenError):
        await w.reading.of_event(w.event_id, registrant)
    with pytest.raises(ForbiddenError):
        await w.registrations.set_attendance(
            w.event_id, seat.registration_id, True, registrant, None
        )
    _, roster = await w.reading.of_event(w.event_id, ORGANISER)
    assert [r.name for r in roster.registrations] == ["Ana"]
    marked, _ = await w.registrations.set_attendance(
        w.event_id, seat.registration_id, True, OFFICE, None
    )
    assert marked.attended is True
    [own] = await w.reading.mine(registrant)
    assert (own.event_title, own.state) == ("Elterncafé", "confirmed")
    with pytest.raises(ForbiddenError):
        await w.registrations.cancel(w.event_id, seat.registration_id, member_of(LINDE), None)
    cancelled = await w.registrations.cancel(w.event_id, seat.registration_id, registrant, None)
    assert cancelled.state == "cancelled"
    with pytest.raises(ForbiddenError):
        await w.reading.counts_page(ORGANISER, Paging(10, 0))
    [counts], total = await w.reading.counts_page(OFFICE, Paging(10, 0))
    assert (total, counts.capacity, counts.confirmed, counts.attended) == (1, 5, 0, 1)


async def test_closing_and_a_lower_capacity_remove_nobody() -> None:
    w = await world()
    await w.set_up(capacity=3)
    for name in ("Ana", "Ben", "Cem"):
        await w.member_registers(name)
    await w.set_up(capacity=1)
    roster = await w.rosters.get_roster(w.event_id)
    assert roster is not None
    assert roster.confirmed == 3
    assert (await w.member_registers("Dua")).state == "waiting"
    await w.registrations.close(w.event_id, ORGANISER, None)
    assert w.counts()[-1].model_dump().get("reason") == "closed"
    with pytest.raises(ConflictError) as closed:
        await w.member_registers("Eva")
    assert closed.value.slug == "registration-closed"


async def test_registrants_are_told_once_of_a_change_and_of_the_cancellation() -> None:
    w = await ana_seated_and_ben_waiting()
    event = w.event()
    moved = event.model_copy(
        update={
            "starts_at": event.starts_at + dt.timedelta(days=1),
            "ends_at": event.ends_at + dt.timedelta(days=1),
            "sequence": event.sequence + 1,
        }
    )
    w.replace_event(moved)
    news = EventNews(w.event_id, moved.sequence, previous_starts_at=event.starts_at)
    assert await w.jobs.event_changed(news, None) == 2
    assert await w.jobs.event_changed(news, None) == 0, "once per sequence"
    changed = w.emails("registration_event_changed")
    assert {e.to for e in changed} == {"ana@example.org", "ben@example.org"}
    assert changed[0].calendar is not None
    assert f"SEQUENCE:{moved.sequence}" in changed[0].calendar.ics
    assert changed[0].params["previous_starts_at"].startswith(str(event.starts_at.year))
    gone = moved.model_copy(update={"sequence": moved.sequence + 1})
    w.replace_event(gone)
    cancel = EventNews(w.event_id, gone.sequence, cancelled=True, reason="Unwetter")
    assert await w.jobs.event_changed(cancel, None) == 2
    told = w.emails("registration_event_cancelled")
    assert told[0].params["reason"] == "Unwetter"
    assert told[0].calendar is not None
    assert told[0].calendar.method is CalendarMethod.CANCEL
    assert w.counts()[-1].model_dump().get("reason") == "closed"


async def test_the_reminder_goes_once_the_day_before() -> None:
    w = await ana_seated_and_ben_waiting(days_ahead=3)
    assert await w.jobs.remind(w.clock.now) == 0, "three days ahead: not yet"
    w.clock.now += dt.timedelta(days=2, hours=1)
    assert await w.jobs.remind(w.clock.now) == 1
    assert await w.jobs.remind(w.clock.now) == 0
    [reminder] = w.emails("registration_reminder")
    assert reminder.to == "ana@example.org", "only the confirmed"


async def test_a_passed_deadline_is_announced_once() -> None:
    w = await world(days_ahead=5)
    deadline = w.clock.now + dt.timedelta(days=1)
    await w.set_up(capacity=4, deadline=deadline)
    assert await w.jobs.announce_deadlines(w.clock.now) == 0
    w.clock.now = deadline
    assert await w.jobs.announce_deadlines(w.clock.now) == 1
    assert await w.jobs.announce_deadlines(w.clock.now) == 0
    assert w.counts()[-1].model_dump().get("reason") == "deadline"


async def test_retention_deletes_personal_data_and_keeps_the_counts() -> None:
    w = await ana_seated_and_ben_waiting(days_ahead=2)
    await w.registrations.register(
        w.event_id, NewRegistration(name="Pen", email="pen@example.org"), None, None
    )
    assert w.rosters.tokens
    w.clock.now += dt.timedelta(hours=49)
    counts = await w.jobs.run()
    assert counts.opt_ins_dropped == 1
    assert counts.redacted == 0
    w.clock.now += dt.timedelta(days=31)
    assert (await w.jobs.run()).redacted == 1
    roster = await w.rosters.get_roster(w.event_id)
    assert roster is not None
    assert roster.registrations == []
    assert (roster.confirmed, roster.waiting) == (1, 1)
    assert "example.org" not in roster.model_dump_json()
    assert w.rosters.tokens == {}


async def test_the_stream_carries_counts_and_never_a_person() -> None:
    w = await ana_seated_and_ben_waiting()
    stream = [m for m in w.rosters.published if isinstance(m, RegistrationCounts)]
    assert {type(m) for m in stream} >= {
        RegistrationOpened,
        RegistrationChanged,
        RegistrationClosed,
    }
    for message in stream:
        body = message.model_dump_json()
        assert "@" not in body
        assert "Ana" not in body
