"""The pieces every email view is made of: what one email says (`EmailView`: subject,
heading, paragraphs, facts, buttons and links), everything one email needs (`EmailContext`),
and how values are written into it (one line, Berlin time, only http(s) links).

No I/O. User-supplied values (titles, names) pass through `single_line`; the HTML template
escapes everything.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from services.notifier.domain import Template

Texts = Mapping[str, str]

MAX_SUBJECT_LENGTH = 200
MAX_NAME_LENGTH = 100


def single_line(text: str, limit: int = MAX_SUBJECT_LENGTH) -> str:
    """One line of plain text: control characters and line or paragraph separators become
    spaces, so nothing user-supplied can start a new header."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text
    )
    collapsed = " ".join(cleaned.split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1].rstrip() + "…"


# --- views ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    url: str


@dataclass(frozen=True)
class Entry:
    title: str
    url: str
    details: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    entries: list[Entry]


@dataclass(frozen=True)
class EmailView:
    """What one email says, independent of HTML or text."""

    subject: str
    heading: str
    greeting: str = ""
    portal_url: str = ""
    paragraphs: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    button: Button | None = None
    #: Further links below the button (cancel a registration, the working group's page).
    links: list[Button] = field(default_factory=list)
    #: A question with a link per answer (a match email: "passt" / "passt nicht").
    question: str = ""
    choices: list[Button] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    why: str | None = None
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class EmailContext:
    """Everything one email needs: template, language, its stored parameters, and links."""

    template: Template
    language: str
    params: Mapping[str, Any]
    portal_url: str
    timezone: zoneinfo.ZoneInfo
    recipient_name: str | None = None
    #: Set when the email goes to an organisation's contact address by default (footer).
    organisation_name: str | None = None
    unsubscribe_url: str | None = None
    #: The link the email is about, for transactional emails (confirm, set a password).
    action_url: str | None = None
    #: A match email's signed feedback links, by verdict (`fits`, `does_not_fit`).
    feedback_urls: Mapping[str, str] = field(default_factory=dict)
    #: The iTIP method of the calendar object the email carries (`REQUEST`, `CANCEL`), if any.
    calendar_method: str | None = None


def format_when(value: str | dt.datetime | None, timezone: zoneinfo.ZoneInfo) -> str:
    """`16.05.2026 14:00` in the local time zone (Europe/Berlin)."""
    if value is None:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(timezone).strftime("%d.%m.%Y %H:%M")


def format_span(
    start: str | dt.datetime | None, end: str | dt.datetime | None, tz: zoneinfo.ZoneInfo
) -> str:
    first, last = format_when(start, tz), format_when(end, tz)
    if not first:
        return ""
    if not last:
        return first
    if first[:10] == last[:10]:
        return f"{first} – {last[11:]}"
    return f"{first} – {last}"


def portal_link(portal_url: str, *parts: str) -> str:
    return "/".join([portal_url.rstrip("/"), *parts])


def greeting(t: Mapping[str, str], name: str | None) -> str:
    clean = single_line(name or "", MAX_NAME_LENGTH)
    return t["greeting_named"].format(name=clean) if clean else t["greeting"]


def valid_link(url: Any) -> str | None:
    """Only http(s) links end up in an email (never `javascript:` or the like)."""
    if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) < 2000:
        return url
    return None
