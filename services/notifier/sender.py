"""Sending: the loop that claims due deliveries, writes each email and hands it to SMTP, and
records the outcome together with `notifier.notification.sent` / `.failed`.

Consumers never send; they only plan deliveries. The sender works on up to
`SENDER_CONCURRENCY` due deliveries at once, each claimed by `_id` with a lease first (like the
outbox relay), so neither two of its tasks nor several replicas send the same email, and the
`Mailer` (`mailer.py`) reuses a few open SMTP connections for them. A process killed mid-send
leaves leases that expire and deliveries that are tried again. One window stays open, and no
SMTP client can close it: killed after the mail server accepted an email and before the
outcome was written, the email goes out a second time (with several sends in flight, each of
them may be in that window). It then carries the same `Message-ID`, which mail clients
recognise as the same message.

A delivery planned here is written claimed by this sender and handed over (`hand_over`): no
lookup, no claim; should the process die first, the claim runs out and any lookup takes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage

from pymongo.errors import PyMongoError

from services.notifier.domain import (
    DefaultNotice,
    DeliveryStatus,
    Item,
    SubscriptionStatus,
    Template,
    may_see,
    opt_out_id,
    recipient_address,
    recipient_organisation,
    retry_delay_seconds,
)
from services.notifier.email_metrics import (
    EMAIL_ATTEMPT_ERRORS,
    EMAILS_FAILED,
    EMAILS_SENT,
    EMAILS_SKIPPED,
)
from services.notifier.email_parts import EmailContext
from services.notifier.emails import (
    UnusableAddressError,
    build_message,
    recipient_header,
    render_email,
)
from services.notifier.mailer import Mailer, SendError
from services.notifier.records import ClaimedDelivery, Delivery, finished, now_ms
from services.notifier.repository import NotifierRepository
from services.notifier.settings import NotifierSettings
from services.notifier.texts import email_language
from services.notifier.tokens import Links, default_notice_subject, subscription_subject
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.contracts.notifier import NotificationFailed, NotificationSent
from shared.ids import new_id
from shared.outbox import ConcurrentUpdateError

log = logging.getLogger("integrationsnetz.notifier.sender")

DEFAULT_NOTICES = {
    Template.MATCH_FOUND: DefaultNotice.MATCH_FOUND,
    Template.MATCH_SUMMARY: DefaultNotice.MATCH_FOUND,
    Template.CONFLICT_DETECTED: DefaultNotice.CONFLICT_DETECTED,
}


@dataclass(frozen=True)
class Composed:
    message: EmailMessage
    address: str


@dataclass(frozen=True)
class NotComposed:
    """Why a delivery was not written into an email."""

    reason: str


class Skip(NotComposed):
    """Nothing to send any more (unsubscribed, no address): not a failure."""


class NotYet(NotComposed):
    """Cannot be written yet (its organisation is not known here yet): counts as an attempt."""


#: At most this many deliveries planned here wait for this sender; more are left to its lookup.
HANDED_MOST = 5_000


class Sender:
    """Claims due deliveries, sends them, records the outcome. Woken right after a delivery is
    planned; polls as a fallback (retries become due by the clock)."""

    def __init__(
        self,
        store: NotifierRepository,
        settings: NotifierSettings,
        links: Links,
        mailer: Mailer,
    ) -> None:
        self._store = store
        self._settings = settings
        self._links = links
        self._mailer = mailer
        self._owner = new_id()
        self._wake = asyncio.Event()
        self._lease_ms = int(settings.delivery_lease_seconds * 1000)
        #: Deliveries planned already claimed by this sender (`hand_over`), oldest first.
        self._handed: list[ClaimedDelivery] = []
        self.last_error: str | None = None

    def wake(self) -> None:
        self._wake.set()

    def lease(self) -> tuple[str, int] | None:
        """A claim to plan a new delivery with, so that this sender sends it without a lookup
        and a claim (`hand_over`); None while too many wait (the lookup finds it then)."""
        if len(self._handed) >= HANDED_MOST:
            return None
        return self._owner, now_ms() + self._lease_ms

    def hand_over(self, claimed: ClaimedDelivery) -> None:
        self._handed.append(claimed)
        self._wake.set()

    async def run(self, ready: Callable[[], Awaitable[object]]) -> None:
        try:
            await ready()
            await self._loop()
        finally:
            await self._mailer.close()

    async def _loop(self) -> None:
        backoff = self._settings.sender_poll_seconds
        while True:
            self._wake.clear()
            try:
                handled = await self.drain()
                self.last_error = None
                backoff = self._settings.sender_poll_seconds
                if handled:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # database away: try again later, lose nothing
                self.last_error = repr(exc)
                log.warning("sender: %s; retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            await self._mailer.close_idle()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._wake.wait(), timeout=self._settings.sender_poll_seconds
                )

    async def drain(self) -> int:
        """Send what is due now, up to `sender_concurrency` deliveries at once; returns how many
        were handled. Each is claimed by `_id` first, so concurrent drains (here or in another
        replica) never send one twice. Raises the first error once all others are done.

        Cancelled (the service stops), it starts no further delivery but lets those in flight
        finish and record their outcome: one cut off after the mail server accepted it would
        go out again once its lease ran out."""
        batch = self._settings.sender_batch_size
        handed, self._handed = self._handed[:batch], self._handed[batch:]
        # a claim whose lease is half gone waits for the lookup once it has run out: it must
        # not be sent while another sender may take it
        fresh = now_ms() + self._lease_ms // 2
        handed = [c for c in handed if c.delivery.lease_until_ms > fresh]
        due = (
            []
            if handed
            else await self._store.due_deliveries(now_ms(), self._settings.sender_batch_size)
        )
        if not due and not handed:
            return 0
        slots = asyncio.Semaphore(self._settings.sender_concurrency)
        stopping = False

        async def deliver(delivery: str | ClaimedDelivery) -> int:
            async with slots:
                if stopping:
                    return 0
                if isinstance(delivery, str):
                    return await self.deliver(delivery)
                return await self.deliver_claimed(delivery)

        work: list[str | ClaimedDelivery] = [*handed, *due]
        tasks = [asyncio.create_task(deliver(d)) for d in work]
        try:
            await asyncio.wait(tasks)
        except asyncio.CancelledError:
            stopping = True
            await asyncio.wait(tasks)
            raise
        for task in tasks:
            if (error := task.exception()) is not None:
                raise error
        return sum(task.result() for task in tasks)

    async def deliver(self, delivery_id: str) -> int:
        claimed = await self._store.claim_delivery(
            delivery_id, self._owner, now_ms(), self._lease_ms
        )
        if claimed is None:
            return 0  # another sender holds it, or it is done
        return await self.deliver_claimed(claimed)

    async def deliver_claimed(self, claimed: ClaimedDelivery) -> int:
        """Write, send and record a delivery this sender holds the claim of."""
        delivery = claimed.delivery
        try:
            composed = await self.compose(delivery)
        except UnusableAddressError as exc:
            await self._give_up(claimed, delivery, str(exc))
            return 1
        except PyMongoError:
            raise  # the database is away: the lease runs out and the delivery is tried again
        except Exception as exc:  # a template that cannot render will not render next time
            log.exception("cannot write delivery %s", delivery.id)
            await self._give_up(claimed, delivery, f"cannot write the email: {exc!r}")
            return 1
        if isinstance(composed, Skip):
            await self._record(
                claimed,
                delivery.model_copy(
                    update={"status": DeliveryStatus.SKIPPED, "last_error": composed.reason}
                ),
            )
            EMAILS_SKIPPED.labels(delivery.template.value).inc()
            return 1
        if isinstance(composed, NotYet):
            await self._attempt_failed(claimed, delivery, composed.reason, permanent=False)
            return 1
        try:
            await self._mailer.send(
                composed.message,
                sender=self._settings.sender_address.addr_spec,
                recipient=composed.address,
            )
        except SendError as exc:
            await self._attempt_failed(
                claimed,
                delivery.model_copy(update={"address": composed.address}),
                exc.detail,
                permanent=exc.permanent,
            )
            return 1
        await self._sent(claimed, delivery.model_copy(update={"address": composed.address}))
        return 1

    # --- writing the email ----------------------------------------------------------------

    async def compose(self, delivery: Delivery) -> Composed | Skip | NotYet:
        """Resolve the recipient as of now (address, language, opt-outs) and write the email."""
        store = self._store
        if delivery.subscription_id is not None:
            subscription = await store.subscription(delivery.subscription_id)
            wanted = (
                SubscriptionStatus.PENDING
                if delivery.template is Template.SUBSCRIPTION_CONFIRMATION
                else SubscriptionStatus.ACTIVE
            )
            if subscription is None or subscription.status is not wanted:
                return Skip("the subscription has ended")
            item = delivery.params.get("item")
            if isinstance(item, dict) and not may_see(
                delivery.recipient, await store.as_now(Item.model_validate(item))
            ):
                return Skip("the recipient may no longer see this entry")
        language = delivery.language
        organisation_name = None
        address = recipient_address(delivery.recipient)
        organisation_id = recipient_organisation(delivery.recipient)
        if organisation_id is not None:
            organisation = await store.organisation(organisation_id)
            if organisation is None:
                return NotYet(f"organisation {organisation_id} is not known here (yet)")
            if organisation.status != "active":
                return Skip("the organisation has left the network")
            if not organisation.email:
                return Skip("the organisation has no contact address")
            notice = DEFAULT_NOTICES.get(delivery.template)
            if (
                delivery.reason == "default"
                and notice is not None
                and await store.opted_out(opt_out_id(organisation_id, notice))
            ):
                return Skip("the organisation unsubscribed from these emails")
            address = organisation.email
            language = organisation.preferred_language
            if delivery.reason == "default":
                organisation_name = organisation.name
        assert address is not None
        language = email_language(language)
        now = int(time.time())
        unsubscribe_url = self._unsubscribe_url(delivery, language, now)
        action_url = None
        feedback_urls: dict[str, str] = {}
        if delivery.template is Template.MATCH_FOUND and self._links.feedback is not None:
            params = delivery.params
            feedback_urls = self._links.feedback.urls(
                str(params["id"]), str(params["side"]), language, now=now
            )
        if delivery.template is Template.SUBSCRIPTION_CONFIRMATION:
            assert delivery.subscription_id is not None
            action_url = self._links.confirmation_url(delivery.subscription_id, language, now=now)
        rendered = render_email(
            EmailContext(
                template=delivery.template,
                language=language,
                params=delivery.params,
                portal_url=self._settings.public_base_url,
                timezone=self._settings.timezone,
                recipient_name=delivery.recipient_name,
                organisation_name=organisation_name,
                unsubscribe_url=unsubscribe_url,
                action_url=action_url,
                feedback_urls=feedback_urls,
                calendar_method=delivery.calendar.method.value if delivery.calendar else None,
            )
        )
        sender = self._settings.sender_address
        message = build_message(
            rendered,
            sender=sender,
            to=recipient_header(address, delivery.recipient_name),
            message_id=f"<{delivery.id}@{sender.domain or 'integrationsnetz.local'}>",
            date=utc_now(),
            unsubscribe_url=unsubscribe_url,
            extra_headers=[
                ("X-Integrationsnetz-Delivery", delivery.id),
                ("X-Integrationsnetz-Cause", delivery.cause_event_id),
                ("X-Integrationsnetz-Template", delivery.template.value),
            ],
            calendar=delivery.calendar,
        )
        return Composed(message, address)

    def _unsubscribe_url(self, delivery: Delivery, language: str, now: int) -> str | None:
        if delivery.reason == "transactional":
            return None
        if delivery.subscription_id is not None:
            subject = subscription_subject(delivery.subscription_id)
        else:
            notice = DEFAULT_NOTICES.get(delivery.template)
            assert notice is not None
            assert delivery.organisation_id is not None
            subject = default_notice_subject(delivery.organisation_id, notice.value)
        return self._links.unsubscribe_url(subject, language, now=now)

    # --- recording the outcome ------------------------------------------------------------

    def _outcome(self, delivery: Delivery) -> dict[str, object]:
        return {
            "delivery_id": delivery.id,
            "cause_event_id": delivery.cause_event_id,
            "cause_type": delivery.cause_type,
            "template": delivery.template.value,
            "organisation_id": delivery.organisation_id,
            "attempts": delivery.attempts,
            "occurred_at": utc_now(),
        }

    async def _sent(self, claimed: ClaimedDelivery, delivery: Delivery) -> None:
        now = utc_now()
        done = finished(delivery).model_copy(
            update={
                "status": DeliveryStatus.SENT,
                "attempts": delivery.attempts + 1,
                "sent_at": now,
                "last_error": None,
            }
        )
        await self._record(claimed, done, [NotificationSent.model_validate(self._outcome(done))])
        EMAILS_SENT.labels(delivery.template.value).inc()

    async def _attempt_failed(
        self, claimed: ClaimedDelivery, delivery: Delivery, error: str, *, permanent: bool
    ) -> None:
        attempts = delivery.attempts + 1
        if permanent or attempts >= self._settings.max_attempts:
            await self._give_up(claimed, delivery, error)
            return
        delay = retry_delay_seconds(
            attempts,
            base=self._settings.retry_base_seconds,
            maximum=self._settings.retry_max_seconds,
        )
        log.info(
            "delivery %s attempt %d failed (%s); next try in %.1fs",
            delivery.id,
            attempts,
            error,
            delay,
        )
        retry = delivery.model_copy(
            update={
                "attempts": attempts,
                "last_error": error[:1000],
                "next_attempt_ms": now_ms() + int(delay * 1000),
                "lease_until_ms": 0,
            }
        )
        await self._record(claimed, retry)
        EMAIL_ATTEMPT_ERRORS.labels(delivery.template.value).inc()

    async def _give_up(self, claimed: ClaimedDelivery, delivery: Delivery, error: str) -> None:
        failed = finished(delivery).model_copy(
            update={
                "status": DeliveryStatus.FAILED,
                "attempts": delivery.attempts + 1,
                "last_error": error[:1000],
            }
        )
        event = NotificationFailed.model_validate({**self._outcome(failed), "error": error[:1000]})
        await self._record(claimed, failed, [event])
        EMAILS_FAILED.labels(delivery.template.value).inc()
        log.warning("delivery %s failed for good: %s", delivery.id, error)

    async def _record(
        self, claimed: ClaimedDelivery, delivery: Delivery, messages: list[Payload] | None = None
    ) -> None:
        stamped = delivery.model_copy(update={"updated_at": utc_now(), "lease_until_ms": 0})
        try:
            await self._store.record_delivery(claimed, stamped, messages or [])
        except ConcurrentUpdateError:
            # our lease ran out and another sender took the delivery over; it records instead
            log.warning(
                "delivery %s changed while we sent it; leaving it to the other sender", delivery.id
            )
