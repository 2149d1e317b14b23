"""Emails in five languages, right-to-left for Arabic, and no way for a title to add headers
or markup."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.notifier.domain import Item, Template, Topic
from services.notifier.email_parts import EmailContext, format_span, single_line
from services.notifier.emails import recipient_header, render_email
from services.notifier.texts import SUPPORTED_LANGUAGES, TEXTS, email_language
from shared.clock import BERLIN
from tests.support.calendar_emails import CALENDAR_EMAIL_PARAMS
from tests.support.notifier_emails import delivered, email_context, parsed

AT = dt.datetime(2026, 6, 20, 12, 0, tzinfo=dt.UTC)

AN_ITEM = Item(
    topic=Topic.EVENTS,
    entity_id="01a20175-6e35-7420-942f-2edfc88e1cc8",
    title="Kinderfest im Hoeschpark",
    organisation_ids=["org-1"],
    district="Nordstadt",
    starts_at=AT,
    ends_at=AT + dt.timedelta(hours=5),
)

PARAMS: dict[Template, dict[str, Any]] = {
    Template.MATCH_FOUND: {
        "id": "m-1",
        "side": "request",
        "own_title": "Sprachpartner gesucht",
        "other_title": "Gesprächsrunden für Jugendliche",
        "other_organisation_name": "Seniorentreff Mitte",
        "category": "language_partner",
        "reasons": ["both German"],
    },
    Template.MATCH_SUMMARY: {
        "day": "2026-06-14T05:00:00+00:00",
        "matches": [
            {
                "id": "m-2",
                "side": "offer",
                "own_title": "Gesprächsrunden für Jugendliche",
                "other_title": "Deutsch üben am Nachmittag",
                "other_organisation_name": None,
                "category": "language_partner",
                "reasons": ["Deutsch üben"],
            }
        ],
    },
    Template.CONFLICT_DETECTED: {
        "id": "e-1",
        "conflict_kind": "audience",
        "event_title": "Kinderfest",
        "other_event_title": "Spielplatzfest",
        "overlap_starts_at": "2026-06-20T14:00:00+00:00",
        "overlap_ends_at": "2026-06-20T17:00:00+00:00",
        "district": "Nordstadt",
    },
    Template.NEW_LISTING: {
        "item": AN_ITEM.model_copy(update={"topic": Topic.OFFERS, "category": "room"}).model_dump(
            mode="json"
        ),
        "organisation_name": "Stadtteilbüro Nordstadt",
    },
    Template.NEW_EVENT: {"item": AN_ITEM.model_dump(mode="json"), "organisation_name": None},
    Template.EVENT_RESCHEDULED: {
        "item": AN_ITEM.model_dump(mode="json"),
        "previous_starts_at": "2026-06-13T12:00:00+00:00",
        "previous_ends_at": "2026-06-13T17:00:00+00:00",
    },
    Template.EVENT_CANCELLED: {"item": AN_ITEM.model_dump(mode="json"), "reason": "Unwetter"},
    Template.DIGEST: {
        "cadence": "weekly",
        "period": "weekly-2026-06-15",
        "sections": [{"topic": "events", "items": [AN_ITEM.model_dump(mode="json")]}],
    },
    Template.SUBSCRIPTION_CONFIRMATION: {},
    Template.INVITATION: {
        "organisation_name": "Mriya e.V.",
        "link": "https://portal.example.org/set-password?token=abc",
        "expires_at": "2026-05-23T12:00:00+00:00",
    },
    Template.PASSWORD_RESET: {
        "link": "https://portal.example.org/set-password?token=abc",
        "expires_at": "2026-05-23T12:00:00+00:00",
    },
    Template.MEMBERSHIP_ADDED: {"organisation_name": "Mriya e.V.", "link": "https://p.example"},
    Template.MEMBERSHIP_INVITATION: {
        "organisation_name": "Mriya e.V.",
        "link": "https://portal.example.org/einladung?token=abc",
        "expires_at": "2026-05-23T12:00:00+00:00",
    },
    **CALENDAR_EMAIL_PARAMS,
}


def context(template: Template, language: str, **changes: Any) -> EmailContext:
    values: dict[str, Any] = {
        "params": PARAMS[template],
        "unsubscribe_url": "https://notifier.example.org/unsubscribe?token=t",
        "action_url": "https://notifier.example.org/subscriptions/confirm?token=c",
        **changes,
    }
    return email_context(template, language, **values)


def test_every_language_has_every_sentence() -> None:
    keys = set(TEXTS["de"])
    for language in SUPPORTED_LANGUAGES:
        assert set(TEXTS[language]) == keys, language


@pytest.mark.parametrize("template", list(Template))
@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_email_renders_in_every_language(template: Template, language: str) -> None:
    rendered = render_email(context(template, language))
    direction = "rtl" if language == "ar" else "ltr"
    assert rendered.language == language
    assert f'<html lang="{language}" dir="{direction}">' in rendered.html
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert TEXTS[language]["signoff"] in rendered.text
    assert "https://portal.example.org" in rendered.text


def test_subjects_are_written_in_the_recipients_language() -> None:
    subjects = {
        language: render_email(context(Template.MATCH_FOUND, language)).subject
        for language in SUPPORTED_LANGUAGES
    }
    assert subjects["de"] == "Passender Eintrag in der Börse: Sprachpartner gesucht"
    assert subjects["en"] == "A match on the exchange: Sprachpartner gesucht"
    assert subjects["uk"].startswith("Знайдено відповідність")
    assert subjects["tr"].startswith("Pazarda uygun bir eşleşme")
    assert subjects["ar"].startswith("تطابق في منصة التبادل")


def test_an_unknown_language_falls_back_to_german_and_regional_tags_to_their_language() -> None:
    assert email_language("ru") == "de"
    assert email_language(None) == "de"
    assert email_language("en-GB") == "en"
    assert render_email(context(Template.INVITATION, "pl")).language == "de"


def test_times_are_shown_in_berlin_time() -> None:
    assert format_span(AT, AT + dt.timedelta(hours=5), BERLIN) == "20.06.2026 14:00 – 19:00"


@pytest.mark.parametrize(
    "title",
    [
        "Raum frei\r\nBcc: victim@example.org",
        "Raum frei\nBcc: victim@example.org\n\nInjected body",
        "Raum frei\rTo: victim@example.org",
        "Raum frei\u2028Bcc: victim@example.org",
        "Raum frei\x85Bcc: victim@example.org",
        "=?utf-8?q?x?=\r\n Bcc: victim@example.org",
    ],
)
def test_a_title_with_line_breaks_cannot_add_headers(title: str) -> None:
    params = {**PARAMS[Template.MATCH_FOUND], "own_title": title}
    rendered = render_email(context(Template.MATCH_FOUND, "de", params=params))
    message = delivered(
        rendered, recipient_header("verein@example.org", "Verein\r\nBcc: victim@example.org")
    )
    received = parsed(message)
    assert received["Bcc"] is None
    assert received.get_all("To") is not None
    assert len(received.get_all("To") or []) == 1
    assert received["To"].addresses[0].addr_spec == "verein@example.org"
    assert "victim" not in str(received["To"].addresses[0].addr_spec)
    assert "\n" not in str(received["Subject"])
    assert "victim@example.org" in str(received["Subject"])  # kept, harmless, as text
    assert [name for name, _ in received.items()].count("Subject") == 1


def test_user_supplied_text_is_escaped_in_html() -> None:
    params = {
        **PARAMS[Template.MATCH_FOUND],
        "own_title": '<script>alert("x")</script>',
        "other_organisation_name": "Verein <b>&</b>",
    }
    rendered = render_email(context(Template.MATCH_FOUND, "en", params=params))
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in rendered.html
    assert "Verein &lt;b&gt;&amp;&lt;/b&gt;" in rendered.html


def test_a_link_that_is_not_http_never_reaches_the_email() -> None:
    params = {**PARAMS[Template.INVITATION], "link": "javascript:alert(1)"}
    rendered = render_email(context(Template.INVITATION, "de", params=params))
    assert "javascript:" not in rendered.html
    assert "javascript:" not in rendered.text


def test_a_notification_carries_one_click_unsubscribe_headers_and_a_stable_message_id() -> None:
    rendered = render_email(context(Template.NEW_EVENT, "tr"))
    message = parsed(delivered(rendered, recipient_header("a@example.org", None)))
    assert message["List-Unsubscribe"] == "<https://notifier.example.org/unsubscribe?token=t>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == "<d-1@integrationsnetz.local>"
    assert message["Content-Language"] == "tr"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_a_transactional_email_has_no_unsubscribe_header() -> None:
    rendered = render_email(context(Template.PASSWORD_RESET, "uk", unsubscribe_url=None))
    message = delivered(rendered, recipient_header("a@example.org", "Jana"), unsubscribe_url=None)
    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None


def test_single_line_keeps_text_and_drops_every_kind_of_line_break() -> None:
    assert single_line("  Ein\tRaum\r\n frei  ") == "Ein Raum frei"
    assert len(single_line("x" * 500)) == 200


def test_why_a_match_fits_is_told_in_the_readers_language() -> None:
    params = {
        **PARAMS[Template.MATCH_FOUND],
        "reasons": ["beide: Deutsch", "gleicher Stadtteil: Nordstadt"],
        "reason_details": [
            {"kind": "languages", "values": ["de"]},
            {"kind": "district", "values": ["Nordstadt"]},
            {"kind": "window", "values": []},
        ],
    }
    ukrainian = render_email(context(Template.MATCH_FOUND, "uk", params=params))
    assert "обидва: Deutsch" in ukrainian.text
    assert "той самий район: Nordstadt" in ukrainian.text
    assert "періоди збігаються" in ukrainian.text
    assert "gleicher Stadtteil" not in ukrainian.text
    german = render_email(context(Template.MATCH_FOUND, "de", params=params))
    assert "beide: Deutsch" in german.text


def test_the_language_practised_and_the_places_are_told_in_the_readers_language() -> None:
    params = {
        **PARAMS[Template.MATCH_FOUND],
        "reason_details": [
            {"kind": "practice", "values": ["de"]},
            {"kind": "capacity", "values": ["30", "25"]},
            {"kind": "capacity", "values": ["30"]},
            {"kind": "text", "values": ["Couch"]},
        ],
    }
    german = render_email(context(Template.MATCH_FOUND, "de", params=params))
    assert "Deutsch üben" in german.text
    assert "Platz für 30 Personen, gebraucht für 25" in german.text
    assert "passt zu: Couch" in german.text
    english = render_email(context(Template.MATCH_FOUND, "en", params=params))
    assert "practise Deutsch" in english.text
    assert "room for 30 people, needed for 25" in english.text


def test_a_match_without_reason_details_falls_back_to_the_german_reasons() -> None:
    rendered = render_email(context(Template.MATCH_FOUND, "tr"))
    assert "both German" in rendered.text


def test_a_match_email_asks_whether_it_fits_with_a_link_per_answer() -> None:
    feedback = {
        "fits": "https://portal.example.org/treffer-bewerten?token=yes",
        "does_not_fit": "https://portal.example.org/treffer-bewerten?token=no",
        "maybe": "javascript:alert(1)",
    }
    german = render_email(context(Template.MATCH_FOUND, "de", feedback_urls=feedback))
    assert "Passt dieser Vorschlag?" in german.text
    assert "Passt: https://portal.example.org/treffer-bewerten?token=yes" in german.text
    assert "Passt nicht: https://portal.example.org/treffer-bewerten?token=no" in german.text
    assert 'href="https://portal.example.org/treffer-bewerten?token=no"' in german.html
    assert "javascript" not in german.html
    ukrainian = render_email(context(Template.MATCH_FOUND, "uk", feedback_urls=feedback))
    assert "Не підходить: https://portal.example.org/treffer-bewerten?token=no" in ukrainian.text
    # without links (no key configured) the email does not ask
    plain = render_email(context(Template.MATCH_FOUND, "de"))
    assert "Passt dieser Vorschlag?" not in plain.text
