"""The pure rules of a roster: never more confirmed than places, the waiting list first come
first served, a cancellation moves exactly the first waiting up; and the rules of who may
register."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.calendar import roster as rules
from services.calendar.roster import Registration, RegistrationSettings, Roster, RosterError

NOW = dt.datetime(2030, 5, 1, 10, tzinfo=dt.UTC)
START = NOW + dt.timedelta(days=30)
END = START + dt.timedelta(hours=3)


def roster_with(capacity: int, **settings: object) -> Roster:
    empty = rules.new_roster("event-1", START, END, NOW)
    config = RegistrationSettings.model_validate({"capacity": capacity, **settings})
    configured, _ = rules.configure(empty, config, START, NOW)
    return configured


def person(number: int, **fields: object) -> Registration:
    values: dict[str, object] = {
        "id": f"r{number}",
        "name": f"Person {number}",
        "email": f"p{number}@example.org",
        "state": "pending",
        "created_at": NOW,
        **fields,
    }
    return Registration.model_validate(values)


def seat(roster: Roster, registration: Registration) -> Roster:
    roster = rules.add(roster, registration, NOW)
    roster, _ = rules.take_seat(roster, registration.id, NOW)
    return roster


# a run: ("register", n) or ("cancel", index into those registered so far)
Step = tuple[str, int]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("register"), st.integers(0, 0)),
        st.tuples(st.just("cancel"), st.integers(0, 40)),
    ),
    max_size=40,
)


@given(capacity=st.integers(1, 6), run=steps)
def test_never_more_confirmed_than_places_and_the_waiting_list_is_first_come(
    capacity: int, run: list[Step]
) -> None:
    roster = roster_with(capacity)
    arrived: list[str] = []
    for kind, index in run:
        if kind == "register":
            registration = person(len(arrived))
            arrived.append(registration.id)
            roster = seat(roster, registration)
        elif arrived:
            target = arrived[index % len(arrived)]
            waiting_before = [r.id for r in roster.waiting_list()]
            was = roster.find(target)
            assert was is not None
            roster, cancelled, promoted = rules.cancel(roster, target, NOW)
            if was.state == "confirmed" and waiting_before:
                # exactly the first waiting moves up
                assert [r.id for r in promoted] == waiting_before[:1]
            else:
                assert promoted == []
            assert (cancelled is None) == (was.state == "cancelled")
        assert roster.confirmed <= capacity
        # nobody waits while a seat is free
        assert roster.waiting == 0 or roster.confirmed == capacity
        # the waiting list keeps the order of arrival
        order = [r.id for r in roster.waiting_list()]
        assert order == [i for i in arrived if i in order]
        positions = [roster.position(i) for i in order]
        assert positions == list(range(1, len(order) + 1))


@given(first=st.integers(1, 5), second=st.integers(1, 5), arrivals=st.integers(0, 12))
def test_a_changed_capacity_removes_nobody_and_fills_free_places_from_the_list(
    first: int, second: int, arrivals: int
) -> None:
    roster = roster_with(first)
    for number in range(arrivals):
        roster = seat(roster, person(number))
    confirmed_before = {r.id for r in roster.in_state("confirmed")}
    changed, promoted = rules.configure(roster, RegistrationSettings(capacity=second), START, NOW)
    confirmed_after = {r.id for r in changed.in_state("confirmed")}
    assert confirmed_before <= confirmed_after, "nobody loses a place"
    assert len(confirmed_after) == max(len(confirmed_before), min(second, arrivals))
    assert [r.id for r in promoted] == [
        r.id for r in roster.waiting_list()[: len(confirmed_after) - len(confirmed_before)]
    ]


def test_the_same_address_registers_once_whatever_its_case() -> None:
    roster = seat(roster_with(5), person(1, email="Jana@Example.org"))
    with pytest.raises(RosterError) as refused:
        rules.check_new(roster, "jana@example.ORG", None, START, NOW)
    assert refused.value.slug == "already-registered"
    roster, _, _ = rules.cancel(roster, "r1", NOW)
    rules.check_new(roster, "jana@example.org", None, START, NOW)  # after cancelling: again


def test_an_organisation_has_its_places_and_no_more() -> None:
    roster = roster_with(10, places_per_organisation=2)
    for number in range(2):
        roster = seat(roster, person(number, organisation_id="org-1"))
    with pytest.raises(RosterError) as refused:
        rules.check_new(roster, "other@example.org", "org-1", START, NOW)
    assert refused.value.slug == "organisation-places-taken"
    rules.check_new(roster, "other@example.org", "org-2", START, NOW)
    rules.check_new(roster, "other@example.org", None, START, NOW)


def test_registration_closes_at_the_deadline_or_the_start_and_when_closed() -> None:
    deadline = START - dt.timedelta(days=2)
    roster = roster_with(3, deadline=deadline)
    assert rules.closed_reason(roster, START, deadline - dt.timedelta(seconds=1)) is None
    assert rules.closed_reason(roster, START, deadline) == "deadline"
    assert rules.closed_reason(roster_with(3), START, START) == "deadline"
    with pytest.raises(RosterError) as refused:
        rules.check_new(roster, "late@example.org", None, START, deadline)
    assert refused.value.slug == "registration-closed"
    assert rules.closed_reason(rules.close(roster, NOW), START, NOW) == "closed"
    full = seat(roster_with(1), person(1))
    assert rules.closed_reason(full, START, NOW) == "full"
    rules.check_new(full, "waits@example.org", None, START, NOW)  # full: the waiting list


def test_a_deadline_after_the_start_is_refused() -> None:
    with pytest.raises(RosterError) as refused:
        rules.configure(
            rules.new_roster("e", START, END, NOW),
            RegistrationSettings(capacity=3, deadline=START + dt.timedelta(hours=1)),
            START,
            NOW,
        )
    assert refused.value.slug == "invalid-registration"


def test_retention_keeps_only_the_counts_and_drops_expired_opt_ins() -> None:
    roster = roster_with(1)
    roster = seat(roster, person(1))
    roster = seat(roster, person(2))
    roster = rules.mark_attendance(roster, "r1", True, NOW)
    roster = rules.add(roster, person(3), NOW)  # pending
    kept = rules.drop_expired_opt_ins(roster, NOW + dt.timedelta(hours=47))
    assert kept.registration_ids == []
    dropped = rules.drop_expired_opt_ins(roster, NOW + rules.OPT_IN_TTL)
    assert dropped.registration_ids == ["r3"]
    assert [r.id for r in dropped.roster.registrations] == ["r1", "r2"]
    redacted = rules.redact(dropped.roster)
    assert redacted.roster.registrations == []
    assert (redacted.roster.confirmed, redacted.roster.waiting, redacted.roster.attended) == (
        1,
        1,
        1,
    )
    assert "example.org" not in redacted.roster.model_dump_json()
