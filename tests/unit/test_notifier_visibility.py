"""Who may be told about what: an address alone hears only of public items, an organisation's
contact address of the partner network's too, and office-only items reach nobody here."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.notifier.domain import (
    Cadence,
    Item,
    Subscription,
    SubscriptionStatus,
    Topic,
    Visibility,
    email_recipient,
    item_from_event,
    may_see,
    organisation_recipient,
    subscription_wants,
)
from shared.contracts.calendar import EventScheduled

T0 = dt.datetime(2026, 5, 16, 10, 0, tzinfo=dt.UTC)
WIDENESS = {Visibility.PUBLIC: 2, Visibility.NETWORK: 1, Visibility.OFFICE: 0}

recipients = st.one_of(
    st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.org", fullmatch=True).map(email_recipient),
    st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True).map(organisation_recipient),
)


def an_item(visibility: Visibility, topic: Topic = Topic.EVENTS) -> Item:
    return Item(
        topic=topic,
        entity_id="event-1",
        title="Netzwerktreffen",
        organisation_ids=["org-poster"],
        visibility=visibility,
    )


@given(recipient=recipients, visibility=st.sampled_from(Visibility))
def test_an_address_hears_only_of_public_items_and_an_organisation_of_network_ones_too(
    recipient: str, visibility: Visibility
) -> None:
    allowed = (
        {Visibility.PUBLIC, Visibility.NETWORK}
        if recipient.startswith("org:")
        else {Visibility.PUBLIC}
    )
    assert may_see(recipient, an_item(visibility)) is (visibility in allowed)


@given(
    recipient=recipients,
    narrower=st.sampled_from(Visibility),
    wider=st.sampled_from(Visibility),
)
def test_whoever_may_see_an_item_may_see_it_in_any_wider_circle(
    recipient: str, narrower: Visibility, wider: Visibility
) -> None:
    if WIDENESS[wider] >= WIDENESS[narrower] and may_see(recipient, an_item(narrower)):
        assert may_see(recipient, an_item(wider))


@given(
    by_address=st.booleans(),
    visibility=st.sampled_from(Visibility),
    cadence=st.sampled_from(Cadence),
)
def test_a_subscription_never_wants_an_item_its_recipient_may_not_see(
    by_address: bool, visibility: Visibility, cadence: Cadence
) -> None:
    subscription = Subscription(
        id="sub-1",
        organisation_id=None if by_address else "org-reader",
        email="leser@example.org" if by_address else None,
        topics=[Topic.EVENTS],
        cadence=cadence,
        status=SubscriptionStatus.ACTIVE,
        created_at=T0,
    )
    item = an_item(visibility)
    assert subscription_wants(subscription, item) is may_see(subscription.recipient, item)


def test_a_network_calendar_entry_becomes_a_network_item_and_one_stored_without_is_too() -> None:
    entry = EventScheduled.model_validate(
        {
            "event_id": "event-1",
            "title": "Netzwerktreffen",
            "organisation_id": "org-poster",
            "starts_at": T0,
            "ends_at": T0 + dt.timedelta(hours=2),
            "visibility": "network",
            "status": "scheduled",
            "sequence": 0,
            "updated_at": T0,
        }
    )
    assert item_from_event(entry).visibility is Visibility.NETWORK
    stored = an_item(Visibility.PUBLIC).model_dump(mode="json")
    del stored["visibility"]
    assert Item.model_validate(stored).visibility is Visibility.NETWORK
    listing = an_item(Visibility.PUBLIC, Topic.OFFERS).model_dump(mode="json")
    del listing["visibility"]
    assert Item.model_validate(listing).visibility is Visibility.PUBLIC
