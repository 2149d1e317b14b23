"""What a change of a roster tells: the counts on the public stream (never a name or an
address) and the emails to the registrants, as private `SendEmail` commands to the notifier
with their iCalendar invitation or cancellation."""

from __future__ import annotations

import datetime as dt

from services.calendar.domain import Event
from services.calendar.invitations import Addressee, calendar_email, event_params, invitation
from services.calendar.roster import Registration, Roster
from services.calendar.settings import CalendarSettings
from shared.contracts.base import Payload
from shared.contracts.calendar import (
    RegistrationChanged,
    RegistrationClosed,
    RegistrationCounts,
    RegistrationOpened,
    RegistrationOpenTo,
)
from shared.contracts.notifier import CalendarMethod, EmailTemplate, SendEmail

# --- the counts on the stream ---------------------------------------------------------------


def counts(
    kind: type[RegistrationCounts], roster: Roster, now: dt.datetime, **extra: str
) -> RegistrationCounts:
    settings = roster.settings
    return kind(
        event_id=roster.event_id,
        capacity=roster.capacity,
        confirmed=roster.confirmed,
        waiting=roster.waiting,
        seats_left=roster.seats_left,
        deadline=settings.deadline if settings else None,
        open_to=settings.open_to if settings else RegistrationOpenTo.PUBLIC,
        updated_at=now,
        **extra,
    )


def counts_changes(before: Roster, after: Roster, now: dt.datetime) -> list[Payload]:
    """The stream's news of a change of seats: the counts when they changed, `closed(full)`
    when the last seat went, `opened` when a seat of a full roster became free."""
    messages: list[Payload] = []
    if (before.confirmed, before.waiting, before.capacity) != (
        after.confirmed,
        after.waiting,
        after.capacity,
    ):
        messages.append(counts(RegistrationChanged, after, now))
    if after.full and not before.full:
        messages.append(counts(RegistrationClosed, after, now, reason="full"))
    elif before.full and not after.full:
        messages.append(counts(RegistrationOpened, after, now))
    return messages


def opened(roster: Roster, now: dt.datetime) -> list[Payload]:
    """A roster set up (or opened again): `opened`, or `closed(full)` if it has no seat."""
    if roster.full:
        return [counts(RegistrationClosed, roster, now, reason="full")]
    return [counts(RegistrationOpened, roster, now)]


def closed(roster: Roster, now: dt.datetime, reason: str) -> Payload:
    return counts(RegistrationClosed, roster, now, reason=reason)


# --- the emails ---------------------------------------------------------------------------


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def addressee(registration: Registration) -> Addressee:
    return Addressee(registration.email, registration.name, registration.language)


class RegistrationMail:
    """The emails of registrations for one event, with the links into the portal."""

    def __init__(self, settings: CalendarSettings, event: Event, organiser_name: str) -> None:
        self.settings = settings
        self.event = event
        self.organiser_name = organiser_name

    @property
    def portal(self) -> str:
        return self.settings.portal_url.rstrip("/")

    def link(self, path: str, token: str) -> str:
        return f"{self.portal}/anmeldung/{path}?token={token}"

    def _params(self, **extra: str) -> dict[str, str]:
        return {**event_params(self.event, self.portal, _iso), **extra}

    def _email(
        self,
        template: EmailTemplate,
        registration: Registration,
        params: dict[str, str],
        method: CalendarMethod | None = None,
    ) -> SendEmail:
        to = addressee(registration)
        calendar = None
        if method:
            calendar = invitation(
                self.event,
                method,
                to,
                portal_url=self.portal,
                organizer_email=self.settings.invitation_organizer_email,
                organizer_name=self.organiser_name,
            )
        return calendar_email(template, to, params, calendar)

    def opt_in(self, registration: Registration, token: str, expires: dt.datetime) -> SendEmail:
        params = self._params(
            confirm_link=self.link("bestaetigen", token), expires_at=_iso(expires)
        )
        return self._email(EmailTemplate.REGISTRATION_OPT_IN, registration, params)

    def seated(
        self, registration: Registration, cancel_token: str, position: int | None
    ) -> SendEmail:
        """`registration_confirmed` (with the invitation) or `registration_waitlisted`."""
        cancel_link = self.link("abmelden", cancel_token)
        if registration.state == "confirmed":
            return self._email(
                EmailTemplate.REGISTRATION_CONFIRMED,
                registration,
                self._params(cancel_link=cancel_link),
                CalendarMethod.REQUEST,
            )
        params = self._params(cancel_link=cancel_link, position=str(position or 0))
        return self._email(EmailTemplate.REGISTRATION_WAITLISTED, registration, params)

    def promoted(self, registration: Registration, cancel_token: str) -> SendEmail:
        params = self._params(cancel_link=self.link("abmelden", cancel_token))
        return self._email(
            EmailTemplate.REGISTRATION_PROMOTED, registration, params, CalendarMethod.REQUEST
        )

    def cancelled(self, registration: Registration) -> SendEmail:
        return self._email(
            EmailTemplate.REGISTRATION_CANCELLED,
            registration,
            self._params(),
            CalendarMethod.CANCEL,
        )

    def reminder(self, registration: Registration, cancel_token: str) -> SendEmail:
        params = self._params(cancel_link=self.link("abmelden", cancel_token))
        return self._email(EmailTemplate.REGISTRATION_REMINDER, registration, params)

    def event_changed(
        self, registration: Registration, cancel_token: str, previous_starts_at: dt.datetime
    ) -> SendEmail:
        params = self._params(
            cancel_link=self.link("abmelden", cancel_token),
            previous_starts_at=_iso(previous_starts_at),
        )
        return self._email(
            EmailTemplate.REGISTRATION_EVENT_CHANGED, registration, params, CalendarMethod.REQUEST
        )

    def event_cancelled(self, registration: Registration, reason: str | None) -> SendEmail:
        params = self._params(reason=reason or "")
        return self._email(
            EmailTemplate.REGISTRATION_EVENT_CANCELLED,
            registration,
            params,
            CalendarMethod.CANCEL,
        )
