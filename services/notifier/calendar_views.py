"""What the calendar's emails say: a working group's (a meeting planned, moved or called off;
an organisation asking to join; an invitation into a group) and an event registration's
(confirm it, confirmed, waiting list, moved up, cancelled, reminder, the event moved or was
called off).

Every one names the event or group, when it takes place in Berlin time, where, and links to
the portal; what the calendar sends as parameters is listed in `services/notifier/README.md`.
A missing parameter shows as empty rather than stopping the email. No I/O.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping
from typing import Any

from services.notifier.domain import Template
from services.notifier.email_parts import (
    Button,
    EmailContext,
    EmailView,
    Texts,
    format_span,
    format_when,
    single_line,
    valid_link,
)


def _text(params: Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = params.get(name)
    return single_line(str(value), limit) if value not in (None, "") else ""


def _dates(start: str, end: str, tz: zoneinfo.ZoneInfo) -> str:
    """The dates of a whole-day entry (its times do not count)."""
    first, last = format_when(start, tz)[:10], format_when(end, tz)[:10]
    return first if not last or last == first else f"{first} – {last}"


def when(params: Mapping[str, Any], t: Texts, tz: zoneinfo.ZoneInfo) -> str:
    """When the event takes place, in Berlin time: dates only for a whole-day entry."""
    start, end = _text(params, "starts_at"), _text(params, "ends_at")
    if not start:
        return ""
    try:
        if params.get("all_day") == "true":
            return f"{_dates(start, end, tz)} ({t['all_day']})"
        return format_span(start, end or None, tz)
    except ValueError:  # not ISO 8601: shown as it came
        return start


def _moment(params: Mapping[str, Any], name: str, tz: zoneinfo.ZoneInfo) -> str:
    value = _text(params, name)
    try:
        return format_when(value, tz) if value else ""
    except ValueError:
        return value


def _event_facts(ctx: EmailContext, t: Texts) -> list[tuple[str, str]]:
    p = ctx.params
    facts = [
        (t["label_when"], when(p, t, ctx.timezone)),
        (t["label_venue"], _text(p, "venue", 300)),
        (t["label_group"], _text(p, "group_name")),
        (t["label_topic"], _text(p, "topic", 300)),
    ]
    if ctx.template is Template.REGISTRATION_EVENT_CHANGED:
        facts.append((t["label_previously"], _moment(p, "previous_starts_at", ctx.timezone)))
    if ctx.template is Template.REGISTRATION_EVENT_CANCELLED:
        facts.append((t["label_reason"], _text(p, "reason", 500)))
    return [(label, value) for label, value in facts if value]


def _links(p: Mapping[str, Any], t: Texts, *names: tuple[str, str]) -> list[Button]:
    """The links (parameter, label) that were given and are http(s)."""
    return [Button(t[label], url) for name, label in names if (url := valid_link(p.get(name)))]


def _calendar_notes(ctx: EmailContext, t: Texts) -> list[str]:
    method = (ctx.calendar_method or "").lower()
    return [t[f"calendar_{method}_note"]] if method in ("request", "cancel") else []


def _sentences(ctx: EmailContext, t: Texts) -> tuple[str, str]:
    """The template's subject and first paragraph, with every value they may name."""
    p = ctx.params
    values = {
        "title": _text(p, "event_title") or t["a_calendar_entry"],
        "group": _text(p, "group_name"),
        "organisation": _text(p, "organisation_name") or t["another_organisation"],
        "coordinator": _text(p, "coordinator_name") or t["a_partner"],
        "position": _text(p, "position", 10) or "?",
    }
    name = ctx.template.value
    return t[f"{name}_subject"].format(**values), t[f"{name}_text"].format(**values)


def _event_view(
    ctx: EmailContext, t: Texts, primary: list[Button], links: list[Button], notes: list[str]
) -> EmailView:
    """An email about an event or meeting: its sentences and facts, the first of `primary` as
    button, the further `links`, and the notes followed by the calendar object's."""
    subject, text = _sentences(ctx, t)
    return EmailView(
        subject=subject,
        heading=subject,
        paragraphs=[text],
        facts=_event_facts(ctx, t),
        button=primary[0] if primary else None,
        links=links,
        notes=notes + _calendar_notes(ctx, t),
    )


def _meeting(ctx: EmailContext, t: Texts) -> EmailView:
    p = ctx.params
    event = _links(p, t, ("event_link", "open_in_portal"))
    return _event_view(ctx, t, event, _links(p, t, ("group_link", "group_button")), [])


def _group(ctx: EmailContext, t: Texts) -> EmailView:
    subject, text = _sentences(ctx, t)
    group = _links(ctx.params, t, ("group_link", f"{ctx.template.value}_button"))
    return EmailView(
        subject=subject, heading=subject, paragraphs=[text], button=group[0] if group else None
    )


def _registration(ctx: EmailContext, t: Texts) -> EmailView:
    """A registration's email: the event, a button to the event page (or to confirm), and
    the link to cancel the registration while it stands."""
    p = ctx.params
    notes = []
    if ctx.template is Template.REGISTRATION_OPT_IN:
        primary = _links(p, t, ("confirm_link", "registration_confirm_button"))
        expires = _moment(p, "expires_at", ctx.timezone)
        if expires:
            notes.append(t["link_valid_until"].format(when=expires))
        notes.append(t["registration_opt_in_ignore"])
        links = _links(p, t, ("event_link", "open_in_portal"))
    else:
        primary = _links(p, t, ("event_link", "open_in_portal"))
        links = _links(p, t, ("cancel_link", "registration_cancel_link"))
        if links:
            notes.append(t["registration_cancel_hint"])
    return _event_view(ctx, t, primary, links, notes)


#: The parameters each template reads (the README lists them for the calendar).
EVENT_PARAMS = ("event_title", "starts_at", "ends_at", "all_day", "venue", "event_link")
CALENDAR_PARAMS: dict[Template, tuple[str, ...]] = {
    Template.MEETING_INVITATION: (*EVENT_PARAMS, "group_name", "topic", "group_link"),
    Template.MEETING_RESCHEDULED: (*EVENT_PARAMS, "group_name", "topic", "group_link"),
    Template.MEETING_CANCELLED: (*EVENT_PARAMS, "group_name", "topic", "group_link"),
    Template.GROUP_JOIN_REQUESTED: ("group_name", "organisation_name", "group_link"),
    Template.GROUP_INVITATION: ("group_name", "coordinator_name", "group_link"),
    Template.REGISTRATION_OPT_IN: (*EVENT_PARAMS, "confirm_link", "expires_at"),
    Template.REGISTRATION_CONFIRMED: (*EVENT_PARAMS, "cancel_link"),
    Template.REGISTRATION_WAITLISTED: (*EVENT_PARAMS, "cancel_link", "position"),
    Template.REGISTRATION_PROMOTED: (*EVENT_PARAMS, "cancel_link"),
    Template.REGISTRATION_CANCELLED: EVENT_PARAMS,
    Template.REGISTRATION_REMINDER: (*EVENT_PARAMS, "cancel_link"),
    Template.REGISTRATION_EVENT_CHANGED: (*EVENT_PARAMS, "cancel_link", "previous_starts_at"),
    Template.REGISTRATION_EVENT_CANCELLED: (*EVENT_PARAMS, "reason"),
}

CALENDAR_VIEWS: dict[Template, Callable[[EmailContext, Texts], EmailView]] = {
    template: (
        _meeting
        if template.value.startswith("meeting_")
        else _group
        if template.value.startswith("group_")
        else _registration
    )
    for template in CALENDAR_PARAMS
}

__all__ = ["CALENDAR_PARAMS", "CALENDAR_VIEWS", "when"]
