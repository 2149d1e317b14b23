"""Rendering emails and the MIME message: a view (`email_views.py`) becomes HTML and text
through autoescaping Jinja templates, and one multipart message with headers written as
`wire.WIRE` says. Also the small pages behind the links in an email.

No I/O: everything an email needs is handed in. User-supplied values reach headers only
through `single_line` and `email.headerregistry`, and HTML only escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from services.notifier.email_parts import MAX_NAME_LENGTH, EmailContext, single_line
from services.notifier.email_views import build_view
from services.notifier.texts import RIGHT_TO_LEFT, email_language, texts_for
from services.notifier.wire import WIRE
from shared.contracts.notifier import CalendarAttachment

_jinja = Environment(
    loader=PackageLoader("services.notifier", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def direction(language: str) -> str:
    return "rtl" if email_language(language) in RIGHT_TO_LEFT else "ltr"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    language: str


def render_email(ctx: EmailContext) -> RenderedEmail:
    view = build_view(ctx)
    language = email_language(ctx.language)
    values = {
        "view": view,
        "t": texts_for(language),
        "language": language,
        "direction": direction(language),
    }
    return RenderedEmail(
        subject=single_line(view.subject),
        text=_jinja.get_template("email.txt").render(values),
        html=_jinja.get_template("email.html").render(values),
        language=language,
    )


def render_page(
    language: str,
    *,
    title: str,
    text: str,
    portal_url: str,
    form_action: str | None = None,
    button: str | None = None,
) -> str:
    """A small HTML page (unsubscribe, confirmation) in the recipient's language."""
    language = email_language(language)
    t = texts_for(language)
    return _jinja.get_template("page.html").render(
        language=language,
        direction=direction(language),
        title=title,
        text=text,
        form_action=form_action,
        button=button,
        portal_url=portal_url,
        portal_label=t["portal_home"],
    )


# --- the MIME message -----------------------------------------------------------------------


class UnusableAddressError(ValueError):
    """The recipient address cannot be written into a header; retrying will not help."""


def recipient_header(address: str, name: str | None) -> Address:
    try:
        return Address(display_name=single_line(name or "", MAX_NAME_LENGTH), addr_spec=address)
    except (ValueError, IndexError) as exc:
        raise UnusableAddressError(f"unusable recipient address: {exc}") from exc


def build_message(
    rendered: RenderedEmail,
    *,
    sender: Address,
    to: Address,
    message_id: str,
    date: dt.datetime,
    unsubscribe_url: str | None,
    extra_headers: Sequence[tuple[str, str]] = (),
    calendar: CalendarAttachment | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text first, HTML second).

    With a `calendar` object, the alternative gains a third part, `text/calendar;
    method=REQUEST|CANCEL; charset=UTF-8` (iTIP over email, RFC 6047: what Outlook, Thunderbird
    and Apple Mail offer to add to or remove from the calendar), and the message becomes
    multipart/mixed with the same object attached as `invite.ics` (`application/ics`, for
    programs that only look at attachments).

    `List-Unsubscribe` with `List-Unsubscribe-Post` (RFC 8058) when an unsubscribe link is
    given; every header value is a single line, written as `wire.WIRE` says.
    """
    message = EmailMessage(policy=WIRE)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = single_line(rendered.subject)
    message["Date"] = format_datetime(date.astimezone(dt.UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url is not None:
        message["List-Unsubscribe"] = f"<{single_line(unsubscribe_url, 2000)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in extra_headers:
        message[name] = single_line(value, 500)
    message.set_content(rendered.text, charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    if calendar is not None:
        attach_calendar(message, calendar)
    message["Content-Language"] = rendered.language  # after set_content, which clears Content-*
    return message


#: The file name of the attached calendar object.
CALENDAR_FILENAME = "invite.ics"


def attach_calendar(message: EmailMessage, calendar: CalendarAttachment) -> None:
    """Add the calendar object to a multipart/alternative message: as its last alternative
    (`text/calendar` with the iTIP method) and as an `invite.ics` attachment."""
    method = calendar.method.value
    message.add_alternative(
        calendar.ics, subtype="calendar", charset="utf-8", params={"method": method}
    )
    message.add_attachment(
        calendar.ics.encode(),
        maintype="application",
        subtype="ics",
        filename=CALENDAR_FILENAME,
        params={"method": method},
    )
