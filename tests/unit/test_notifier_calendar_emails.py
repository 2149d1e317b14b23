"""The calendar's emails (working groups, event registrations): every one is written in all five
languages from the parameters the calendar sends, and an iCalendar invitation or cancellation
travels as a `text/calendar; method=…` alternative and an `invite.ics` attachment — kept with
the delivery until it is sent, and gone from the log after the retention period."""

from __future__ import annotations

import datetime as dt
import re
from email.headerregistry import Address
from email.message import EmailMessage

import icalendar
import pytest

from services.notifier.calendar_views import CALENDAR_PARAMS, when
from services.notifier.delivery_store import delivery_document, delivery_from_document
from services.notifier.domain import TRANSACTIONAL, DeliveryStatus, Template
from services.notifier.emails import render_email
from services.notifier.mailer import Mailer
from services.notifier.records import Delivery, finished, redacted
from services.notifier.sender import Sender
from services.notifier.service import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.texts import SUPPORTED_LANGUAGES, TEXTS
from services.notifier.tokens import Links, LinkSigner
from shared.clock import BERLIN
from shared.contracts.base import envelope
from shared.contracts.notifier import CalendarAttachment, CalendarMethod, EmailTemplate, SendEmail
from shared.ids import new_id
from tests.support.calendar_emails import CALENDAR_EMAIL_PARAMS, EVENT_UID, attachment
from tests.support.in_memory_notifier import InMemoryNotifierStore
from tests.support.notifier_emails import PORTAL, delivered, email_context, parsed

AT = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
CALENDAR_TEMPLATES = list(CALENDAR_EMAIL_PARAMS)
#: The links each email offers, by parameter.
LINK_PARAMS = ("event_link", "group_link", "confirm_link", "cancel_link")


def rendered_as(template: Template, language: str, method: str | None = None) -> str:
    rendered = render_email(
        email_context(
            template,
            language,
            CALENDAR_EMAIL_PARAMS[template],
            recipient_name="Kulturverein La Casa",
            calendar_method=method,
        )
    )
    return "\n".join((rendered.subject, rendered.text, rendered.html))


def a_message(calendar: CalendarAttachment | None) -> EmailMessage:
    template = Template.MEETING_INVITATION
    rendered = render_email(email_context(template, "de", CALENDAR_EMAIL_PARAMS[template]))
    to = Address("Kulturverein La Casa", "info", "lacasa.example.org")
    return parsed(delivered(rendered, to, unsubscribe_url=None, calendar=calendar))


def test_the_notifier_writes_every_email_another_service_may_ask_for() -> None:
    assert {Template(value) for value in EmailTemplate} <= TRANSACTIONAL
    assert set(CALENDAR_PARAMS) == set(CALENDAR_EMAIL_PARAMS)
    for template, params in CALENDAR_EMAIL_PARAMS.items():
        assert set(params) == set(CALENDAR_PARAMS[template]), template


@pytest.mark.parametrize("template", CALENDAR_TEMPLATES)
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_calendar_email_fills_all_its_sentences_in_every_language(
    template: Template, language: str
) -> None:
    written = rendered_as(template, language)
    params = CALENDAR_EMAIL_PARAMS[template]

    assert not re.search(r"\{[a-z_]+\}", written), "a placeholder was left unfilled"
    assert TEXTS[language]["signoff"] in written
    for name in ("event_title", "group_name", "organisation_name", "coordinator_name"):
        if name in params:
            assert params[name] in written, name
    for name in LINK_PARAMS:
        if name in params:
            assert f'href="{params[name]}"' in written, name
    if "starts_at" in params:
        assert "20.06.2026 17:00 – 19:00" in written  # Berlin time (UTC+2 in June)
        assert params["venue"] in written
    if "position" in params:
        assert "3" in written
    if "previous_starts_at" in params:
        assert "13.06.2026 17:00" in written
    if "reason" in params:
        assert params["reason"] in written


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_email_says_what_the_attached_calendar_object_does(language: str) -> None:
    t = TEXTS[language]
    invitation = rendered_as(Template.MEETING_INVITATION, language, "REQUEST")
    cancellation = rendered_as(Template.MEETING_CANCELLED, language, "CANCEL")
    without = rendered_as(Template.GROUP_INVITATION, language)

    assert t["calendar_request_note"] in invitation
    assert t["calendar_cancel_note"] in cancellation
    assert "invite.ics" not in without


def test_a_whole_day_event_shows_its_dates_only() -> None:
    params = {
        "starts_at": "2026-06-19T22:00:00+00:00",  # 20 June, 0:00 in Berlin
        "ends_at": "2026-06-20T21:59:00+00:00",
        "all_day": "true",
    }
    assert when(params, TEXTS["de"], BERLIN) == "20.06.2026 (ganztägig)"
    longer = {**params, "ends_at": "2026-06-21T21:59:00+00:00"}
    assert when(longer, TEXTS["en"], BERLIN) == "20.06.2026 – 21.06.2026 (all day)"


def test_missing_or_unreadable_values_leave_an_email_that_can_still_be_sent() -> None:
    params = {"event_title": "Sprachcafé", "starts_at": "bald", "cancel_link": "ftp://x"}
    rendered = render_email(email_context(Template.REGISTRATION_WAITLISTED, "de", params))
    assert "Wann: bald" in rendered.text
    assert "ftp://x" not in rendered.text + rendered.html


@pytest.mark.parametrize("method", list(CalendarMethod))
def test_a_calendar_object_is_an_alternative_and_an_invite_ics_attachment(
    method: CalendarMethod,
) -> None:
    calendar = attachment(method, sequence=2)
    message = a_message(calendar)

    assert message.get_content_type() == "multipart/mixed"
    [alternative, attached] = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    part = message.get_body(preferencelist=("calendar",))
    assert part is not None
    assert part.get_param("method") == method.value
    assert part.get_content_charset() == "utf-8"
    parsed = icalendar.Calendar.from_ical(part.get_content())
    assert parsed["METHOD"] == method.value
    [event] = parsed.walk("VEVENT")
    assert str(event["UID"]) == EVENT_UID
    assert str(event["SEQUENCE"]) == "2"
    assert str(event["LOCATION"]) == "Stadtteilbüro Nordstadt, Mallinckrodtstraße 3"

    assert attached.get_filename() == "invite.ics"
    assert attached.get_content_disposition() == "attachment"
    assert attached.get_content_type() == "application/ics"
    assert attached.get_content().decode() == calendar.ics
    # the headers of the whole message stay on the whole message
    assert message["Content-Language"] == "de"


def test_without_a_calendar_object_the_message_stays_text_and_html() -> None:
    message = a_message(None)

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def a_registration(calendar: CalendarAttachment | None, **params: str) -> SendEmail:
    return SendEmail(
        command_id=new_id(),
        template=EmailTemplate.REGISTRATION_CONFIRMED,
        to="Olena.Koval@example.org",
        recipient_name="Olena Koval",
        language="uk",
        params={**CALENDAR_EMAIL_PARAMS[Template.REGISTRATION_CONFIRMED], **params},
        requested_by_service="calendar",
        calendar=calendar,
    )


class KeepingMailer(Mailer):
    """Keeps the messages it was given instead of talking SMTP."""

    def __init__(self, settings: NotifierSettings) -> None:
        super().__init__(settings)
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage, *, sender: str, recipient: str) -> None:
        self.sent.append(message)


async def test_a_calendar_object_is_kept_with_the_delivery_and_sent_with_it() -> None:
    store = InMemoryNotifierStore()
    settings = NotifierSettings(_env_file=None, environment="development")
    links = Links(
        LinkSigner("s" * 40), "https://n.example", unsubscribe_days=1, confirmation_hours=1
    )
    notifier = Notifier(store, settings, links)
    command = a_registration(attachment(CalendarMethod.REQUEST, attendee="olena.koval@example.org"))
    for _ in range(2):  # a redelivered command plans nothing more
        await notifier.plan_command(command, envelope(command))

    [delivery] = store.deliveries.values()
    assert delivery.calendar == command.calendar
    assert delivery_from_document(delivery_document(delivery)) == delivery

    mailer = KeepingMailer(settings)
    await Sender(store, settings, links, mailer).drain()

    [message] = mailer.sent
    part = message.get_body(preferencelist=("calendar",))
    assert part is not None
    assert part.get_param("method") == "REQUEST"
    [done] = store.deliveries.values()
    assert done.status is DeliveryStatus.SENT
    assert done.calendar == command.calendar  # kept for the log until the retention period ends
    assert "cancel_link" not in done.params  # a link that acts is not kept once sent


def delivery_of(command: SendEmail) -> Delivery:
    """A delivery of a command as planning writes it, already sent."""
    return Delivery(
        id="d-1",
        template=Template(command.template.value),
        recipient=f"email:{command.to}",
        reason="transactional",
        address=command.to,
        params=dict(command.params),
        calendar=command.calendar,
        cause_event_id=command.command_id,
        cause_type="integrationsnetz.notifier.email.send.v1",
        status=DeliveryStatus.SENT,
        created_at=AT,
        updated_at=AT,
    )


def test_the_retention_removes_the_calendar_object_and_the_links() -> None:
    command = a_registration(
        attachment(CalendarMethod.CANCEL), confirm_link=f"{PORTAL}/anmeldung/bestaetigen?token=t"
    )
    delivery = finished(delivery_of(command))
    assert "confirm_link" not in delivery.params
    assert "cancel_link" not in delivery.params

    gone = redacted(delivery, AT)
    assert gone.calendar is None
    assert gone.params == {}
    assert delivery_document(gone)["calendar"] is None
