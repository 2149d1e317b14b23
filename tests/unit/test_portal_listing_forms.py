"""The portal's listing form without I/O: what it sends the exchange, and how it says in German
what the exchange refused."""

from __future__ import annotations

import datetime as dt

from services.exchange.domain import ListingCreate
from services.portal.clients.base import Problem
from services.portal.listing_forms import FIELD_LABELS, FORBIDDEN, listing_payload, refusal
from tests.support.problems import validation_problem

ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"


def a_form(**typed: str) -> dict[str, str]:
    values = dict.fromkeys(FIELD_LABELS, "")
    values.update(organisation_id=ORGANISATION, category="room", title="Gruppenraum frei")
    values.update(typed)
    return values


def test_only_what_was_filled_in_is_sent() -> None:
    payload, problems = listing_payload(a_form(description="  ", district=" Nordstadt "))
    assert problems == {}
    assert payload == {
        "organisation_id": ORGANISATION,
        "category": "room",
        "title": "Gruppenraum frei",
        "district": "Nordstadt",
    }


def test_lists_are_split_at_commas_and_languages_also_at_spaces() -> None:
    payload, _ = listing_payload(a_form(tags="Sprachcafé, Senioren treffen,", languages="de uk;ar"))
    assert payload["tags"] == ["Sprachcafé", "Senioren treffen"]
    assert payload["languages"] == ["de", "uk", "ar"]


def test_dates_are_whole_days_in_berlin_in_summer_and_in_winter() -> None:
    payload, _ = listing_payload(
        a_form(available_from="2026-07-01", available_until="2026-12-31", expires_at="31.12.2026")
    )
    assert payload["available_from"] == "2026-07-01T00:00:00+02:00"
    assert payload["available_until"] == "2026-12-31T23:59:59+01:00"
    assert payload["expires_at"] == payload["available_until"]


def test_what_the_portal_cannot_read_is_a_problem_and_not_sent() -> None:
    payload, problems = listing_payload(a_form(available_from="Montag", quantity="zwölf"))
    assert set(problems) == {"available_from", "quantity"}
    assert "available_from" not in payload
    assert "quantity" not in payload


def test_a_full_form_is_what_the_exchange_accepts() -> None:
    payload, problems = listing_payload(
        a_form(
            description="Für 20 Personen",
            tags="Raum",
            languages="de, tr",
            district="Nordstadt",
            available_from="2030-01-01",
            available_until="2030-02-01",
            quantity="1",
            expires_at="2030-01-15",
        )
    )
    assert problems == {}
    created = ListingCreate.model_validate(payload)
    assert created.available_from == dt.datetime(2029, 12, 31, 23, 0, tzinfo=dt.UTC)
    assert created.quantity == 1


def test_a_wrong_language_is_named_as_typed() -> None:
    answer = validation_problem(("body.languages.1", "not a BCP 47 tag"))
    message, problems = refusal(answer, a_form(languages="de, Türkisch"))
    assert message == "Bitte prüfen Sie: Sprachen."
    assert problems["languages"].startswith("„Türkisch“ ist kein Sprachkürzel.")


def test_a_rule_over_two_fields_marks_both_in_the_order_of_the_form() -> None:
    answer = validation_problem(
        ("body", "Value error, `available_from` must be before `available_until`."),
        ("body.title", "String should have at least 3 characters"),
    )
    message, problems = refusal(answer, a_form())
    assert message == "Bitte prüfen Sie: Titel, Verfügbar ab, Verfügbar bis."
    assert list(problems) == ["title", "available_from", "available_until"]


def test_a_rule_of_the_exchange_that_names_its_fields_marks_them() -> None:
    body = {
        "type": "https://integrationsnetz.de/problems/bad-dates",
        "status": 422,
        "detail": "`expires_at` may lie at most 365 days ahead.",
        "fields": ["expires_at"],
    }
    message, problems = refusal(Problem.of(422, body), a_form())
    assert message == "Bitte prüfen Sie: Sichtbar bis."
    assert set(problems) == {"expires_at"}


def test_refusals_without_fields_still_get_a_german_sentence() -> None:
    assert refusal(Problem.of(403, {"detail": "Only office staff"}), a_form()) == (
        FORBIDDEN,
        {},
    )
    unknown = {"type": "https://integrationsnetz.de/problems/unknown-organisation"}
    assert "kennt diese Organisation noch nicht" in refusal(Problem.of(422, unknown), a_form())[0]
    message, problems = refusal(Problem.of(400, "not json"), a_form())
    assert problems == {}
    assert message.startswith("Die Börse hat die Angaben nicht angenommen")
