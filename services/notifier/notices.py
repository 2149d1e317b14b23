"""The default notices of an organisation, as its editors see and change them.

Without any set-up, an organisation's contact address hears about matches on its own listings
and clashes with its own events (`DefaultNotice`). The unsubscribe link in such an email
switches that notice off for the whole organisation — one click by whoever reads the shared
inbox. These routes let the organisation's editors (and office staff) see what is switched off,
since when, and switch it on again (or off, without waiting for an email).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.notifier.api import NotifierService
from services.notifier.domain import Cadence, DefaultNotice
from shared.auth import CurrentUser

router = APIRouter(tags=["notices"])

OrganisationId = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


class NoticeSetting(BaseModel):
    """One default notice of one organisation."""

    notice: DefaultNotice = Field(
        description="`match_found`: a match on one of its offers or requests; "
        "`conflict_detected`: a clash with one of its events."
    )
    enabled: bool = Field(description="Whether the contact address is told.")
    disabled_at: dt.datetime | None = Field(
        None, description="When it was switched off (an unsubscribe link or an editor)."
    )
    cadence: Cadence = Field(
        Cadence.IMMEDIATE,
        description="`immediate`: an email at once (match notices: at most one a day per own "
        "listing, further ones in the next morning's summary); `daily` or `weekly`: one summary "
        "(match notices only).",
    )


class NoticeSettings(BaseModel):
    organisation_id: str
    contact_email: str | None = Field(
        description="Where the notices go: the organisation's contact address in the "
        "directory (null: none is set, so nothing is sent)."
    )
    notices: list[NoticeSetting]


class NoticeChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = Field(
        None, description="true: tell the contact address again; false: stop."
    )
    cadence: Cadence | None = Field(
        None, description="How often match notices come: `immediate`, `daily` or `weekly`."
    )

    @model_validator(mode="after")
    def _something_changes(self) -> NoticeChange:
        if self.enabled is None and self.cadence is None:
            raise ValueError("Give `enabled`, `cadence` or both.")
        return self


@router.get(
    "/organisations/{organisation_id}/notices",
    response_model=NoticeSettings,
    summary="What the organisation's contact address is told without any set-up",
)
async def notice_settings(
    organisation_id: OrganisationId, user: CurrentUser, service: NotifierService
) -> NoticeSettings:
    found = await service.office.notices(user, organisation_id)
    return NoticeSettings.model_validate(found, from_attributes=True)


@router.put(
    "/organisations/{organisation_id}/notices/{notice}",
    response_model=NoticeSetting,
    summary="Switch a default notice on again or off, or choose a daily or weekly summary",
)
async def change_notice(
    organisation_id: OrganisationId,
    notice: DefaultNotice,
    change: NoticeChange,
    user: CurrentUser,
    service: NotifierService,
) -> NoticeSetting:
    state = await service.office.switch_notice(
        user, organisation_id, notice, enabled=change.enabled, cadence=change.cadence
    )
    return NoticeSetting.model_validate(state, from_attributes=True)
