"""The notifier's planning, subscription, digest and retention rules, run against the
in-memory repository: who is told what, once, and what is forgotten when."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest

from services.notifier.domain import (
    Cadence,
    DefaultNotice,
    DeliveryStatus,
    Subscription,
    SubscriptionFilters,
    SubscriptionStatus,
    Template,
    Topic,
    opt_out_id,
)
from services.notifier.records import Delivery
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.tokens import Links, LinkSigner, subscription_subject
from shared.contracts.base import CloudEvent, Payload, envelope
from shared.contracts.calendar import ConflictDetected, EventRescheduled, EventScheduled
from shared.contracts.exchange import MatchFound, OfferPosted
from shared.errors import ForbiddenError, NotFoundError
from shared.pages import Paging
from tests.support.events import match_found
from tests.support.in_memory_notifier import InMemoryNotifierStore
from tests.support.principals import OFFICE, member_of

T0 = dt.datetime(2026, 5, 18, 10, 0, tzinfo=dt.UTC)  # a Monday
POSTER, READER, OTHER = "org-poster", "org-reader", "org-other"
ADDRESS = "leserin@example.org"


@pytest.fixture
def store() -> InMemoryNotifierStore:
    store = InMemoryNotifierStore()
    store.know_active(POSTER, READER, OTHER)
    return store


@pytest.fixture
def notifier(store: InMemoryNotifierStore) -> Notifier[InMemoryNotifierStore]:
    settings = NotifierSettings(
        _env_file=None,
        environment="development",
        delivery_retention_days=180,
        confirmation_token_hours=72,
    )
    signer = LinkSigner("a-signing-secret-for-the-notifier-tests-only")
    links = Links(signer, "https://n.example", unsubscribe_days=365, confirmation_hours=72)
    return Notifier(store, settings, links)


def event_of(payload: Payload) -> CloudEvent:
    return envelope(payload)


def an_offer(title: str = "Werkraum zu vergeben") -> OfferPosted:
    return OfferPosted(
        listing_id=str(uuid.uuid4()),
        organisation_id=POSTER,
        category="room",
        title=title,
        status="open",
        expires_at=T0 + dt.timedelta(days=30),
        revision=1,
        updated_at=T0,
    )


def an_event(visibility: str, **changes: object) -> dict[str, object]:
    return {
        "event_id": "event-1",
        "title": "Netzwerktreffen",
        "organisation_id": POSTER,
        "starts_at": T0 + dt.timedelta(days=3),
        "ends_at": T0 + dt.timedelta(days=3, hours=2),
        "visibility": visibility,
        "status": "scheduled",
        "sequence": 0,
        "updated_at": T0,
        **changes,
    }


async def subscribed(
    notifier: Notifier[InMemoryNotifierStore],
    *,
    organisation_id: str | None = None,
    topics: tuple[Topic, ...] = (Topic.OFFERS,),
    cadence: Cadence = Cadence.IMMEDIATE,
    confirm: bool = True,
) -> Subscription:
    """A subscription of an organisation (by its office), or of `ADDRESS`, confirmed."""
    subscription = await notifier.subscriptions.subscribe(
        organisation_id=organisation_id,
        email=None if organisation_id else ADDRESS,
        language="de",
        topics=topics,
        filters=SubscriptionFilters(),
        cadence=cadence,
        user=OFFICE,
    )
    if confirm and subscription.status is SubscriptionStatus.PENDING:
        token = notifier.links.confirmation_url(subscription.id, "de", now=int(time.time())).split(
            "token=", 1
        )[1]
        subscription, _ = await notifier.subscriptions.confirm(token)
    return subscription


async def told_of_a_public_event(notifier: Notifier[InMemoryNotifierStore]) -> Subscription:
    """A confirmed subscription of `ADDRESS` to events, and a public event planned for it."""
    subscription = await subscribed(notifier, topics=(Topic.EVENTS,))
    entry = EventScheduled.model_validate(an_event("public"))
    await notifier.plan_calendar_entry(entry, event_of(entry))
    return subscription


def emails(store: InMemoryNotifierStore, template: Template) -> list[Delivery]:
    return [d for d in store.deliveries.values() if d.template is template]


async def test_a_match_tells_both_organisations_once_however_often_it_arrives(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    event = event_of(match_found(POSTER, READER, found_at=T0))
    match = MatchFound.model_validate(event.data)
    await notifier.plan_match(match, event)
    await notifier.plan_match(match, event)  # redelivered
    told = emails(store, Template.MATCH_FOUND)
    assert sorted(d.organisation_id or "" for d in told) == [POSTER, READER]
    sides = {d.organisation_id: d.params["side"] for d in told}
    assert sides == {POSTER: "offer", READER: "request"}


async def test_an_organisation_that_switched_match_notices_off_is_not_told(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    await store.add_opt_out(opt_out_id(READER, DefaultNotice.MATCH_FOUND), T0)
    event = event_of(match_found(POSTER, READER, found_at=T0))
    await notifier.plan_match(MatchFound.model_validate(event.data), event)
    assert [d.organisation_id for d in emails(store, Template.MATCH_FOUND)] == [POSTER]


async def test_a_network_only_event_reaches_an_organisation_but_not_a_mere_address(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    by_address = await subscribed(notifier, topics=(Topic.EVENTS,))
    by_organisation = await subscribed(notifier, organisation_id=READER, topics=(Topic.EVENTS,))
    entry = EventScheduled.model_validate(an_event("network"))
    await notifier.plan_calendar_entry(entry, event_of(entry))
    told = [d.subscription_id for d in emails(store, Template.NEW_EVENT)]
    assert told == [by_organisation.id]
    assert by_address.id not in told


async def test_a_clash_names_an_entry_unknown_here_to_nobody_as_if_it_were_office_only(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    entry = EventScheduled.model_validate(an_event("network"))
    await notifier.plan_calendar_entry(entry, event_of(entry))
    clash = ConflictDetected.model_validate(
        {
            "conflict_id": "clash-1",
            "conflict_kind": "room",
            "event_id": "event-1",
            "other_event_id": "event-unknown",
            "organisation_ids": [POSTER, READER, POSTER],
            "overlap_starts_at": T0 + dt.timedelta(days=3),
            "overlap_ends_at": T0 + dt.timedelta(days=3, hours=1),
            "detected_at": T0,
        }
    )
    await notifier.plan_conflict(clash, event_of(clash))
    told = emails(store, Template.CONFLICT_DETECTED)
    assert sorted(d.organisation_id or "" for d in told) == [POSTER, READER]
    for delivery in told:
        assert delivery.params["event_title"] == "Netzwerktreffen"
        assert delivery.params["other_event_title"] is None


async def test_a_public_event_reaches_a_confirmed_address_and_is_remembered_as_told(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    subscription = await told_of_a_public_event(notifier)
    assert [d.address for d in emails(store, Template.NEW_EVENT)] == [ADDRESS]
    assert await store.was_told(subscription.id, "event-1")


async def test_only_a_subscriber_told_about_an_entry_hears_that_it_moved(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    told = await subscribed(notifier, organisation_id=READER, topics=(Topic.EVENTS,))
    entry = EventScheduled.model_validate(an_event("public"))
    await notifier.plan_calendar_entry(entry, event_of(entry))
    later = await subscribed(notifier, organisation_id=OTHER, topics=(Topic.EVENTS,))
    moved = EventRescheduled.model_validate(
        an_event(
            "public",
            sequence=1,
            previous_starts_at=T0 + dt.timedelta(days=3),
            previous_ends_at=T0 + dt.timedelta(days=3, hours=2),
            starts_at=T0 + dt.timedelta(days=4),
            ends_at=T0 + dt.timedelta(days=4, hours=2),
        )
    )
    await notifier.plan_calendar_change(moved, event_of(moved))
    rescheduled = emails(store, Template.EVENT_RESCHEDULED)
    assert [d.subscription_id for d in rescheduled] == [told.id]
    assert later.id not in {d.subscription_id for d in rescheduled}


async def test_an_unconfirmed_address_receives_nothing_but_its_confirmation(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    pending = await subscribed(notifier, confirm=False)
    assert pending.status is SubscriptionStatus.PENDING
    offer = an_offer()
    await notifier.plan_listing(offer, event_of(offer))
    assert emails(store, Template.NEW_LISTING) == []
    assert [d.subscription_id for d in emails(store, Template.SUBSCRIPTION_CONFIRMATION)] == [
        pending.id
    ]


async def test_unsubscribing_by_the_link_stops_the_emails(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    subscription = await subscribed(notifier)
    url = notifier.links.unsubscribe_url(
        subscription_subject(subscription.id), "de", now=int(time.time())
    )
    await notifier.subscriptions.unsubscribe(url.split("token=", 1)[1])
    offer = an_offer()
    await notifier.plan_listing(offer, event_of(offer))
    assert store.subscriptions[subscription.id].status is SubscriptionStatus.ENDED
    assert emails(store, Template.NEW_LISTING) == []


async def test_a_digest_subscriber_gets_one_digest_instead_of_single_emails(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    subscription = await subscribed(notifier, organisation_id=READER, cadence=Cadence.DAILY)
    for title in ("Werkraum", "Beamer", "Lastenrad"):
        offer = an_offer(title)
        await notifier.plan_listing(offer, event_of(offer))
    assert emails(store, Template.NEW_LISTING) == []
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=1)
    assert await notifier.digests.run_digests(tomorrow) == 1
    assert await notifier.digests.run_digests(tomorrow) == 0  # once per period
    (digest,) = emails(store, Template.DIGEST)
    assert digest.subscription_id == subscription.id
    titles = [item["title"] for item in digest.params["sections"][0]["items"]]
    assert sorted(titles) == ["Beamer", "Lastenrad", "Werkraum"]


async def test_retention_forgets_an_ended_subscription_its_address_and_what_it_was_told(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    subscription = await told_of_a_public_event(notifier)
    await notifier.subscriptions.end_subscription(subscription.id, OFFICE)
    for key, delivery in store.deliveries.items():
        store.deliveries[key] = delivery.model_copy(update={"status": DeliveryStatus.SENT})
    too_soon = await notifier.retention.apply_retention(dt.datetime.now(dt.UTC))
    assert too_soon.total == 0
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=181)
    counts = await notifier.retention.apply_retention(later)
    assert counts.ended_redacted == 1
    assert counts.deliveries_redacted == len(store.deliveries) == 2
    assert store.subscriptions[subscription.id].email is None
    assert not await store.was_told(subscription.id, "event-1")
    assert all(d.address is None for d in store.deliveries.values())


async def test_retention_deletes_a_subscription_never_confirmed_once_its_link_expired(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    pending = await subscribed(notifier, confirm=False)
    (confirmation,) = emails(store, Template.SUBSCRIPTION_CONFIRMATION)
    store.deliveries[confirmation.id] = confirmation.model_copy(
        update={"status": DeliveryStatus.SENT, "sent_at": pending.created_at}
    )
    await notifier.retention.apply_retention(pending.created_at + dt.timedelta(hours=71))
    assert pending.id in store.subscriptions
    counts = await notifier.retention.apply_retention(pending.created_at + dt.timedelta(hours=73))
    assert counts.unconfirmed_deleted == 1
    assert pending.id not in store.subscriptions


async def test_members_see_only_their_organisations_subscriptions_and_no_addresses(
    notifier: Notifier[InMemoryNotifierStore],
) -> None:
    mine = await subscribed(notifier, organisation_id=READER)
    await subscribed(notifier, organisation_id=OTHER)
    await subscribed(notifier)
    member = member_of(READER)
    first = Paging(limit=10, offset=0)
    found, total = await notifier.subscriptions.list_subscriptions(
        member, organisation_id=None, email=None, status=None, paging=first
    )
    assert ([s.id for s in found], total) == ([mine.id], 1)
    with pytest.raises(ForbiddenError):
        await notifier.subscriptions.list_subscriptions(
            member, organisation_id=None, email=ADDRESS, status=None, paging=first
        )
    everyone, total = await notifier.subscriptions.list_subscriptions(
        OFFICE, organisation_id=None, email=ADDRESS.upper(), status=None, paging=first
    )
    assert total == 1
    assert everyone[0].email == ADDRESS


async def test_a_stranger_cannot_end_someone_elses_subscription(
    notifier: Notifier[InMemoryNotifierStore],
) -> None:
    subscription = await subscribed(notifier, organisation_id=READER)
    stranger = member_of(OTHER)
    with pytest.raises(NotFoundError) as raised:
        await notifier.subscriptions.end_subscription(subscription.id, stranger)
    assert raised.value.slug == "subscription-not-found"


async def test_switching_a_default_notice_off_and_on_again(
    notifier: Notifier[InMemoryNotifierStore],
) -> None:
    editor = member_of(READER)
    off = await notifier.office.switch_notice(
        editor, READER, DefaultNotice.MATCH_FOUND, enabled=False
    )
    assert not off.enabled
    assert off.disabled_at is not None
    notices = await notifier.office.notices(editor, READER)
    assert notices.contact_email == f"kontakt@{READER}.example"
    assert {n.notice: n.enabled for n in notices.notices} == {
        DefaultNotice.MATCH_FOUND: False,
        DefaultNotice.CONFLICT_DETECTED: True,
    }
    on = await notifier.office.switch_notice(
        editor, READER, DefaultNotice.MATCH_FOUND, enabled=True
    )
    assert on.enabled
    with pytest.raises(ForbiddenError):
        await notifier.office.notices(editor, OTHER)
