"""What each email says: a view per template (subject, heading, paragraphs, facts, a
button), in the recipient's language, independent of HTML or text (`emails.py` renders it).
The views of a working group's and an event registration's emails are `calendar_views.py`;
the pieces of a view, `email_parts.py`.

No I/O: everything an email needs is handed in. User-supplied values (titles, names) pass
through `single_line`; the HTML template escapes everything.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from services.notifier.calendar_views import CALENDAR_VIEWS
from services.notifier.digest_rules import DigestSection
from services.notifier.domain import TRANSACTIONAL, Cadence, Item, Template, Topic
from services.notifier.email_parts import (
    Button,
    EmailContext,
    EmailView,
    Entry,
    Section,
    Texts,
    format_span,
    format_when,
    greeting,
    portal_link,
    single_line,
    valid_link,
)
from services.notifier.texts import LANGUAGE_AUTONYMS, texts_for


def _item_path(item: Item) -> tuple[str, str]:
    return {Topic.OFFERS: "offers", Topic.REQUESTS: "requests", Topic.EVENTS: "events"}[
        item.topic
    ], item.entity_id


def _item_details(item: Item, t: Mapping[str, str], tz: zoneinfo.ZoneInfo) -> str:
    parts = []
    if item.category:
        parts.append(t.get(f"cat_{item.category}", item.category))
    if item.topic is Topic.EVENTS:
        parts.append(format_span(item.starts_at, item.ends_at, tz))
    if item.district:
        parts.append(item.district)
    return " · ".join(single_line(p, 120) for p in parts if p)


def _item_facts(item: Item, t: Mapping[str, str], tz: zoneinfo.ZoneInfo) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []
    if item.category:
        facts.append((t["label_category"], t.get(f"cat_{item.category}", item.category)))
    if item.topic is Topic.EVENTS and item.starts_at:
        facts.append((t["label_when"], format_span(item.starts_at, item.ends_at, tz)))
    if item.district:
        facts.append((t["label_district"], item.district))
    if item.languages:
        facts.append((t["label_languages"], ", ".join(item.languages)))
    return facts


def build_view(ctx: EmailContext) -> EmailView:
    """What the email says: the template's own content plus greeting and footer."""
    t = texts_for(ctx.language)
    why = None
    if ctx.template not in TRANSACTIONAL:
        why = (
            t["why_default"].format(organisation=single_line(ctx.organisation_name, 120))
            if ctx.organisation_name
            else t["why_subscription"]
        )
    return replace(
        _VIEWS[ctx.template](ctx, t),
        greeting=greeting(t, ctx.recipient_name),
        portal_url=ctx.portal_url,
        why=why,
        unsubscribe_url=ctx.unsubscribe_url,
    )


def _match_found(ctx: EmailContext, t: Texts) -> EmailView:
    p = ctx.params
    own, other = single_line(str(p["own_title"])), single_line(str(p["other_title"]))
    other_org = single_line(p.get("other_organisation_name") or t["another_organisation"])
    sentence = t["match_offer_text" if p["side"] == "offer" else "match_request_text"]
    choices = [
        Button(t[f"feedback_{verdict}"], url)
        for verdict in ("fits", "does_not_fit")
        if (url := valid_link(ctx.feedback_urls.get(verdict)))
    ]
    return EmailView(
        subject=t["match_subject"].format(title=own),
        heading=t["match_heading"],
        paragraphs=[sentence.format(own=own, other=other, organisation=other_org)],
        facts=[(t["label_category"], t.get(f"cat_{p['category']}", str(p["category"])))],
        bullets=_match_reasons(p, t),
        button=Button(t["open_in_portal"], portal_link(ctx.portal_url, "matches", p["id"])),
        question=t["feedback_question"] if choices else "",
        choices=choices,
    )


def _match_summary(ctx: EmailContext, t: Texts) -> EmailView:
    matches = list(ctx.params["matches"])
    title = t["match_summary_subject"].format(count=len(matches))
    entries = []
    for p in matches:
        own, other = single_line(str(p["own_title"])), single_line(str(p["other_title"]))
        other_org = single_line(p.get("other_organisation_name") or t["another_organisation"])
        entries.append(
            Entry(
                title=f"{own} ↔ {other} ({other_org})",
                url=portal_link(ctx.portal_url, "matches", p["id"]),
                details="; ".join(_match_reasons(p, t)),
            )
        )
    return EmailView(
        subject=title,
        heading=title,
        paragraphs=[t["match_summary_text"]],
        sections=[Section(title=t["label_reasons"], entries=entries)],
    )


def _match_reasons(p: Mapping[str, Any], t: Texts) -> list[str]:
    """Why they fit, in the reader's language (the event's German `reasons` as a fallback)."""
    details = p.get("reason_details") or []
    if not details:
        return [single_line(str(reason)) for reason in p.get("reasons") or []]
    lines = []
    for detail in details:
        kind = str(detail.get("kind", ""))
        values = [str(v) for v in detail.get("values") or []]
        if kind in ("languages", "practice"):
            values = [LANGUAGE_AUTONYMS.get(v.split("-")[0].lower(), v) for v in values]
        template = t.get(f"reason_{kind}")
        if template is None:
            continue
        if kind == "capacity":
            if len(values) != 2:
                continue
            line = template.format(offered=values[0], needed=values[1])
        else:
            line = template.format(values=", ".join(values))
        lines.append(single_line(line))
    return lines


def _conflict_detected(ctx: EmailContext, t: Texts) -> EmailView:
    p = ctx.params
    title = single_line(p.get("event_title") or "")
    other = single_line(p.get("other_event_title") or "")
    text = (
        t["conflict_text"].format(title=title, other=other)
        if title and other
        else t["conflict_text_unknown"]
    )
    facts = [
        (
            t["label_overlap"],
            format_span(p["overlap_starts_at"], p["overlap_ends_at"], ctx.timezone),
        )
    ]
    if p.get("district"):
        facts.append((t["label_district"], str(p["district"])))
    return EmailView(
        subject=t["conflict_subject"].format(title=title or t["a_calendar_entry"]),
        heading=t["conflict_heading"],
        paragraphs=[text, t[f"conflict_{p['conflict_kind']}"]],
        facts=facts,
        button=Button(t["open_in_portal"], portal_link(ctx.portal_url, "events", p["id"])),
    )


_KIND = {Topic.OFFERS: "offer", Topic.REQUESTS: "request", Topic.EVENTS: "event"}


def _new_item(ctx: EmailContext, t: Texts) -> EmailView:
    item = Item.model_validate(ctx.params["item"])
    title = single_line(item.title)
    poster = single_line(ctx.params.get("organisation_name") or t["a_partner"])
    kind = _KIND[item.topic]
    return EmailView(
        subject=t[f"{kind}_subject"].format(title=title),
        heading=title,
        paragraphs=[t[f"new_{kind}_text"].format(organisation=poster)]
        + ([item.description] if item.description else []),
        facts=_item_facts(item, t, ctx.timezone),
        button=Button(t["open_in_portal"], portal_link(ctx.portal_url, *_item_path(item))),
    )


def _event_changed(ctx: EmailContext, t: Texts) -> EmailView:
    p = ctx.params
    item = Item.model_validate(p["item"])
    moved = ctx.template is Template.EVENT_RESCHEDULED
    facts = _item_facts(item, t, ctx.timezone)
    if moved and p.get("previous_starts_at"):
        previously = format_span(p["previous_starts_at"], p.get("previous_ends_at"), ctx.timezone)
        facts.append((t["label_previously"], previously))
    if not moved and p.get("reason"):
        facts.append((t["label_reason"], str(p["reason"])))
    prefix = "rescheduled" if moved else "cancelled"
    title = single_line(item.title)
    return EmailView(
        subject=t[f"{prefix}_subject"].format(title=title),
        heading=title,
        paragraphs=[t[f"{prefix}_text"].format(title=title)],
        facts=facts,
        button=Button(t["open_in_portal"], portal_link(ctx.portal_url, *_item_path(item))),
    )


def _digest(ctx: EmailContext, t: Texts) -> EmailView:
    sections = [DigestSection.model_validate(s) for s in ctx.params["sections"]]
    count = sum(len(s.items) for s in sections)
    title = t[f"digest_{Cadence(ctx.params['cadence']).value}_subject"].format(count=count)
    return EmailView(
        subject=title,
        heading=title,
        paragraphs=[t["digest_text"]],
        sections=[
            Section(
                title=t[f"topic_{section.topic.value}"],
                entries=[
                    Entry(
                        title=single_line(item.title),
                        url=portal_link(ctx.portal_url, *_item_path(item)),
                        details=_item_details(item, t, ctx.timezone),
                    )
                    for item in section.items
                ],
            )
            for section in sections
        ],
    )


def _subscription_confirmation(ctx: EmailContext, t: Texts) -> EmailView:
    action = valid_link(ctx.action_url)
    return EmailView(
        subject=t["confirm_subject"],
        heading=t["confirm_subject"],
        paragraphs=[t["confirm_text"]],
        button=Button(t["confirm_button"], action) if action else None,
        notes=[t["confirm_ignore"]],
    )


def _link_email(
    ctx: EmailContext, t: Texts, prefix: str, button: str, *, ignore: str | None = None
) -> EmailView:
    """An email about one link someone was sent (set a password, join an organisation):
    how long the link is valid, and what to do if it was not asked for (`ignore`)."""
    p = ctx.params
    action = valid_link(p.get("link"))
    organisation = single_line(p.get("organisation_name") or "")
    notes = []
    if p.get("expires_at"):
        notes.append(t["link_valid_until"].format(when=format_when(p["expires_at"], ctx.timezone)))
    if ignore is not None:
        notes.append(t[ignore])
    subject = t[f"{prefix}_subject"].format(organisation=organisation)
    return EmailView(
        subject=subject,
        heading=subject,
        paragraphs=[t[f"{prefix}_text"].format(organisation=organisation)],
        button=Button(t[button], action) if action else None,
        notes=notes,
    )


def _invitation(ctx: EmailContext, t: Texts) -> EmailView:
    return _link_email(ctx, t, "invitation", "set_password_button")


def _password_reset(ctx: EmailContext, t: Texts) -> EmailView:
    return _link_email(ctx, t, "reset", "set_password_button", ignore="reset_ignore")


def _membership_added(ctx: EmailContext, t: Texts) -> EmailView:
    organisation = single_line(ctx.params.get("organisation_name") or "")
    subject = t["membership_subject"].format(organisation=organisation)
    return EmailView(
        subject=subject,
        heading=subject,
        paragraphs=[t["membership_text"].format(organisation=organisation)],
        button=Button(t["portal_home"], valid_link(ctx.params.get("link")) or ctx.portal_url),
    )


def _membership_invitation(ctx: EmailContext, t: Texts) -> EmailView:
    return _link_email(ctx, t, "join", "join_button")


_VIEWS: dict[Template, Callable[[EmailContext, Texts], EmailView]] = {
    Template.MATCH_FOUND: _match_found,
    Template.MATCH_SUMMARY: _match_summary,
    Template.CONFLICT_DETECTED: _conflict_detected,
    Template.NEW_LISTING: _new_item,
    Template.NEW_EVENT: _new_item,
    Template.EVENT_RESCHEDULED: _event_changed,
    Template.EVENT_CANCELLED: _event_changed,
    Template.DIGEST: _digest,
    Template.SUBSCRIPTION_CONFIRMATION: _subscription_confirmation,
    Template.INVITATION: _invitation,
    Template.PASSWORD_RESET: _password_reset,
    Template.MEMBERSHIP_ADDED: _membership_added,
    Template.MEMBERSHIP_INVITATION: _membership_invitation,
    **CALENDAR_VIEWS,
}
