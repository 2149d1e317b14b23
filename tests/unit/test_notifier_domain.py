"""The notifier's rules without I/O: who follows what, digest periods and grouping, retries,
and the keys that make every email go out once."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifier.digest_rules import (
    DigestEntry,
    digest_period_name,
    digest_period_start,
    group_digest,
)
from services.notifier.domain import (
    Cadence,
    Item,
    Subscription,
    SubscriptionFilters,
    SubscriptionStatus,
    Topic,
    delivery_id,
    digest_id,
    filters_match,
    inapplicable_filters,
    match_recipients,
    retry_delay_seconds,
    subscription_wants,
)
from shared.clock import BERLIN
from shared.contracts.exchange import ListingKind
from tests.support.events import match_found

T0 = dt.datetime(2026, 5, 16, 10, 0, tzinfo=dt.UTC)

ROOM = Item(
    topic=Topic.OFFERS,
    entity_id="offer-1",
    title="Gruppenraum",
    organisation_ids=["org-stadtteilbuero"],
    category="room",
    tags=["Sprachcafé", "barrierefrei"],
    district="Nordstadt",
    languages=["de", "uk"],
)
FESTIVAL = Item(
    topic=Topic.EVENTS,
    entity_id="event-1",
    title="Kinderfest",
    organisation_ids=["org-fc", "org-eltern"],
    district="Hörde",
    languages=["de-DE", "tr"],
    audiences=["children", "families"],
)


def subscription(**changes: object) -> Subscription:
    values: dict[str, object] = {
        "id": "sub-1",
        "email": "a@example.org",
        "topics": [Topic.OFFERS, Topic.EVENTS],
        "status": SubscriptionStatus.ACTIVE,
        "created_at": T0,
    }
    values.update(changes)
    return Subscription.model_validate(values)


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "item", "expected"),
    [
        ({}, ROOM, True),
        ({"categories": ["room"]}, ROOM, True),
        ({"categories": ["furniture", "room"]}, ROOM, True),
        ({"categories": ["furniture"]}, ROOM, False),
        ({"tags": ["sprachcafe"]}, ROOM, True),  # case and accents do not matter
        ({"tags": ["Fußball"]}, ROOM, False),
        ({"districts": ["nordstadt"]}, ROOM, True),
        ({"districts": ["Südstadt"]}, ROOM, False),
        ({"districts": ["hoerde", "Hörde"]}, FESTIVAL, True),
        ({"languages": ["uk"]}, ROOM, True),
        ({"languages": ["de-AT"]}, FESTIVAL, True),  # the same language, another region
        ({"languages": ["ar"]}, ROOM, False),
        ({"audiences": ["families"]}, FESTIVAL, True),
        ({"audiences": ["seniors"]}, FESTIVAL, False),
        ({"organisation_ids": ["org-eltern"]}, FESTIVAL, True),  # a co-organiser counts
        ({"organisation_ids": ["org-other"]}, FESTIVAL, False),
        ({"categories": ["room"], "districts": ["Südstadt"]}, ROOM, False),  # all must match
        ({"districts": ["Nordstadt"]}, ROOM.model_copy(update={"district": None}), False),
    ],
)
def test_filters_match_when_every_given_filter_does(
    filters: dict[str, list[str]], item: Item, expected: bool
) -> None:
    assert filters_match(SubscriptionFilters.model_validate(filters), item) is expected


def test_filters_that_a_chosen_topic_cannot_match_are_named() -> None:
    both = [Topic.OFFERS, Topic.EVENTS]
    assert inapplicable_filters(both, SubscriptionFilters(districts=["Nordstadt"])) == []
    assert inapplicable_filters(both, SubscriptionFilters.model_validate({"audiences": ["men"]}))
    assert inapplicable_filters(
        [Topic.EVENTS], SubscriptionFilters.model_validate({"categories": ["room"], "tags": ["x"]})
    ) == ["categories", "tags"]
    assert inapplicable_filters([Topic.REQUESTS], SubscriptionFilters(tags=["x"])) == []


def test_a_subscription_wants_only_active_followed_topics_and_never_its_own_items() -> None:
    assert subscription_wants(subscription(), ROOM)
    assert not subscription_wants(subscription(status=SubscriptionStatus.PENDING), ROOM)
    assert not subscription_wants(subscription(topics=[Topic.REQUESTS]), ROOM)
    own = subscription(email=None, organisation_id="org-stadtteilbuero")
    assert not subscription_wants(own, ROOM)
    assert subscription_wants(own, FESTIVAL)


def test_both_sides_of_a_match_are_told_and_an_organisation_matching_itself_once() -> None:
    match = match_found("org-a", "org-b")
    assert match_recipients(match) == {"org-a": ListingKind.OFFER, "org-b": ListingKind.REQUEST}
    itself = match.model_copy(update={"request_organisation_id": "org-a"})
    assert list(match_recipients(itself)) == ["org-a"]


# --- keys and retries ------------------------------------------------------------------------


def test_a_delivery_key_depends_on_cause_recipient_and_template_only() -> None:
    key = delivery_id("event-1", "org:a", "match_found")
    assert key == delivery_id("event-1", "org:a", "match_found")
    others = {
        delivery_id("event-2", "org:a", "match_found"),
        delivery_id("event-1", "org:b", "match_found"),
        delivery_id("event-1", "org:a", "digest"),
    }
    assert key not in others
    assert len(others) == 3
    assert digest_id("sub", "daily-2026-05-16") != digest_id("sub", "daily-2026-05-17")


def test_retries_back_off_exponentially_up_to_a_ceiling() -> None:
    delays = [retry_delay_seconds(n, base=30, maximum=3600) for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert retry_delay_seconds(10_000, base=30, maximum=3600) == 3600


@given(st.integers(min_value=1, max_value=200), st.floats(0.01, 100), st.floats(0.01, 10_000))
def test_retry_delays_never_shrink_and_never_exceed_the_ceiling(
    attempt: int, base: float, maximum: float
) -> None:
    now = retry_delay_seconds(attempt, base=base, maximum=maximum)
    later = retry_delay_seconds(attempt + 1, base=base, maximum=maximum)
    assert 0 < now <= later <= maximum


# --- digest periods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "cadence", "start"),
    [
        # 08:30 in Berlin (summer time): today's 07:00 has passed
        ("2026-05-16T06:30:00+00:00", Cadence.DAILY, "2026-05-16T05:00:00+00:00"),
        # 06:30 in Berlin: still yesterday's period
        ("2026-05-16T04:30:00+00:00", Cadence.DAILY, "2026-05-15T05:00:00+00:00"),
        # winter time: 07:00 in Berlin is 06:00 UTC
        ("2026-01-10T06:00:00+00:00", Cadence.DAILY, "2026-01-10T06:00:00+00:00"),
        # the night the clocks go forward
        ("2026-03-29T12:00:00+00:00", Cadence.DAILY, "2026-03-29T05:00:00+00:00"),
        # Saturday → the Monday before; Monday 06:00 Berlin → the Monday a week before
        ("2026-05-16T12:00:00+00:00", Cadence.WEEKLY, "2026-05-11T05:00:00+00:00"),
        ("2026-05-18T04:00:00+00:00", Cadence.WEEKLY, "2026-05-11T05:00:00+00:00"),
        ("2026-05-18T05:00:00+00:00", Cadence.WEEKLY, "2026-05-18T05:00:00+00:00"),
    ],
)
def test_a_digest_period_starts_at_the_latest_digest_hour_in_berlin(
    now: str, cadence: Cadence, start: str
) -> None:
    got = digest_period_start(dt.datetime.fromisoformat(now), cadence, hour=7, timezone=BERLIN)
    assert got == dt.datetime.fromisoformat(start)


def test_a_period_is_named_by_its_local_start_date() -> None:
    start = dt.datetime(2026, 5, 10, 22, 0, tzinfo=dt.UTC)  # Monday 00:00 in Berlin
    assert digest_period_name(start, Cadence.WEEKLY, BERLIN) == "weekly-2026-05-11"


def test_immediate_subscriptions_have_no_period() -> None:
    with pytest.raises(ValueError, match="immediate"):
        digest_period_start(T0, Cadence.IMMEDIATE, hour=7, timezone=BERLIN)


# --- digest grouping -------------------------------------------------------------------------

entries = st.lists(
    st.builds(
        lambda sub, topic, entity, title, added: DigestEntry(
            subscription_id=sub,
            item=Item(topic=topic, entity_id=entity, title=title, organisation_ids=["o"]),
            added_ms=added,
        ),
        st.sampled_from(["sub-1", "sub-2"]),
        st.sampled_from(list(Topic)),
        st.sampled_from([f"entity-{n}" for n in range(8)]),
        st.text(min_size=1, max_size=10),
        st.integers(min_value=0, max_value=10_000),
    ),
    max_size=40,
)


@given(entries)
def test_every_item_of_the_subscription_appears_exactly_once_in_its_digest(
    given_entries: list[DigestEntry],
) -> None:
    sections = group_digest("sub-1", given_entries)
    listed = [(section.topic, item.entity_id) for section in sections for item in section.items]
    own = {(e.item.topic, e.item.entity_id) for e in given_entries if e.subscription_id == "sub-1"}
    assert sorted(listed) == sorted(own)
    assert len(listed) == len(set(listed))


@given(entries)
def test_a_digest_holds_no_item_of_another_subscription_and_groups_by_topic(
    given_entries: list[DigestEntry],
) -> None:
    sections = group_digest("sub-2", given_entries)
    theirs = {
        (e.item.topic, e.item.entity_id) for e in given_entries if e.subscription_id == "sub-2"
    }
    for section in sections:
        assert section.items
        for item in section.items:
            assert item.topic is section.topic
            assert (item.topic, item.entity_id) in theirs
    topics = [section.topic for section in sections]
    assert topics == [t for t in (Topic.OFFERS, Topic.REQUESTS, Topic.EVENTS) if t in topics]


def test_a_digest_shows_the_latest_facts_of_an_item_in_its_first_place() -> None:
    first = DigestEntry(subscription_id="s", item=ROOM, added_ms=1)
    other = DigestEntry(
        subscription_id="s", item=ROOM.model_copy(update={"entity_id": "offer-2"}), added_ms=2
    )
    renamed = DigestEntry(
        subscription_id="s", item=ROOM.model_copy(update={"title": "Großer Raum"}), added_ms=3
    )
    [section] = group_digest("s", [renamed, other, first])
    assert [(i.entity_id, i.title) for i in section.items] == [
        ("offer-1", "Großer Raum"),
        ("offer-2", "Gruppenraum"),
    ]
