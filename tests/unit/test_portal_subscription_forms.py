"""The portal's "Per E-Mail folgen" form without I/O: what it sends the notifier, how it says in
German what the notifier refused, and how /me words what an organisation follows."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import FormData

from services.notifier.api import SubscriptionCreate
from services.notifier.texts import LANGUAGE_AUTONYMS, SUPPORTED_LANGUAGES
from services.portal.clients.base import Problem
from services.portal.clients.notifier import Subscription
from services.portal.labels import EMAIL_LANGUAGES
from services.portal.subscription_forms import (
    FORBIDDEN,
    TOO_MANY_PENDING,
    UNKNOWN_ORGANISATION,
    SubscriptionForm,
    refusal,
    subscription_payload,
    subscription_summary,
)
from tests.support.problems import validation_problem

ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"


def a_form(**typed: Any) -> SubscriptionForm:
    values: dict[str, Any] = {"email": "nachbarin@example.org", "topics": ["offers"]}
    values.update(typed)
    return SubscriptionForm(**values)


def test_the_form_is_read_as_typed_with_ticked_boxes_as_lists() -> None:
    form = SubscriptionForm.of(
        FormData(
            [
                ("email", "  Jana@Example.org "),
                ("topics", "offers"),
                ("topics", "requests"),
                ("topics", "offers"),
                ("categories", "room"),
                ("districts", "Nordstadt, Lindenhof"),
            ]
        )
    )
    assert form.email == "Jana@Example.org"
    assert form.topics == ["offers", "requests"]
    assert form.categories == ["room"]
    assert form.districts == "Nordstadt, Lindenhof"
    assert (form.delivery, form.language) == ("immediate", "de")


def test_an_address_follows_with_only_the_filters_filled_in_and_the_notifier_accepts_it() -> None:
    payload, problems = subscription_payload(
        a_form(categories=["room"], districts=" Nordstadt , Lindenhof,", language="uk")
    )
    assert problems == {}
    assert payload == {
        "email": "nachbarin@example.org",
        "language": "uk",
        "topics": ["offers"],
        "delivery": "immediate",
        "filters": {"categories": ["room"], "districts": ["Nordstadt", "Lindenhof"]},
    }
    SubscriptionCreate.model_validate(payload)


def test_an_organisation_follows_without_address_and_gets_its_own_language() -> None:
    payload, problems = subscription_payload(
        a_form(
            organisation_id=ORGANISATION,
            topics=["events"],
            audiences=["families"],
            languages="uk ar",
            delivery="weekly",
            language="tr",
        )
    )
    assert problems == {}
    assert payload == {
        "organisation_id": ORGANISATION,
        "topics": ["events"],
        "delivery": "weekly",
        "filters": {"languages": ["uk", "ar"], "audiences": ["families"]},
    }
    SubscriptionCreate.model_validate(payload)


def test_nothing_ticked_and_no_address_are_pointed_out_before_asking_the_notifier() -> None:
    _, problems = subscription_payload(a_form(email="", topics=[]))
    assert list(problems) == ["email", "topics"]
    assert "Bitte geben Sie Ihre E-Mail-Adresse an." in problems["email"]
    assert "neue Angebote, neue Gesuche oder neue Termine" in problems["topics"]


def test_an_address_the_notifier_refuses_is_named_in_german() -> None:
    answer = validation_problem(("body.email", "value is not a valid email address"))
    message, problems = refusal(answer, a_form(email="nachbarin@nordstadt"))
    assert message == "Bitte prüfen Sie: E-Mail-Adresse."
    assert "gültige E-Mail-Adresse" in problems["email"]


def test_a_language_that_is_no_tag_is_quoted_as_typed() -> None:
    answer = validation_problem(
        ("body.filters.languages.1", "Value error, 'Deutsch' is not a BCP 47 language tag")
    )
    message, problems = refusal(answer, a_form(languages="uk, Deutsch"))
    assert message == "Bitte prüfen Sie: Sprache."
    assert problems["languages"].startswith("„Deutsch“ ist kein Sprachkürzel.")


def test_filters_that_do_not_fit_every_ticked_topic_say_which_topic_they_belong_to() -> None:
    answer = validation_problem(
        (
            "body",
            "Value error, filters categories, audiences do not apply to all of: events, offers",
        )
    )
    form = a_form(topics=["offers", "events"], categories=["room"], audiences=["youth"])
    message, problems = refusal(answer, form)
    assert message == "Bitte prüfen Sie: Kategorie, Zielgruppe."
    assert "nur bei Angeboten und Gesuchen" in problems["categories"]
    assert "nur bei Terminen" in problems["audiences"]


@pytest.mark.parametrize(
    ("status", "body", "organisation_id", "expected"),
    [
        pytest.param(429, {"detail": "too many"}, "", TOO_MANY_PENDING, id="too-many-pending"),
        pytest.param(403, {"detail": "no"}, ORGANISATION, FORBIDDEN, id="not-their-organisation"),
        pytest.param(
            422,
            {"detail": "No active organisation with this id is known here."},
            ORGANISATION,
            UNKNOWN_ORGANISATION,
            id="organisation-not-known-yet",
        ),
        pytest.param(
            400,
            "not json",
            "",
            "Die Benachrichtigungen haben die Angaben nicht angenommen. Bitte prüfen Sie sie.",
            id="anything-else",
        ),
    ],
)
def test_refusals_without_field_errors_get_a_german_sentence(
    status: int, body: Any, organisation_id: str, expected: str
) -> None:
    message, _ = refusal(Problem.of(status, body), a_form(organisation_id=organisation_id))
    assert message == expected


def test_too_many_pending_subscriptions_says_nothing_else_about_the_address() -> None:
    message, problems = refusal(Problem.of(429, {}), a_form())
    assert "bestätigen" in message
    assert list(problems) == ["email"]


def test_a_subscription_is_worded_with_the_german_labels() -> None:
    summary = subscription_summary(
        Subscription.model_validate(
            {
                "topics": ["offers", "requests", "events"],
                "filters": {
                    "categories": ["room", "furniture"],
                    "districts": ["Nordstadt"],
                    "languages": ["uk"],
                    "audiences": ["families"],
                    "tags": [],
                },
                "delivery": "daily",
            }
        )
    )
    assert summary == (
        "Neue Angebote, Gesuche und Termine · Kategorie: Raum, Möbel · Stadtteil: Nordstadt · "
        "Sprache: uk · Zielgruppe: Familien · täglich"
    )
    assert subscription_summary(Subscription(topics=["events"], delivery="immediate")) == (
        "Neue Termine · sofort"
    )


def test_the_form_offers_exactly_the_languages_the_notifier_writes_by_their_own_names() -> None:
    assert set(EMAIL_LANGUAGES) == set(SUPPORTED_LANGUAGES)
    for tag, name in EMAIL_LANGUAGES.items():
        assert LANGUAGE_AUTONYMS[tag] == name
