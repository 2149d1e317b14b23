"""HTTP routes of the notifier: each turns a request into one call of `Notifier`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Response, status
from fastapi.responses import HTMLResponse
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)

from services.notifier.domain import (
    Cadence,
    DeliveryStatus,
    Subscription,
    SubscriptionFilters,
    SubscriptionStatus,
    Topic,
    inapplicable_filters,
)
from services.notifier.emails import render_page
from services.notifier.records import Delivery
from services.notifier.service import Notifier
from services.notifier.texts import SUPPORTED_LANGUAGES, texts_for
from services.notifier.tokens import LinkClaim
from shared.auth import AdminUser, CurrentUser, OptionalUser
from shared.contracts.vocabulary import LanguageTag
from shared.http import ProblemError, paging, state_dependency
from shared.ids import EntityId
from shared.pages import Page, Paging
from shared.views import View

Token = Annotated[str, Query(min_length=10, max_length=1000, description="The signed token")]
SubscriptionId = EntityId


NotifierService = Annotated[Notifier, state_dependency("notifier")]


def _lower(value: str) -> str:
    return value.strip().lower()


class SubscriptionCreate(BaseModel):
    """Follow new offers, requests or events: as an organisation (its contact address; needs
    a token of its editor or of office staff) or as any email address (confirmed by a link)."""

    model_config = ConfigDict(extra="forbid")

    organisation_id: EntityId | None = Field(
        None, description="Subscribe this organisation's contact address."
    )
    email: Annotated[EmailStr, AfterValidator(_lower)] | None = Field(
        None, description="Subscribe this address (double opt-in).", examples=["jana@example.org"]
    )
    language: LanguageTag = Field(
        "de",
        description=f"Language of the emails to an address ({', '.join(SUPPORTED_LANGUAGES)}; "
        "others get German). An organisation gets its preferred language.",
    )
    topics: list[Topic] = Field(min_length=1, max_length=3, examples=[["offers"]])
    filters: SubscriptionFilters = Field(default_factory=SubscriptionFilters)
    delivery: Cadence = Field(
        Cadence.IMMEDIATE, description="`immediate`, or a `daily` or `weekly` digest."
    )

    @model_validator(mode="after")
    def _one_subscriber_and_fitting_filters(self) -> SubscriptionCreate:
        if (self.organisation_id is None) == (self.email is None):
            raise ValueError("give exactly one of `organisation_id` and `email`")
        wrong = inapplicable_filters(self.topics, self.filters)
        if wrong:
            topics = ", ".join(t.value for t in self.topics)
            raise ValueError(f"filters {', '.join(wrong)} do not apply to all of: {topics}")
        return self


class SubscriptionPublic(View):
    id: str
    organisation_id: str | None
    email: str | None
    language: str
    topics: list[Topic]
    filters: SubscriptionFilters
    delivery: Cadence
    status: SubscriptionStatus
    created_at: dt.datetime

    @classmethod
    def of(cls, subscription: Subscription) -> SubscriptionPublic:
        return cls.read(subscription, delivery=subscription.cadence)


SubscriptionPage = Page[SubscriptionPublic]


class DeliveryPublic(View):
    """One email: to whom, why, and what became of it. After the retention period only why
    and what became of it: address and error text are gone (`redacted_at`)."""

    id: str
    status: DeliveryStatus
    template: str
    reason: str = Field(description="`default`, `subscription` or `transactional`.")
    recipient: str | None = Field(
        description="The address, once known (set when sending); null once redacted."
    )
    organisation_id: str | None
    subscription_id: str | None
    cause_event_id: str
    cause_type: str
    correlation_id: str | None = Field(
        description="Shared with the request and events that led to this email."
    )
    attempts: int
    last_error: str | None = Field(description="Why the last attempt failed; null once redacted.")
    next_attempt_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None
    redacted_at: dt.datetime | None = Field(
        description="When address, name, content and error text were removed after the "
        "retention period (DELIVERY_RETENTION_DAYS); null while they are kept."
    )

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryPublic:
        pending = delivery.status is DeliveryStatus.PENDING
        return cls.read(
            delivery,
            template=delivery.template.value,
            recipient=delivery.address,
            next_attempt_at=dt.datetime.fromtimestamp(delivery.next_attempt_ms / 1000, dt.UTC)
            if pending
            else None,
        )


DeliveryPage = Page[DeliveryPublic]


subscription_routes = APIRouter(tags=["subscriptions"])


@subscription_routes.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    summary="Follow new offers, requests or events (an address confirms by email first)",
)
async def subscribe(
    body: SubscriptionCreate, user: OptionalUser, service: NotifierService, response: Response
) -> SubscriptionPublic:
    subscription = await service.subscriptions.subscribe(
        organisation_id=body.organisation_id,
        email=body.email,
        language=body.language,
        topics=body.topics,
        filters=body.filters,
        cadence=body.delivery,
        user=user,
    )
    response.headers["Location"] = f"/subscriptions/{subscription.id}"
    return SubscriptionPublic.of(subscription)


@subscription_routes.get(
    "/subscriptions",
    summary="Subscriptions of your organisations (office staff: all)",
)
async def list_subscriptions(
    user: CurrentUser,
    service: NotifierService,
    paged: Annotated[Paging, paging(default=20, most=100)],
    organisation_id: Annotated[str | None, Query(max_length=100)] = None,
    email: Annotated[str | None, Query(max_length=320, description="office staff only")] = None,
    status_: Annotated[SubscriptionStatus | None, Query(alias="status")] = None,
) -> SubscriptionPage:
    items, total = await service.subscriptions.list_subscriptions(
        user,
        organisation_id=organisation_id,
        email=email,
        status=status_,
        paging=paged,
    )
    return SubscriptionPage.of([SubscriptionPublic.of(s) for s in items], total, paged)


def _link_page(
    service: Notifier,
    claim: LinkClaim,
    *,
    title: str,
    text: str,
    form: tuple[str, str] | None = None,
) -> HTMLResponse:
    """A page behind a link in an email, in the link's language; `form` is the path of the
    button's POST and its label."""
    action, button = form if form is not None else (None, None)
    return HTMLResponse(
        render_page(
            claim.language,
            title=title,
            text=text,
            portal_url=service.settings.public_base_url,
            form_action=f"{service.links.base_url}{action}" if action else None,
            button=button,
        )
    )


def _confirmed_page(service: Notifier, claim: LinkClaim) -> HTMLResponse:
    t = texts_for(claim.language)
    return _link_page(
        service, claim, title=t["page_confirmed_title"], text=t["page_confirmed_text"]
    )


@subscription_routes.get(
    "/subscriptions/confirm",
    response_class=HTMLResponse,
    summary="The page behind a confirmation email's link: asks before it confirms",
)
async def confirm_page(token: Token, service: NotifierService) -> HTMLResponse:
    # link scanners fetch every link in an email: only the button's POST confirms
    subscription, claim = await service.subscriptions.confirmation_of(token)
    if subscription.status is SubscriptionStatus.ACTIVE:
        return _confirmed_page(service, claim)
    t = texts_for(claim.language)
    return _link_page(
        service,
        claim,
        title=t["confirm_subject"],
        text=t["confirm_text"],
        form=(f"/subscriptions/confirm?token={token}", t["confirm_button"]),
    )


@subscription_routes.post(
    "/subscriptions/confirm",
    response_class=HTMLResponse,
    summary="Confirm a subscription (the button on the confirmation page)",
)
async def confirm_subscription(token: Token, service: NotifierService) -> HTMLResponse:
    _subscription, claim = await service.subscriptions.confirm(token)
    return _confirmed_page(service, claim)


@subscription_routes.delete(
    "/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End a subscription (its organisation's editors, office staff)",
)
async def end_subscription(
    subscription_id: SubscriptionId, user: CurrentUser, service: NotifierService
) -> Response:
    await service.subscriptions.end_subscription(subscription_id, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


unsubscribe_routes = APIRouter(tags=["unsubscribe"])


@unsubscribe_routes.get(
    "/unsubscribe",
    response_class=HTMLResponse,
    summary="The page behind an email's unsubscribe link: asks before it unsubscribes",
)
async def unsubscribe_page(token: Token, service: NotifierService) -> HTMLResponse:
    claim = service.subscriptions.check_unsubscribe_token(token)
    t = texts_for(claim.language)
    if claim.subject.startswith("org:"):
        notice = claim.subject.rsplit(":", 1)[1]
        question = t["page_unsubscribe_default"].format(
            what=t.get(f"notice_{notice}", t["notice_match_found"])
        )
    else:
        question = t["page_unsubscribe_subscription"]
    return _link_page(
        service,
        claim,
        title=t["page_unsubscribe_title"],
        text=question,
        form=(f"/unsubscribe?token={token}", t["unsubscribe"]),
    )


@unsubscribe_routes.post(
    "/unsubscribe",
    response_class=HTMLResponse,
    summary="Unsubscribe (RFC 8058 one-click: body `List-Unsubscribe=One-Click`)",
)
async def unsubscribe(
    token: Token,
    service: NotifierService,
    one_click: Annotated[str | None, Form(alias="List-Unsubscribe")] = None,
) -> HTMLResponse:
    if one_click is not None and one_click != "One-Click":
        raise ProblemError(400, "The form field List-Unsubscribe must be `One-Click`.")
    claim = await service.subscriptions.unsubscribe(token)
    t = texts_for(claim.language)
    # a default notice is off for the whole organisation: say how it comes back
    said = "page_unsubscribed_default_text" if claim.subject.startswith("org:") else None
    return _link_page(
        service, claim, title=t["page_unsubscribed_title"], text=t[said or "page_unsubscribed_text"]
    )


delivery_routes = APIRouter(tags=["deliveries"])


@delivery_routes.get("/deliveries", summary="The delivery log (office staff): did we email them?")
async def list_deliveries(
    _admin: AdminUser,
    service: NotifierService,
    paged: Annotated[Paging, paging(default=50, most=200)],
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    recipient: Annotated[str | None, Query(max_length=320, description="Email address")] = None,
    organisation_id: Annotated[str | None, Query(max_length=100)] = None,
) -> DeliveryPage:
    items, total = await service.office.list_deliveries(
        status=status_,
        recipient=recipient,
        organisation_id=organisation_id,
        paging=paged,
    )
    return DeliveryPage.of([DeliveryPublic.of(d) for d in items], total, paged)


router = APIRouter()
router.include_router(subscription_routes)
router.include_router(unsubscribe_routes)
router.include_router(delivery_routes)
