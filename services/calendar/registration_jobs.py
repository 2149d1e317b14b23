"""What happens to registrations without anyone asking: the registrants are told when their
event moves, changes place or is called off (the calendar's own events, queue
`calendar.registrations`), and a periodic pass reminds them the day before, announces passed
deadlines on the stream, and deletes personal data: unconfirmed registrations after their
link's 48 hours, every name, address and answer `registration_retention_days` after the event
(only the counts stay). Like the notifier's retention (`services/notifier/retention.py`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.calendar import roster as rules
from services.calendar.domain import Event, series_span
from services.calendar.registration_messages import closed
from services.calendar.registrations import Registrations
from services.calendar.roster import Roster
from shared.contracts.base import Payload

log = logging.getLogger("integrationsnetz.calendar.registrations")

TOLD_STATES = ("confirmed", "waiting")


@dataclass(frozen=True)
class EventNews:
    """What the registrants of an event are to be told (from `calendar.event.*`)."""

    event_id: str
    sequence: int
    cancelled: bool = False
    previous_starts_at: dt.datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class PassCounts:
    reminded: int = 0
    deadlines: int = 0
    opt_ins_dropped: int = 0
    redacted: int = 0


class RegistrationJobs:
    def __init__(self, registrations: Registrations) -> None:
        self.registrations = registrations
        self.rosters = registrations.rosters
        self.settings = registrations.settings

    # the event changed -------------------------------------------------------------------

    async def event_changed(self, news: EventNews, correlation_id: str | None) -> int:
        """Tell every confirmed and waiting registrant, once per (event, sequence); returns
        how many emails it wrote."""
        roster = await self.rosters.get_roster(news.event_id)
        if (
            roster is None
            or roster.final_counts is not None
            or news.sequence <= roster.told_sequence
        ):
            return 0
        event = await self.registrations.event(news.event_id)
        start, end = series_span(event)
        out = await self.registrations.outgoing(event)

        def change(current: Roster | None) -> tuple[Roster, list[Payload]] | None:
            out.messages = []
            if current is None or news.sequence <= current.told_sequence:
                return None
            now = self.registrations.clock()
            told = max(news.sequence, event.sequence)
            roster = rules.at_times(current, start, end).model_copy(update={"told_sequence": told})
            for registration in current.registrations:
                if registration.state not in TOLD_STATES:
                    continue
                if news.cancelled:
                    out.messages.append(out.mail.event_cancelled(registration, news.reason))
                    continue
                roster, token = out.cancel_token(roster, registration.id)
                previous = news.previous_starts_at or current.event_starts_at
                out.messages.append(out.mail.event_changed(registration, token, previous))
            stream: list[Payload] = []
            if news.cancelled and roster.settings is not None and not roster.closed:
                roster = rules.close(roster, now)
                stream.append(closed(roster, now, "closed"))
            elif roster.settings is not None and now < rules.closing_time(
                roster.settings, event.starts_at
            ):
                roster = roster.model_copy(update={"deadline_announced": False})
            return roster, [*stream, *out.messages]

        await self.rosters.write_roster(
            news.event_id, change, out.tokens, correlation_id=correlation_id
        )
        return len(out.messages)

    # the periodic pass -------------------------------------------------------------------

    async def run(self) -> PassCounts:
        """One pass of the reminders, the deadlines and the retention."""
        now = self.registrations.clock()
        counts = PassCounts(
            reminded=await self.remind(now),
            deadlines=await self.announce_deadlines(now),
            opt_ins_dropped=await self.drop_expired_opt_ins(now),
            redacted=await self.redact_ended(now),
        )
        if counts != PassCounts():
            log.info("registrations pass: %s", counts)
        return counts

    async def remind(self, now: dt.datetime) -> int:
        """The day before: each confirmed registrant gets one reminder (per SEQUENCE)."""
        horizon = now + dt.timedelta(hours=self.settings.registration_reminder_hours)
        reminded = 0
        for event_id in await self.rosters.starting_between(now, horizon):
            event = await self.registrations.calendar.store.get_event(event_id)
            if event is not None and not event.cancelled:
                reminded += await self._remind(event)
        return reminded

    async def _remind(self, event: Event) -> int:
        out = await self.registrations.outgoing(event)

        def change(current: Roster | None) -> tuple[Roster, list[Payload]] | None:
            out.messages = []
            if current is None or current.final_counts is not None:
                return None
            if (
                current.reminded_sequence is not None
                and current.reminded_sequence >= event.sequence
            ):
                return None
            roster = current.model_copy(update={"reminded_sequence": event.sequence})
            for registration in current.in_state("confirmed"):
                roster, token = out.cancel_token(roster, registration.id)
                out.messages.append(out.mail.reminder(registration, token))
            return roster, list(out.messages)

        await self.rosters.write_roster(event.id, change, out.tokens)
        return len(out.messages)

    async def announce_deadlines(self, now: dt.datetime) -> int:
        announced = 0
        for event_id in await self.rosters.open_with_deadline_before(now):
            announced += await self._announce_deadline(event_id, now)
        return announced

    async def _announce_deadline(self, event_id: str, now: dt.datetime) -> bool:
        """Whether this pass announced the event's passed deadline (as its last attempt did)."""
        announced = False

        def change(current: Roster | None) -> tuple[Roster, list[Payload]] | None:
            nonlocal announced
            announced = False
            if current is None or current.settings is None or current.closed:
                return None
            if current.deadline_announced:
                return None
            if now < rules.closing_time(current.settings, current.event_starts_at):
                return None
            roster = current.model_copy(update={"deadline_announced": True})
            announced = True
            return roster, [closed(roster, now, "deadline")]

        await self.rosters.write_roster(event_id, change)
        return announced

    async def drop_expired_opt_ins(self, now: dt.datetime) -> int:
        dropped = 0
        for event_id in await self.rosters.with_pending_before(now - rules.OPT_IN_TTL):
            gone = await self._drop(
                event_id, lambda roster: rules.drop_expired_opt_ins(roster, now)
            )
            dropped += len(gone)
        return dropped

    async def redact_ended(self, now: dt.datetime) -> int:
        """Delete the personal data of rosters whose event ended the retention ago."""
        cutoff = now - dt.timedelta(days=self.settings.registration_retention_days)
        redacted = 0
        for event_id in await self.rosters.ended_before(cutoff):
            await self._drop(event_id, rules.redact, everything=True)
            redacted += 1
        return redacted

    async def _drop(
        self,
        event_id: str,
        drop: Callable[[Roster], rules.Dropped],
        *,
        everything: bool = False,
    ) -> Sequence[str]:
        gone: list[str] = []

        def change(current: Roster | None) -> tuple[Roster, list[Payload]] | None:
            if current is None or current.final_counts is not None:
                return None
            dropped = drop(current)
            gone[:] = dropped.registration_ids
            if not dropped.redacted and not dropped.registration_ids:
                return None
            return dropped.roster, []

        await self.rosters.write_roster(event_id, change)
        await self.rosters.delete_tokens(event_id, None if everything else gone)
        return gone
