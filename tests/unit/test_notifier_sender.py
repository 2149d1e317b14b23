"""Two senders draining the same due deliveries at once (two replicas, each with several
tasks) send each email exactly once; a sender told to stop finishes the sends in flight."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
from email.message import EmailMessage

import pytest

from services.notifier.domain import DeliveryStatus
from services.notifier.mailer import Mailer
from services.notifier.records import now_ms
from services.notifier.sender import Sender
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.tokens import Links, LinkSigner
from shared.contracts.base import envelope
from shared.contracts.exchange import MatchFound
from shared.contracts.notifier import NotificationSent
from tests.support.events import numbered_matches
from tests.support.in_memory_notifier import InMemoryNotifierStore

T0 = dt.datetime(2026, 5, 18, 10, 0, tzinfo=dt.UTC)
OFFERING, SEEKING = "org-offering", "org-seeking"


class RecordingMailer(Mailer):
    """Keeps what it was given instead of talking SMTP; lets other tasks run mid-send."""

    def __init__(self, settings: NotifierSettings) -> None:
        super().__init__(settings)
        self.sent: list[str] = []

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        for _ in range(3):
            await asyncio.sleep(0)  # a send takes several steps of the event loop
        self.sent.append(str(message["Message-ID"]))


def matches(count: int) -> list[MatchFound]:
    """`count` matches between the offering and the seeking organisation, each its own email."""
    return numbered_matches([(OFFERING, SEEKING)] * count, T0)


async def planned(
    count: int, concurrency: int
) -> tuple[InMemoryNotifierStore, Links, NotifierSettings]:
    """A store with `count` match emails due, and settings sending `concurrency` at once."""
    store = InMemoryNotifierStore()
    store.know_active(OFFERING, SEEKING)
    settings = NotifierSettings(
        _env_file=None, environment="development", sender_concurrency=concurrency
    )
    signer = LinkSigner("a-signing-secret-for-the-notifier-tests-only")
    links = Links(signer, "https://n.example", unsubscribe_days=365, confirmation_hours=72)
    notifier = Notifier(store, settings, links)
    for match in matches(count // 2):
        await notifier.plan_match(match, envelope(match))
    assert len(store.deliveries) == count
    return store, links, settings


async def test_two_senders_draining_the_same_deliveries_send_each_once() -> None:
    store, links, settings = await planned(30, concurrency=4)
    mailers = [RecordingMailer(settings), RecordingMailer(settings)]
    senders = [Sender(store, settings, links, mailer) for mailer in mailers]
    handled = await asyncio.gather(*(sender.drain() for sender in senders))

    sent = collections.Counter(mailers[0].sent + mailers[1].sent)
    expected = {f"<{d}@integrationsnetz.local>": 1 for d in store.deliveries}
    assert sent == expected
    assert sum(handled) == 30
    assert all(mailer.sent for mailer in mailers)  # both took part
    assert {d.status for d in store.deliveries.values()} == {DeliveryStatus.SENT}
    events = [p for p in store.published if isinstance(p, NotificationSent)]
    assert sorted(e.delivery_id for e in events) == sorted(store.deliveries)


class GatedMailer(RecordingMailer):
    """Holds every send until `gate` opens; `started` is set once `expected` sends began."""

    def __init__(self, settings: NotifierSettings, expected: int) -> None:
        super().__init__(settings)
        self.gate = asyncio.Event()
        self.started = asyncio.Event()
        self._expected = expected
        self._began = 0

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        self._began += 1
        if self._began == self._expected:
            self.started.set()
        await self.gate.wait()
        self.sent.append(str(message["Message-ID"]))


async def test_a_stopped_sender_records_the_sends_in_flight_and_starts_no_more() -> None:
    store, links, settings = await planned(10, concurrency=2)
    mailer = GatedMailer(settings, expected=2)
    draining = asyncio.create_task(Sender(store, settings, links, mailer).drain())
    await mailer.started.wait()
    draining.cancel()
    await asyncio.sleep(0)  # the drain hears of it while both sends still wait
    mailer.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await draining

    assert len(mailer.sent) == 2
    statuses = collections.Counter(d.status for d in store.deliveries.values())
    assert statuses == {DeliveryStatus.SENT: 2, DeliveryStatus.PENDING: 8}
    sent_ids = {
        f"<{d.id}@integrationsnetz.local>"
        for d in store.deliveries.values()
        if d.status is DeliveryStatus.SENT
    }
    assert sent_ids == set(mailer.sent)
    assert all(
        d.attempts == 0 for d in store.deliveries.values() if d.status is DeliveryStatus.PENDING
    )


def served(
    settings: NotifierSettings, links: Links, store: InMemoryNotifierStore
) -> tuple[Sender, RecordingMailer, Notifier[InMemoryNotifierStore]]:
    """A sender and the planning that hands it what it plans (as `app.py` wires them)."""
    mailer = RecordingMailer(settings)
    sender = Sender(store, settings, links, mailer)
    return sender, mailer, Notifier(store, settings, links, handover=sender)


async def test_deliveries_planned_here_are_sent_once_without_a_lookup_or_a_claim() -> None:
    bare, links, settings = await planned(0, concurrency=4)
    store = InMemoryNotifierStore()
    store.know_active(OFFERING, SEEKING)
    sender, mailer, notifier = served(settings, links, store)
    [match] = matches(1)
    await notifier.plan_match(match, envelope(match))
    claims = collections.Counter[str]()
    claim = store.claim_delivery

    async def counted(delivery_id: str, owner: str, at_ms: int, lease_ms: int) -> object:
        claims[delivery_id] += 1
        return await claim(delivery_id, owner, at_ms, lease_ms)

    store.claim_delivery = counted  # type: ignore[method-assign,assignment]

    assert await sender.drain() == 2
    assert claims == {}
    assert sorted(mailer.sent) == sorted(f"<{d}@integrationsnetz.local>" for d in store.deliveries)
    assert {d.status for d in store.deliveries.values()} == {DeliveryStatus.SENT}
    assert bare.deliveries == {}


async def test_a_handed_over_delivery_whose_claim_is_half_gone_waits_for_the_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, links, settings = await planned(0, concurrency=4)
    store = InMemoryNotifierStore()
    store.know_active(OFFERING, SEEKING)
    clock = [now_ms()]  # planning stamps deliveries with the real time; the sender's runs on
    monkeypatch.setattr("services.notifier.sender.now_ms", lambda: clock[0])
    sender, mailer, notifier = served(settings, links, store)
    [match] = matches(1)
    await notifier.plan_match(match, envelope(match))
    lease_ms = int(settings.delivery_lease_seconds * 1000)

    clock[0] += lease_ms * 2 // 3  # the sender was busy: two thirds of the claim are gone
    assert await sender.drain() == 0  # not sent while another sender may soon take it
    assert mailer.sent == []
    clock[0] += lease_ms  # the claim ran out: the lookup finds and claims them
    assert await sender.drain() == 2
    assert len(mailer.sent) == 2
