"""Two senders draining the same due deliveries at once (two replicas, each with several
tasks) send each email exactly once."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import uuid
from email.message import EmailMessage

from services.notifier.domain import DeliveryStatus
from services.notifier.mailer import Mailer
from services.notifier.records import OrganisationContact
from services.notifier.sender import Sender
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.tokens import Links, LinkSigner
from shared.contracts.base import envelope
from shared.contracts.exchange import MatchFound
from shared.contracts.notifier import NotificationSent
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


def a_match(n: int) -> MatchFound:
    return MatchFound(
        match_id=str(uuid.uuid4()),
        offer_id=str(uuid.uuid4()),
        request_id=str(uuid.uuid4()),
        offer_organisation_id=OFFERING,
        request_organisation_id=SEEKING,
        category="room",
        score=0.8,
        offer_title=f"Angebot {n}",
        request_title=f"Gesuch {n}",
        found_at=T0,
    )


async def test_two_senders_draining_the_same_deliveries_send_each_once() -> None:
    store = InMemoryNotifierStore()
    for organisation_id in (OFFERING, SEEKING):
        store.organisations[organisation_id] = OrganisationContact(
            id=organisation_id,
            name=f"Verein {organisation_id}",
            email=f"kontakt@{organisation_id}.example",
            preferred_language="de",
            status="active",
            revision=1,
        )
    settings = NotifierSettings(_env_file=None, environment="development", sender_concurrency=4)
    signer = LinkSigner("a-signing-secret-for-the-notifier-tests-only")
    links = Links(signer, "https://n.example", unsubscribe_days=365, confirmation_hours=72)
    notifier = Notifier(store, settings, links)
    for n in range(15):
        match = a_match(n)
        await notifier.plan_match(match, envelope(match))
    assert len(store.deliveries) == 30

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
