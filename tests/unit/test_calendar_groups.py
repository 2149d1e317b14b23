"""The rules of working groups: memberships (asking, inviting, accepting, leaving), who sees
and manages what, how far a meeting may reach, and what the stream is told."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.calendar import groups as rules
from services.calendar.groups import Contact, Group, GroupError, GroupVisibility
from shared.contracts.calendar import GroupCreated, GroupStatus, Visibility
from tests.support.principals import OFFICE, member_of

NOW = dt.datetime(2030, 3, 1, 12, tzinfo=dt.UTC)
COORDINATOR, MRIYA, LINDE = "org-coordinator", "org-mriya", "org-linde"


def group(visibility: GroupVisibility = GroupVisibility.NETWORK) -> Group:
    return rules.found_group(
        "g1",
        "Netzwerk der Communitys",
        "Austausch zweimal im Jahr",
        COORDINATOR,
        visibility,
        [Contact(name="Ayşe Demir", email="ayse@example.org")],
        NOW,
    )


def test_the_coordinator_is_the_first_member() -> None:
    assert group().member_ids == [COORDINATOR]


def test_a_request_is_accepted_and_an_invitation_too() -> None:
    asked = rules.ask_to_join(group(), MRIYA, NOW)
    assert asked.state_of(MRIYA) == "requested"
    assert rules.ask_to_join(asked, MRIYA, NOW) is asked  # asking again changes nothing
    invited = rules.invite(asked, LINDE, NOW)
    assert invited.state_of(LINDE) == "invited"
    both = rules.accept(rules.accept(invited, MRIYA, NOW), LINDE, NOW)
    assert sorted(both.member_ids) == sorted([COORDINATOR, MRIYA, LINDE])


def test_asking_when_invited_or_inviting_who_asked_makes_a_member() -> None:
    assert rules.ask_to_join(rules.invite(group(), MRIYA, NOW), MRIYA, NOW).state_of(MRIYA) == (
        "member"
    )
    assert rules.invite(rules.ask_to_join(group(), MRIYA, NOW), MRIYA, NOW).state_of(MRIYA) == (
        "member"
    )


def test_a_member_cannot_ask_again_and_the_coordinator_cannot_leave() -> None:
    joined = rules.accept(rules.ask_to_join(group(), MRIYA, NOW), MRIYA, NOW)
    with pytest.raises(GroupError) as already:
        rules.ask_to_join(joined, MRIYA, NOW)
    assert already.value.slug == "already-member"
    with pytest.raises(GroupError) as coordinator:
        rules.remove(joined, COORDINATOR, NOW)
    assert coordinator.value.slug == "coordinator-cannot-leave"
    assert rules.remove(joined, MRIYA, NOW).member_ids == [COORDINATOR]
    with pytest.raises(LookupError):
        rules.accept(group(), LINDE, NOW)


def test_an_archived_group_takes_no_one_in() -> None:
    archived = group().model_copy(update={"status": GroupStatus.ARCHIVED})
    with pytest.raises(GroupError) as refused:
        rules.ask_to_join(archived, MRIYA, NOW)
    assert refused.value.slug == "group-archived"


_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["ask", "invite", "accept", "remove"]),
        st.sampled_from([COORDINATOR, MRIYA, LINDE, "org-4"]),
    ),
    max_size=30,
)


@given(_ACTIONS)
def test_whatever_happens_the_coordinator_stays_and_each_organisation_is_listed_once(
    actions: list[tuple[str, str]],
) -> None:
    current = group()
    steps = {
        "ask": rules.ask_to_join,
        "invite": rules.invite,
        "accept": rules.accept,
        "remove": rules.remove,
    }
    for action, organisation_id in actions:
        try:
            current = steps[action](current, organisation_id, NOW)
        except (GroupError, LookupError):
            continue
    ids = [m.organisation_id for m in current.memberships]
    assert len(ids) == len(set(ids))
    assert current.state_of(COORDINATOR) == "member"


def test_who_sees_a_group_and_its_contacts() -> None:
    office = rules.invite(group(GroupVisibility.OFFICE), LINDE, NOW)
    assert not office.visible_to(None)
    assert not office.visible_to(member_of(MRIYA))
    assert office.visible_to(member_of(LINDE))  # invited: may see what it is invited to
    assert office.visible_to(OFFICE)
    assert group(GroupVisibility.NETWORK).visible_to(member_of(MRIYA))
    assert not group(GroupVisibility.NETWORK).visible_to(None)
    assert group(GroupVisibility.PUBLIC).visible_to(None)
    assert office.shows_contacts_to(member_of(COORDINATOR))
    assert not office.shows_contacts_to(member_of(LINDE))  # invited, not a member yet
    assert office.shows_contacts_to(OFFICE)
    assert office.may_manage(member_of(COORDINATOR))
    assert office.may_manage(OFFICE)
    assert not office.may_manage(member_of(LINDE))


def test_a_meeting_reaches_no_further_than_its_group() -> None:
    assert group(GroupVisibility.PUBLIC).allows_event_visibility(Visibility.PUBLIC)
    assert not group(GroupVisibility.NETWORK).allows_event_visibility(Visibility.PUBLIC)
    assert group(GroupVisibility.NETWORK).allows_event_visibility(Visibility.NETWORK)
    assert group(GroupVisibility.OFFICE).allows_event_visibility(Visibility.NETWORK)
    assert not group(GroupVisibility.OFFICE).allows_event_visibility(Visibility.PUBLIC)


def test_the_stream_hears_of_public_and_network_groups_without_their_contacts() -> None:
    [created] = rules.facts_message(group(GroupVisibility.NETWORK), True)
    assert isinstance(created, GroupCreated)
    assert created.member_ids == [COORDINATOR]
    assert "ayse" not in created.model_dump_json().lower()
    assert rules.facts_message(group(GroupVisibility.OFFICE), True) == []
