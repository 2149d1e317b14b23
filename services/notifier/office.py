"""What office staff and an organisation's editors look at and switch: the delivery log
(did we email them?) and an organisation's default notices (where they go, which kind is off
since when, on again or off)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.notifier.domain import Cadence, DefaultNotice, DeliveryStatus, opt_out_id
from services.notifier.records import Delivery, DeliveryQuery
from services.notifier.repository import NotifierRepository
from shared.auth import Principal
from shared.clock import utc_now
from shared.errors import ForbiddenError, NotFoundError, RejectedError
from shared.pages import Paging


@dataclass(frozen=True)
class NoticeState:
    """One default notice of one organisation: on, or off since `disabled_at`."""

    notice: DefaultNotice
    disabled_at: dt.datetime | None
    #: How often it is told: at once, or in a daily or weekly summary (match notices only).
    cadence: Cadence = Cadence.IMMEDIATE

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class OrganisationNotices:
    organisation_id: str
    #: Where the notices go (None: no contact address, so nothing is sent).
    contact_email: str | None
    notices: list[NoticeState]


class Office:
    """The delivery log and the default notices of organisations."""

    def __init__(self, store: NotifierRepository) -> None:
        self.store = store

    async def list_deliveries(
        self,
        *,
        status: DeliveryStatus | None,
        recipient: str | None,
        organisation_id: str | None,
        paging: Paging,
    ) -> tuple[list[Delivery], int]:
        query = DeliveryQuery(
            status=status,
            address=recipient.strip().lower() if recipient is not None else None,
            organisation_id=organisation_id,
        )
        return await self.store.list_deliveries(query, paging)

    async def _contact(self, user: Principal, organisation_id: str) -> str | None:
        """The organisation's contact address, once the caller may manage its notices."""
        if not user.may_edit(organisation_id):
            raise ForbiddenError(
                "Only the organisation's editors and office staff manage its notices.",
                slug="not-an-editor",
            )
        organisation = await self.store.organisation(organisation_id)
        if organisation is None:
            raise NotFoundError("No organisation with this id.", slug="organisation-not-found")
        return organisation.email

    async def _state(self, organisation_id: str, notice: DefaultNotice) -> NoticeState:
        key = opt_out_id(organisation_id, notice)
        disabled_at = await self.store.opted_out_at(key)
        return NoticeState(notice, disabled_at, await self.store.notice_cadence(key))

    async def notices(self, user: Principal, organisation_id: str) -> OrganisationNotices:
        """What the organisation's contact address is told without any set-up."""
        contact = await self._contact(user, organisation_id)
        states = [await self._state(organisation_id, notice) for notice in DefaultNotice]
        return OrganisationNotices(organisation_id, contact, states)

    async def switch_notice(
        self,
        user: Principal,
        organisation_id: str,
        notice: DefaultNotice,
        *,
        enabled: bool | None = None,
        cadence: Cadence | None = None,
    ) -> NoticeState:
        """Switch a default notice on again (after an unsubscribe link) or off, or choose how
        often match notices come (at once, daily, weekly)."""
        await self._contact(user, organisation_id)
        key = opt_out_id(organisation_id, notice)
        if cadence is not None:
            if notice is not DefaultNotice.MATCH_FOUND and cadence is not Cadence.IMMEDIATE:
                raise RejectedError(
                    "Only match notices can come as a daily or weekly summary.",
                    slug="cadence-not-offered",
                )
            await self.store.set_notice_cadence(key, cadence)
        if enabled is True:
            await self.store.remove_opt_out(key)
        elif enabled is False:
            await self.store.add_opt_out(key, utc_now())  # twice keeps the first moment
        return await self._state(organisation_id, notice)
