"""Telling organisations about matches without flooding them.

- Only the best `match_emails_per_listing` matches found for a new or edited listing are
  emailed (`MatchFound.rank`); the others are shown in the portal, ranked.
- An organisation gets at most one match email per listing of its own and day (a day is the
  daily digest period: from `digest_hour` to `digest_hour`); further matches of that listing
  wait for a summary the next day.
- An organisation may choose a daily or weekly summary of its match notices instead
  (`notice_cadences`, like a subscription's cadence).
- A summary is planned once its period is over: one email per organisation and period, whose
  key is that pair, so a pass that stops half-way and runs again sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from services.notifier.digests import current_digest_ms
from services.notifier.domain import (
    Cadence,
    DefaultNotice,
    Template,
    digest_id,
    match_recipients,
    opt_out_id,
)
from services.notifier.planning import Cause, PlannedEmail, PlanningUseCase, Recipient, cause_of
from services.notifier.records import HeldMatchNotice, OrganisationContact, epoch_ms
from shared.contracts.base import CloudEvent
from shared.contracts.exchange import ListingKind, MatchFound

log = logging.getLogger("integrationsnetz.notifier.match_notices")

SUMMARY_CAUSE_TYPE = "notifier.match-summary"


def match_slot_id(organisation_id: str, listing_id: str, day_ms: int) -> str:
    """The one immediate match email an organisation may get about a listing on a day."""
    return f"{organisation_id}:{listing_id}:{day_ms}"


def match_summary_id(organisation_id: str, cadence: Cadence, period_ms: int) -> str:
    """One summary per organisation and period: a digest of its match notices."""
    return digest_id(f"match-summary:{organisation_id}", f"{cadence.value}-{period_ms}")


def announced(match: MatchFound, per_listing: int) -> bool:
    """Whether a match is among the best few of its listing (one from before ranks: yes)."""
    return match.rank is None or match.rank <= per_listing


class MatchNotices(PlanningUseCase):
    """The use case of match emails and their summaries."""

    def period_ms(self, cadence: Cadence, at: dt.datetime) -> int:
        """Start (epoch ms) of the day or week `at` falls into, in the digest's rhythm."""
        return current_digest_ms(cadence, at, self.settings)

    def next_period_ms(self, cadence: Cadence, period_ms: int) -> int:
        """Start of the period after the one starting at `period_ms` (a day is not always
        24 hours where the clocks change)."""
        step = dt.timedelta(days=7 if cadence is Cadence.WEEKLY else 1, hours=2)
        start = dt.datetime.fromtimestamp(period_ms / 1000, dt.UTC)
        return self.period_ms(cadence, start + step)

    async def plan_match(self, match: MatchFound, event: CloudEvent) -> None:
        """Both organisations hear about one of the best matches of a listing, unless they
        opted out: at once if it is the first about that listing today, else in tomorrow's
        summary; an organisation that chose a daily or weekly summary hears in that."""
        if not announced(match, self.settings.match_emails_per_listing):
            return
        sides = match_recipients(match)
        notices = {o: opt_out_id(o, DefaultNotice.MATCH_FOUND) for o in sides}
        # what both organisations chose and who they are, in one read each
        opted_out = await self.store.opted_out_of(list(notices.values()))
        cadences = await self.store.notice_cadences(list(notices.values()))
        organisations = await self.store.organisations_of(
            [match.offer_organisation_id, match.request_organisation_id]
        )
        for organisation_id, side in sides.items():
            notice = notices[organisation_id]
            if notice in opted_out:
                continue
            params = _params(match, side, organisations)
            cadence = cadences[notice]
            if cadence is Cadence.IMMEDIATE:
                own_listing = match.offer_id if side is ListingKind.OFFER else match.request_id
                day_ms = self.period_ms(Cadence.DAILY, match.found_at)
                slot = match_slot_id(organisation_id, own_listing, day_ms)
                if await self.store.take_match_slot(slot, match.match_id, day_ms):
                    to = Recipient.of_organisation(organisation_id)
                    await self.planner.plan(
                        PlannedEmail(Template.MATCH_FOUND, to, cause_of(event), params)
                    )
                    continue
            await self._hold(organisation_id, match, params, cadence)

    async def _hold(
        self,
        organisation_id: str,
        match: MatchFound,
        params: dict[str, Any],
        cadence: Cadence,
    ) -> None:
        """Keep a match for the organisation's summary: the next morning's (a further match
        today), or its daily or weekly one."""
        rhythm = Cadence.DAILY if cadence is Cadence.IMMEDIATE else cadence
        period_ms = self.period_ms(rhythm, match.found_at)
        summary_id = match_summary_id(organisation_id, rhythm, period_ms)
        await self.store.hold_match_notice(
            HeldMatchNotice(
                id=f"{summary_id}:{match.match_id}",
                summary_id=summary_id,
                organisation_id=organisation_id,
                period_ms=period_ms,
                due_ms=self.next_period_ms(rhythm, period_ms),
                params=params,
            )
        )

    async def run_summaries(self, now: dt.datetime) -> int:
        """Plan every summary whose period is over: one email per organisation and period
        with the matches held for it; returns how many were planned."""
        held = await self.store.held_match_notices(due_by_ms=epoch_ms(now))
        by_summary: dict[str, list[HeldMatchNotice]] = {}
        for notice in held:
            by_summary.setdefault(notice.summary_id, []).append(notice)
        planned = 0
        for summary_id, notices in sorted(by_summary.items()):
            first = notices[0]
            if not await self.store.opted_out(
                opt_out_id(first.organisation_id, DefaultNotice.MATCH_FOUND)
            ):
                start = dt.datetime.fromtimestamp(first.period_ms / 1000, dt.UTC)
                params = {
                    "period_start": start.isoformat(),
                    "matches": [n.params for n in sorted(notices, key=_best_first)],
                }
                to = Recipient.of_organisation(first.organisation_id)
                cause = Cause(summary_id, SUMMARY_CAUSE_TYPE, key=summary_id)
                planned += await self.planner.plan(
                    PlannedEmail(Template.MATCH_SUMMARY, to, cause, params)
                )
            await self.store.forget_match_notices([n.id for n in notices])
        await self.store.forget_match_slots(before_day_ms=self.period_ms(Cadence.DAILY, now))
        if planned:
            log.info("planned %d match summary email(s)", planned)
        return planned


def _params(
    match: MatchFound, side: ListingKind, organisations: Mapping[str, OrganisationContact]
) -> dict[str, Any]:
    """What a match email tells the organisation on `side`: its own listing, the other one and
    who posted it, why they fit."""
    mine_is_offer = side is ListingKind.OFFER
    other_id = match.request_organisation_id if mine_is_offer else match.offer_organisation_id
    other = organisations.get(other_id)
    return {
        "id": match.match_id,
        "side": side.value,
        "own_title": match.offer_title if mine_is_offer else match.request_title,
        "other_title": match.request_title if mine_is_offer else match.offer_title,
        "other_organisation_name": other.name if other else None,
        "category": match.category.value,
        "rank": match.rank,
        "reasons": list(match.reasons),
        "reason_details": [r.model_dump(mode="json") for r in match.reason_details],
    }


def _best_first(notice: HeldMatchNotice) -> tuple[int, str]:
    rank = notice.params.get("rank")
    return (rank if isinstance(rank, int) else 0, notice.id)
