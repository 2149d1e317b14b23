"""Subscriptions: following new offers, requests or events as an organisation (at once) or
as any address (double opt-in: after the link in a confirmation email), confirming,
unsubscribing by a link (a subscription, or an organisation's default notice) and ending or
listing subscriptions by their editors and office staff."""

from __future__ import annotations

import time
from collections.abc import Sequence

from services.notifier.digests import current_digest_ms
from services.notifier.domain import (
    Cadence,
    DefaultNotice,
    Subscription,
    SubscriptionFilters,
    SubscriptionStatus,
    Template,
    Topic,
    email_recipient,
    opt_out_id,
)
from services.notifier.planning import Cause, PlannedEmail, Planner, Recipient
from services.notifier.records import OrganisationContact, SubscriptionQuery
from services.notifier.repository import NotifierRepository
from services.notifier.settings import NotifierSettings
from services.notifier.tokens import (
    InvalidTokenError,
    LinkClaim,
    Links,
    TokenPurpose,
    parse_subject,
)
from shared.auth import Principal
from shared.clock import utc_now
from shared.errors import (
    ApplicationError,
    ForbiddenError,
    GoneError,
    MalformedError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    UnauthenticatedError,
)
from shared.ids import new_id
from shared.pages import Paging

CONFIRMATION_CAUSE_TYPE = "notifier.subscription.requested"


def _token_problem(exc: InvalidTokenError) -> ApplicationError:
    kind = GoneError if exc.reason == "expired" else MalformedError
    return kind(exc.detail, slug=f"{exc.reason}-token")


def _damaged_link() -> MalformedError:
    return MalformedError("This link is damaged.", slug="malformed-token")


def _ended(subscription: Subscription) -> Subscription | None:
    """End a subscription (unsubscribe link, an editor, office staff). The store stamps
    `ended_ms` on the write that makes the status `ended` (`subscription_written`), so every
    way of ending one starts its retention period."""
    if subscription.status is SubscriptionStatus.ENDED:
        return None
    return subscription.model_copy(update={"status": SubscriptionStatus.ENDED})


def _may_manage(user: Principal, subscription: Subscription) -> bool:
    if user.is_admin:
        return True
    return subscription.organisation_id is not None and user.may_edit(subscription.organisation_id)


def _still_there(subscription: Subscription | None) -> Subscription:
    """The subscription behind a confirmation link, unless it is gone or has ended."""
    if subscription is None:
        raise NotFoundError(
            "This subscription does not exist (any more).", slug="subscription-not-found"
        )
    if subscription.status is SubscriptionStatus.ENDED:
        raise GoneError("This subscription has ended; subscribe again.", slug="ended")
    return subscription


class Subscribing:
    """The use cases of subscriptions and their links."""

    def __init__(
        self, store: NotifierRepository, settings: NotifierSettings, links: Links, planner: Planner
    ) -> None:
        self.store = store
        self.settings = settings
        self.links = links
        self.planner = planner

    async def subscribe(
        self,
        *,
        organisation_id: str | None,
        email: str | None,
        language: str,
        topics: Sequence[Topic],
        filters: SubscriptionFilters,
        cadence: Cadence,
        user: Principal | None,
    ) -> Subscription:
        """An organisation follows at once (its editors ask); any other address after it
        confirmed by the link in a confirmation email."""
        status = SubscriptionStatus.ACTIVE
        if organisation_id is not None:
            organisation = await self._subscribing_organisation(organisation_id, user)
            language = organisation.preferred_language
        else:
            assert email is not None
            status = SubscriptionStatus.PENDING
            pending = await self.store.pending_subscriptions_of(email)
            if pending >= self.settings.pending_subscriptions_per_address:
                raise RateLimitedError(
                    "This address has too many unconfirmed subscriptions; confirm those first.",
                    slug="too-many-unconfirmed",
                )
        await self._known_organisations(filters)
        now = utc_now()
        subscription = Subscription(
            id=new_id(),
            organisation_id=organisation_id,
            email=email,
            language=language,
            topics=list(dict.fromkeys(topics)),
            filters=filters,
            cadence=cadence,
            status=status,
            last_digest_ms=current_digest_ms(cadence, now, self.settings),
            created_at=now,
        )
        await self.store.add_subscription(subscription)
        if status is SubscriptionStatus.PENDING:
            assert email is not None
            to = Recipient(
                email_recipient(email),
                "transactional",
                subscription_id=subscription.id,
                address=email,
                language=language,
            )
            cause = Cause(subscription.id, CONFIRMATION_CAUSE_TYPE)
            await self.planner.plan(PlannedEmail(Template.SUBSCRIPTION_CONFIRMATION, to, cause))
        return subscription

    async def _known_organisations(self, filters: SubscriptionFilters) -> None:
        unknown = [
            org_id
            for org_id in filters.organisation_ids
            if await self.store.organisation(org_id) is None
        ]
        if unknown:
            raise RejectedError(
                "The filter names organisations that are not in the directory.",
                slug="unknown-organisation",
                errors=[
                    {
                        "location": "body.filters.organisation_ids",
                        "message": f"unknown organisation {org_id}",
                        "type": "unknown_organisation",
                    }
                    for org_id in unknown
                ],
            )

    async def _subscribing_organisation(
        self, organisation_id: str, user: Principal | None
    ) -> OrganisationContact:
        if user is None:
            raise UnauthenticatedError(
                "Subscribing an organisation needs a token of its editor or of office staff.",
                slug="unauthenticated",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or members of this organisation may subscribe it.",
                slug="not-an-editor",
            )
        organisation = await self.store.organisation(organisation_id)
        if organisation is None or organisation.status != "active":
            raise RejectedError(
                "No active organisation with this id is known here.",
                slug="unknown-organisation",
            )
        return organisation

    # --- links ----------------------------------------------------------------------------

    def _verify(self, token: str, purpose: TokenPurpose) -> LinkClaim:
        try:
            return self.links.signer.verify(token, purpose, now=int(time.time()))
        except InvalidTokenError as exc:
            raise _token_problem(exc) from exc

    def _subject(self, claim: LinkClaim) -> tuple[str, str, str | None]:
        try:
            return parse_subject(claim.subject)
        except InvalidTokenError as exc:
            raise _token_problem(exc) from exc

    def _confirmation_claim(self, token: str) -> tuple[LinkClaim, str]:
        claim = self._verify(token, TokenPurpose.CONFIRM)
        kind, subscription_id, _ = self._subject(claim)
        if kind != "sub":
            raise _damaged_link()
        return claim, subscription_id

    async def confirmation_of(self, token: str) -> tuple[Subscription, LinkClaim]:
        """What a confirmation link is about, changing nothing (the page behind the link)."""
        claim, subscription_id = self._confirmation_claim(token)
        return _still_there(await self.store.subscription(subscription_id)), claim

    async def confirm(self, token: str) -> tuple[Subscription, LinkClaim]:
        claim, subscription_id = self._confirmation_claim(token)
        now = utc_now()

        def activate(subscription: Subscription) -> Subscription | None:
            if subscription.status is not SubscriptionStatus.PENDING:
                return None
            return subscription.model_copy(
                update={
                    "status": SubscriptionStatus.ACTIVE,
                    "last_digest_ms": current_digest_ms(subscription.cadence, now, self.settings),
                }
            )

        subscription = await self.store.change_subscription(subscription_id, activate)
        return _still_there(subscription), claim

    def check_unsubscribe_token(self, token: str) -> LinkClaim:
        claim = self._verify(token, TokenPurpose.UNSUBSCRIBE)
        self._subject(claim)
        return claim

    async def unsubscribe(self, token: str) -> LinkClaim:
        """One click ends a subscription, or stops a default notice for an organisation."""
        claim = self.check_unsubscribe_token(token)
        kind, entity_id, notice = parse_subject(claim.subject)
        if kind == "sub":
            await self.store.change_subscription(entity_id, _ended)
        else:
            try:
                default_notice = DefaultNotice(str(notice))
            except ValueError as exc:
                raise _damaged_link() from exc
            await self.store.add_opt_out(opt_out_id(entity_id, default_notice), utc_now())
        return claim

    # --- editors and office staff ---------------------------------------------------------

    async def end_subscription(self, subscription_id: str, user: Principal) -> None:
        subscription = await self.store.subscription(subscription_id)
        if subscription is None or not _may_manage(user, subscription):
            raise NotFoundError("No subscription with this id.", slug="subscription-not-found")
        await self.store.change_subscription(subscription_id, _ended)

    async def list_subscriptions(
        self,
        user: Principal,
        *,
        organisation_id: str | None,
        email: str | None,
        status: SubscriptionStatus | None,
        paging: Paging,
    ) -> tuple[list[Subscription], int]:
        if organisation_id is not None and not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only office staff or its members see its subscriptions.", slug="not-an-editor"
            )
        if email is not None and not user.is_admin:
            raise ForbiddenError("Only office staff may look up addresses.", slug="office-only")
        query = SubscriptionQuery(
            organisation_id=organisation_id,
            within_organisations=None if user.is_admin else frozenset(user.organisation_ids),
            email=email.strip().lower() if email is not None else None,
            status=status,
        )
        return await self.store.list_subscriptions(query, paging)
