"""How few match emails an organisation gets: only a listing's best matches, one email per own
listing and day, the rest in the next day's summary — run against the in-memory repository."""

from __future__ import annotations

import datetime as dt

import pytest

from services.notifier.domain import Cadence, DefaultNotice, Template, opt_out_id
from services.notifier.records import Delivery
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.tokens import Links, LinkSigner
from shared.contracts.base import envelope
from shared.contracts.exchange import MatchFound
from shared.errors import RejectedError
from tests.support.events import match_found
from tests.support.in_memory_notifier import InMemoryNotifierStore
from tests.support.principals import OFFICE

#: 10:00 in Berlin, after the digest hour (07:00): the day runs until 07:00 tomorrow.
T0 = dt.datetime(2026, 5, 18, 8, 0, tzinfo=dt.UTC)
NEXT_MORNING = dt.datetime(2026, 5, 19, 5, 30, tzinfo=dt.UTC)  # 07:30 in Berlin
OFFERER = "org-offering"
REQUESTERS = [f"org-requesting-{n}" for n in range(10)]
OFFER_ID = "offer-1"
LINKS = Links(
    LinkSigner("a-signing-secret-for-the-notifier-tests"),
    "https://n.example",
    unsubscribe_days=365,
    confirmation_hours=72,
)


@pytest.fixture
def store() -> InMemoryNotifierStore:
    store = InMemoryNotifierStore()
    store.know_active(OFFERER, *REQUESTERS)
    return store


@pytest.fixture
def notifier(store: InMemoryNotifierStore) -> Notifier[InMemoryNotifierStore]:
    settings = NotifierSettings(_env_file=None, environment="development")
    return Notifier(store, settings, LINKS)


def ranked_matches(count: int, found_at: dt.datetime = T0) -> list[MatchFound]:
    """What posting one fitting offer found: a match with each of `count` requests, best
    first."""
    return [
        match_found(
            OFFERER,
            REQUESTERS[n],
            offer_id=OFFER_ID,
            request_id=f"request-{n}",
            request_title=f"Gesuch Nummer {n}",
            rank=n + 1,
            found_at=found_at,
        )
        for n in range(count)
    ]


def emails(store: InMemoryNotifierStore, template: Template) -> list[Delivery]:
    return [d for d in store.deliveries.values() if d.template is template]


def recipients(deliveries: list[Delivery]) -> list[str]:
    return sorted(d.recipient.removeprefix("org:") for d in deliveries)


async def test_only_the_best_three_matches_of_a_new_listing_are_emailed_one_per_organisation(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    for match in ranked_matches(10):
        await notifier.plan_match(match, envelope(match))

    sent = emails(store, Template.MATCH_FOUND)
    assert recipients(sent) == sorted([OFFERER, *REQUESTERS[:3]])
    offerer_email = next(d for d in sent if d.recipient == f"org:{OFFERER}")
    assert offerer_email.params["other_title"] == "Gesuch Nummer 0"


async def test_further_matches_of_a_listing_on_the_same_day_wait_for_one_summary(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    for match in ranked_matches(3):
        await notifier.plan_match(match, envelope(match))

    assert await notifier.match_notices.run_summaries(T0 + dt.timedelta(hours=2)) == 0
    assert await notifier.match_notices.run_summaries(NEXT_MORNING) == 1
    assert await notifier.match_notices.run_summaries(NEXT_MORNING) == 0

    (summary,) = emails(store, Template.MATCH_SUMMARY)
    assert summary.recipient == f"org:{OFFERER}"
    assert [m["other_title"] for m in summary.params["matches"]] == [
        "Gesuch Nummer 1",
        "Gesuch Nummer 2",
    ]
    assert not store.held
    assert not store.match_slots


async def test_the_next_day_a_new_match_of_the_same_listing_is_emailed_at_once(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    first = ranked_matches(1)[0]
    await notifier.plan_match(first, envelope(first))
    later = match_found(OFFERER, REQUESTERS[5], offer_id=OFFER_ID, rank=1, found_at=NEXT_MORNING)
    await notifier.plan_match(later, envelope(later))

    offerer_emails = [
        d for d in emails(store, Template.MATCH_FOUND) if d.recipient == f"org:{OFFERER}"
    ]
    assert len(offerer_emails) == 2
    assert not store.held


async def test_a_redelivered_match_is_emailed_once_and_not_held_for_the_summary(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    match = ranked_matches(1)[0]
    event = envelope(match)
    await notifier.plan_match(match, event)
    await notifier.plan_match(match, event)

    assert recipients(emails(store, Template.MATCH_FOUND)) == sorted([OFFERER, REQUESTERS[0]])
    assert not store.held


async def test_an_organisation_that_switched_match_notices_off_gets_no_summary_either(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    for match in ranked_matches(3):
        await notifier.plan_match(match, envelope(match))
    await store.add_opt_out(opt_out_id(OFFERER, DefaultNotice.MATCH_FOUND), T0)

    assert await notifier.match_notices.run_summaries(NEXT_MORNING) == 0
    assert not store.held


async def test_a_match_from_before_ranks_were_given_is_emailed_as_before(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    match = match_found(OFFERER, REQUESTERS[0], found_at=T0)
    assert match.rank is None
    await notifier.plan_match(match, envelope(match))

    assert recipients(emails(store, Template.MATCH_FOUND)) == sorted([OFFERER, REQUESTERS[0]])


async def test_how_many_matches_of_a_listing_are_emailed_is_configurable(
    store: InMemoryNotifierStore,
) -> None:
    settings = NotifierSettings(
        _env_file=None, environment="development", match_emails_per_listing=1
    )
    notifier = Notifier(store, settings, LINKS)
    for match in ranked_matches(4):
        await notifier.plan_match(match, envelope(match))

    assert recipients(emails(store, Template.MATCH_FOUND)) == sorted([OFFERER, REQUESTERS[0]])


async def test_an_organisation_that_chose_a_weekly_summary_gets_no_single_match_email(
    notifier: Notifier[InMemoryNotifierStore], store: InMemoryNotifierStore
) -> None:
    await store.set_notice_cadence(opt_out_id(OFFERER, DefaultNotice.MATCH_FOUND), Cadence.WEEKLY)
    for match in ranked_matches(3):
        await notifier.plan_match(match, envelope(match))

    singles = emails(store, Template.MATCH_FOUND)
    assert f"org:{OFFERER}" not in recipients(singles)
    assert recipients(singles) == sorted(REQUESTERS[:3])
    # T0 is a Monday: nothing the next morning, the summary on the following Monday
    assert await notifier.match_notices.run_summaries(NEXT_MORNING) == 0
    next_monday = T0 + dt.timedelta(days=7)
    assert await notifier.match_notices.run_summaries(next_monday) == 1
    (summary,) = emails(store, Template.MATCH_SUMMARY)
    assert len(summary.params["matches"]) == 3


async def test_only_match_notices_come_as_a_summary(
    notifier: Notifier[InMemoryNotifierStore],
) -> None:
    state = await notifier.office.switch_notice(
        OFFICE, OFFERER, DefaultNotice.MATCH_FOUND, cadence=Cadence.DAILY
    )
    assert (state.enabled, state.cadence) == (True, Cadence.DAILY)
    with pytest.raises(RejectedError) as refused:
        await notifier.office.switch_notice(
            OFFICE, OFFERER, DefaultNotice.CONFLICT_DETECTED, cadence=Cadence.WEEKLY
        )
    assert refused.value.slug == "cadence-not-offered"
