"""Use cases of registering for events: setting registration up, registering (members at
once, anyone else by a confirmed link), confirming, cancelling, moving up from the waiting
list. Each change is one write of the event's roster with the counts for the stream and the
emails in its outbox; the rules are `roster.py`'s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from services.calendar import roster as rules
from services.calendar.domain import Event, series_span
from services.calendar.registration_messages import (
    RegistrationMail,
    closed,
    counts_changes,
    opened,
)
from services.calendar.roster import (
    Answers,
    Registration,
    RegistrationSettings,
    Roster,
    RosterError,
)
from services.calendar.roster_repository import (
    GroupMembership,
    RosterRepository,
    TokenBook,
    TokenEntry,
)
from services.calendar.service import Calendar, event_not_found
from shared.auth import Principal
from shared.clock import utc_now
from shared.contracts.base import Payload
from shared.contracts.calendar import RegistrationOpenTo
from shared.errors import (
    ApplicationError,
    ConflictError,
    ForbiddenError,
    GoneError,
    NotFoundError,
    RejectedError,
    UnauthenticatedError,
)
from shared.ids import new_id
from shared.link_tokens import hash_one_time_token

_CONFLICTS = {"registration-closed", "already-registered", "organisation-places-taken"}


def refusal(exc: RosterError) -> ApplicationError:
    """The application error of a rule of the roster."""
    if exc.slug in _CONFLICTS:
        return ConflictError(str(exc), slug=exc.slug)
    if exc.slug == "registration-not-found":
        return NotFoundError(str(exc), slug=exc.slug)
    return RejectedError(str(exc), slug=exc.slug)


def not_set_up() -> NotFoundError:
    return NotFoundError("This event takes no registrations.", slug="registration-not-found")


def invalid_token() -> NotFoundError:
    return NotFoundError(
        "This link is unknown or no longer valid.", slug="registration-token-invalid"
    )


def forbidden(detail: str) -> ForbiddenError:
    return ForbiddenError(detail, slug="forbidden")


@dataclass(frozen=True)
class NewRegistration:
    """What someone registering sends."""

    name: str
    email: str
    organisation_id: str | None = None
    language: str = "de"
    answers: Answers = field(default_factory=Answers)


@dataclass(frozen=True)
class Seat:
    """Where a registration stands: its state and its place on the waiting list."""

    event_id: str
    registration_id: str
    state: str
    position: int | None


def seat_of(roster: Roster, registration: Registration) -> Seat:
    current = roster.find(registration.id) or registration
    return Seat(roster.event_id, current.id, current.state, roster.position(current.id))


@dataclass
class Outgoing:
    """The emails a change sends, with the cancel links they carry."""

    mail: RegistrationMail
    tokens: TokenBook
    messages: list[Payload]

    def cancel_token(self, roster: Roster, registration_id: str) -> tuple[Roster, str]:
        token, hashed = self.tokens.issue(registration_id, "cancel")
        return rules.with_new_cancel_hash(roster, registration_id, hashed), token

    def seated(self, roster: Roster, registration: Registration) -> Roster:
        roster, token = self.cancel_token(roster, registration.id)
        self.messages.append(
            self.mail.seated(registration, token, roster.position(registration.id))
        )
        return roster

    def promoted(self, roster: Roster, promoted: Sequence[Registration]) -> Roster:
        for registration in promoted:
            roster, token = self.cancel_token(roster, registration.id)
            self.messages.append(self.mail.promoted(registration, token))
        return roster


class Registrations:
    def __init__(
        self,
        calendar: Calendar,
        rosters: RosterRepository,
        groups: GroupMembership,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.calendar = calendar
        self.rosters = rosters
        self.groups = groups
        self.settings = calendar.settings
        self.clock = clock

    # helpers -----------------------------------------------------------------------------

    async def event(self, event_id: str) -> Event:
        event = await self.calendar.store.get_event(event_id)
        if event is None:
            raise event_not_found()
        return event

    @staticmethod
    def may_organise(event: Event, user: Principal | None) -> bool:
        return user is not None and any(user.may_edit(o) for o in event.organiser_ids)

    def require_organiser(self, event: Event, user: Principal) -> None:
        if not self.may_organise(event, user):
            raise forbidden("Only the event's organisers may do this.")

    async def mail_for(self, event: Event) -> RegistrationMail:
        known = await self.calendar.store.get_organisation(event.organisation_id)
        return RegistrationMail(self.settings, event, known.name if known else "Integrationsnetz")

    async def outgoing(self, event: Event) -> Outgoing:
        return Outgoing(await self.mail_for(event), TokenBook(event.id), [])

    async def set_up_roster(self, event_id: str, user: Principal | None) -> tuple[Event, Roster]:
        event = await self.calendar.visible_event(event_id, user)
        roster = await self.rosters.get_roster(event_id)
        if roster is None or roster.settings is None:
            raise not_set_up()
        return event, roster

    async def write(
        self,
        event_id: str,
        change: Callable[[Roster | None], tuple[Roster, Sequence[Payload]] | None],
        tokens: TokenBook | None,
        correlation_id: str | None,
    ) -> Roster | None:
        try:
            return await self.rosters.write_roster(
                event_id, change, tokens, correlation_id=correlation_id
            )
        except RosterError as exc:
            raise refusal(exc) from exc

    # setting up --------------------------------------------------------------------------

    async def configure(
        self,
        event_id: str,
        settings: RegistrationSettings,
        user: Principal,
        correlation_id: str | None,
    ) -> Roster:
        event = await self.event(event_id)
        self.require_organiser(event, user)
        if event.cancelled:
            raise ConflictError("The event is called off.", slug="registration-closed")
        if settings.open_to is RegistrationOpenTo.GROUP and event.group_id is None:
            raise RejectedError(
                "Only a working group's meeting can be open to its group alone.",
                slug="registration-group-only",
                fields=["open_to"],
            )
        start, end = series_span(event)
        out = await self.outgoing(event)

        def change(current: Roster | None) -> tuple[Roster, list[Payload]]:
            now = self.clock()
            before = rules.at_times(
                current or rules.new_roster(event_id, start, end, now), start, end
            )
            was_open = before.settings is not None and not before.closed
            roster, promoted = rules.configure(before, settings, event.starts_at, now)
            out.messages = []
            roster = out.promoted(roster, promoted)
            news = counts_changes(before, roster, now) if was_open else opened(roster, now)
            return roster, [*news, *out.messages]

        written = await self.write(event_id, change, out.tokens, correlation_id)
        assert written is not None
        return written

    async def close(self, event_id: str, user: Principal, correlation_id: str | None) -> Roster:
        event = await self.event(event_id)
        self.require_organiser(event, user)

        def change(current: Roster | None) -> tuple[Roster, list[Payload]] | None:
            if current is None or current.settings is None:
                raise RosterError("This event takes no registrations.", "registration-not-found")
            if current.closed:
                return None
            now = self.clock()
            roster = rules.close(current, now)
            return roster, [closed(roster, now, "closed")]

        written = await self.write(event_id, change, None, correlation_id)
        assert written is not None
        return written

    async def status(
        self, event_id: str, user: Principal | None
    ) -> tuple[Roster, rules.ClosedReason | None]:
        """The roster (for its counts) and why it takes no new seats now (or None)."""
        event, roster = await self.set_up_roster(event_id, user)
        return roster, rules.closed_reason(roster, event.starts_at, self.clock())

    # registering -------------------------------------------------------------------------

    async def check_access(self, event: Event, roster: Roster, user: Principal | None) -> None:
        assert roster.settings is not None
        open_to = roster.settings.open_to
        if open_to is RegistrationOpenTo.PUBLIC:
            return
        if user is None:
            raise UnauthenticatedError(
                "Registering for this event needs a member's sign-in.",
                slug="registration-needs-sign-in",
            )
        group_id: str | None = event.group_id
        if open_to is RegistrationOpenTo.GROUP and not user.is_admin:
            members = await self.groups.members_of(group_id) if group_id else frozenset()
            if not members & user.organisation_ids:
                raise ForbiddenError(
                    "Only members of the working group's organisations may register.",
                    slug="registration-group-only",
                )

    async def register(
        self,
        event_id: str,
        data: NewRegistration,
        user: Principal | None,
        correlation_id: str | None,
    ) -> Seat:
        event, found = await self.set_up_roster(event_id, user)
        if event.cancelled:
            raise ConflictError("The event is called off.", slug="registration-closed")
        await self.check_access(event, found, user)
        if data.organisation_id is not None:
            if user is None:
                raise UnauthenticatedError(
                    "Registering for an organisation needs a member's sign-in.",
                    slug="registration-needs-sign-in",
                )
            if not user.may_edit(data.organisation_id):
                raise forbidden("You may register only for your own organisations.")
        now = self.clock()
        out = await self.outgoing(event)
        registration = Registration(
            id=new_id(),
            name=data.name,
            email=data.email,
            organisation_id=data.organisation_id,
            person_id=user.person_id if user is not None else None,
            language=data.language,
            answers=data.answers.asked(found.settings.questions if found.settings else []),
            state="pending",
            created_at=now,
        )
        if user is None:
            expires = now + rules.OPT_IN_TTL
            token, hashed = out.tokens.issue(registration.id, "opt_in", expires)
            registration = registration.model_copy(update={"opt_in_hash": hashed})
            out.messages = [out.mail.opt_in(registration, token, expires)]

        def change(current: Roster | None) -> tuple[Roster, list[Payload]]:
            if current is None or current.settings is None:
                raise RosterError("This event takes no registrations.", "registration-not-found")
            moment = self.clock()
            rules.check_new(current, data.email, data.organisation_id, event.starts_at, moment)
            roster = rules.add(current, registration, moment)
            if user is None:
                return roster, list(out.messages)
            roster, seated = rules.take_seat(roster, registration.id, moment)
            emails = Outgoing(out.mail, out.tokens, [])
            roster = emails.seated(roster, seated)
            return roster, [*counts_changes(current, roster, moment), *emails.messages]

        written = await self.write(event_id, change, out.tokens, correlation_id)
        assert written is not None
        return seat_of(written, registration)

    async def token_entry(self, token: str, purpose: str) -> TokenEntry:
        entry = await self.rosters.find_token(hash_one_time_token(token))
        if entry is None or entry.purpose != purpose:
            raise invalid_token()
        if entry.expires_at is not None and entry.expires_at <= self.clock():
            raise GoneError("This link has expired.", slug="registration-token-expired")
        return entry

    async def confirm(self, token: str, correlation_id: str | None) -> Seat:
        """The double opt-in: the link of the email takes a seat (or a place on the waiting
        list); a second click changes nothing."""
        entry = await self.token_entry(token, "opt_in")
        event = await self.event(entry.event_id)
        out = await self.outgoing(event)

        def change(current: Roster | None) -> tuple[Roster, list[Payload]] | None:
            registration = current.find(entry.registration_id) if current else None
            if current is None or registration is None or registration.state == "cancelled":
                raise RosterError("This link is no longer valid.", "registration-token-invalid")
            if registration.state != "pending":
                return None
            moment = self.clock()
            if rules.closed_reason(current, event.starts_at, moment) in ("closed", "deadline"):
                raise RosterError("Registration for this event is closed.", "registration-closed")
            roster, seated = rules.take_seat(current, registration.id, moment)
            out.messages = []
            roster = out.seated(roster, seated)
            return roster, [*counts_changes(current, roster, moment), *out.messages]

        try:
            written = await self.rosters.write_roster(
                entry.event_id, change, out.tokens, correlation_id=correlation_id
            )
        except RosterError as exc:
            if exc.slug == "registration-token-invalid":
                raise invalid_token() from exc
            raise refusal(exc) from exc
        assert written is not None
        registration = written.find(entry.registration_id)
        assert registration is not None
        return seat_of(written, registration)

    # cancelling --------------------------------------------------------------------------

    async def cancel_by_token(self, token: str, correlation_id: str | None) -> Seat:
        entry = await self.token_entry(token, "cancel")
        roster = await self.rosters.get_roster(entry.event_id)
        if roster is None or roster.find(entry.registration_id) is None:
            raise invalid_token()
        return await self._cancel(entry.event_id, entry.registration_id, correlation_id)

    async def cancel(
        self, event_id: str, registration_id: str, user: Principal, correlation_id: str | None
    ) -> Seat:
        """The registrant's own account, the organisers or office staff cancel."""
        event = await self.event(event_id)
        roster = await self.rosters.get_roster(event_id)
        registration = roster.find(registration_id) if roster else None
        if registration is None:
            raise NotFoundError("No such registration.", slug="registration-not-found")
        own = registration.person_id is not None and registration.person_id == user.person_id
        if not own and not self.may_organise(event, user):
            raise forbidden("Only the registrant or the event's organisers may cancel.")
        return await self._cancel(event_id, registration_id, correlation_id)

    async def _cancel(
        self, event_id: str, registration_id: str, correlation_id: str | None
    ) -> Seat:
        event = await self.event(event_id)
        out = await self.outgoing(event)

        def change(current: Roster | None) -> tuple[Roster, list[Payload]] | None:
            if current is None:
                raise RosterError("No such registration.", "registration-not-found")
            moment = self.clock()
            roster, cancelled, promoted = rules.cancel(current, registration_id, moment)
            if cancelled is None:
                return None
            before = current.find(registration_id)
            # a pending registration was never told it has a place: no cancellation to send
            told = before is not None and before.state in ("confirmed", "waiting")
            out.messages = [out.mail.cancelled(cancelled)] if told else []
            roster = out.promoted(roster, promoted)
            return roster, [*counts_changes(current, roster, moment), *out.messages]

        written = await self.write(event_id, change, out.tokens, correlation_id)
        assert written is not None
        registration = written.find(registration_id)
        assert registration is not None
        return seat_of(written, registration)

    # attendance --------------------------------------------------------------------------

    async def set_attendance(
        self,
        event_id: str,
        registration_id: str,
        attended: bool,
        user: Principal,
        correlation_id: str | None,
    ) -> tuple[Registration, Roster]:
        """Record whether someone came; returns the registration and its roster."""
        event = await self.event(event_id)
        self.require_organiser(event, user)

        def change(current: Roster | None) -> tuple[Roster, list[Payload]]:
            if current is None:
                raise RosterError("No such registration.", "registration-not-found")
            return rules.mark_attendance(current, registration_id, attended, self.clock()), []

        written = await self.write(event_id, change, None, correlation_id)
        registration = written.find(registration_id) if written else None
        assert written is not None
        assert registration is not None
        return registration, written
