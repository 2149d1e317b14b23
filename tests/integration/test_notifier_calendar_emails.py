"""The calendar's emails through the real broker, database and SMTP server: a working group's
meeting invitation (REQUEST) and a registration's cancellation (CANCEL) arrive with their
iCalendar object as a `text/calendar` alternative and an `invite.ics` attachment; a command
arriving twice sends one email; the largest calendar object a command may carry is stored and
sent whole; the retention pass removes it from the log."""

from __future__ import annotations

import datetime as dt

import icalendar

from services.notifier.delivery_store import DELIVERIES
from services.notifier.domain import DeliveryStatus, Template
from shared.clock import utc_now
from shared.contracts.notifier import CalendarAttachment, CalendarMethod, EmailTemplate, SendEmail
from shared.ids import new_id
from tests.integration.notifier_fixtures import NotifierFactory, handled, reaches, stored
from tests.support.amqp import publish
from tests.support.calendar_emails import CALENDAR_EMAIL_PARAMS, EVENT_UID, attachment
from tests.support.mail import CaughtMail, MailServer, tagged

RETENTION_DAYS = 30


def a_command(
    template: EmailTemplate, to: str, calendar: CalendarAttachment, language: str = "de"
) -> SendEmail:
    return SendEmail(
        command_id=new_id(),
        template=template,
        to=to,
        recipient_name="Kulturverein La Casa",
        language=language,
        params=CALENDAR_EMAIL_PARAMS[Template(template.value)],
        requested_by_service="calendar",
        calendar=calendar,
    )


def calendar_of(mail: CaughtMail) -> tuple[str, icalendar.Calendar]:
    """The iTIP method of the mail's `text/calendar` part and the object it holds, after
    checking that the `invite.ics` attachment holds the same."""
    part = mail.message.get_body(preferencelist=("calendar",))
    assert part is not None, "no text/calendar part"
    content = part.get_content()
    [attached] = [p for p in mail.message.iter_attachments() if p.get_filename() == "invite.ics"]
    assert attached.get_content().decode() == content
    return str(part.get_param("method")), icalendar.Calendar.from_ical(content)


async def test_a_meeting_invitation_and_a_cancellation_arrive_with_their_calendar_objects(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    lacasa, olena = tagged("info-lacasa"), tagged("olena")
    invitation = a_command(
        EmailTemplate.MEETING_INVITATION,
        lacasa,
        attachment(CalendarMethod.REQUEST, sequence=1, attendee=lacasa),
    )
    cancellation = a_command(
        EmailTemplate.REGISTRATION_EVENT_CANCELLED,
        olena,
        attachment(CalendarMethod.CANCEL, sequence=2, attendee=olena),
        language="uk",
    )
    async with notifier_factory() as notifier:
        await publish(notifier.amqp_url, [invitation, cancellation])
        [invited] = await mail_server.wait_for(lambda m: m.to == lacasa)
        [cancelled] = await mail_server.wait_for(lambda m: m.to == olena)

        # the same command again (a redelivery, a relay publishing twice): no second email
        [again] = await publish(notifier.amqp_url, [invitation])
        await handled(notifier, again.id)
        await reaches(notifier, invitation, DeliveryStatus.SENT)
        deliveries = notifier.app.state.runtime.db[DELIVERIES]
        assert await deliveries.count_documents({"cause_event_id": invitation.command_id}) == 1
    assert len(mail_server.to(lacasa)) == 1

    assert invited.header("Subject") == "Einladung zum Treffen: Treffen der AG Sprachcafés"
    assert "20.06.2026 17:00 – 19:00" in invited.text
    method, calendar = calendar_of(invited)
    assert method == "REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert (str(event["UID"]), str(event["SEQUENCE"])) == (EVENT_UID, "1")

    assert cancelled.header("Subject") == "Захід скасовано: Treffen der AG Sprachcafés"
    method, calendar = calendar_of(cancelled)
    assert method == "CANCEL"
    assert calendar["METHOD"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert (str(event["UID"]), str(event["SEQUENCE"])) == (EVENT_UID, "2")


async def test_the_largest_calendar_object_is_stored_sent_whole_and_removed_by_retention(
    notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    lacasa = tagged("info-lacasa")
    largest = attachment(CalendarMethod.REQUEST, attendee=lacasa, description="x" * 60_000)
    assert 60_000 < len(largest.ics) <= 65_536  # SendEmail's limit
    invitation = a_command(EmailTemplate.MEETING_INVITATION, lacasa, largest)
    async with notifier_factory(delivery_retention_days=RETENTION_DAYS) as notifier:
        await publish(notifier.amqp_url, [invitation])
        [mail] = await mail_server.wait_for(lambda m: m.to == lacasa)
        await reaches(notifier, invitation, DeliveryStatus.SENT)
        assert (await stored(notifier, invitation))["calendar"] == largest.model_dump(mode="json")

        later = utc_now() + dt.timedelta(days=RETENTION_DAYS + 1)
        counts = await notifier.service.retention.apply_retention(later)
        redacted = await stored(notifier, invitation)

    _method, calendar = calendar_of(mail)
    [event] = calendar.walk("VEVENT")
    assert str(event["DESCRIPTION"]) == "x" * 60_000
    assert counts.deliveries_redacted == 1
    assert redacted["calendar"] is None
    assert redacted["params"] == {}
    assert redacted["status"] == DeliveryStatus.SENT.value
