"""The German words of the portal: every vocabulary of the services has a label, and every
refusal is said in German, decided on the problem's slug and never on its English detail."""

from __future__ import annotations

from enum import StrEnum

import pytest

from services.portal import labels, refusals
from services.portal.clients.base import Problem
from services.portal.forms import field_problems
from services.portal.member_forms import invitation_refusal
from shared.contracts.calendar import ConflictKind, Visibility
from shared.contracts.concept import MeasureStatus, MeasureVisibility
from shared.contracts.directory import OrganisationKind
from shared.contracts.exchange import ListingCategory, ListingStatus
from shared.contracts.vocabulary import Audience, FieldOfAction

PROBLEMS = "https://integrationsnetz.de/problems/"
ENGLISH = "This English sentence must never reach a German page."


@pytest.mark.parametrize(
    ("vocabulary", "words"),
    [
        (ListingCategory, labels.CATEGORIES),
        (ListingStatus, labels.LISTING_STATUSES),
        (OrganisationKind, labels.ORGANISATION_KINDS),
        (FieldOfAction, labels.FIELDS_OF_ACTION),
        (Audience, labels.AUDIENCES),
        (Visibility, labels.VISIBILITIES),
        (ConflictKind, labels.CONFLICT_KINDS),
        (MeasureStatus, labels.MEASURE_STATUSES),
        (MeasureVisibility, labels.MEASURE_VISIBILITIES),
    ],
)
def test_every_value_of_a_vocabulary_has_a_german_label(
    vocabulary: type[StrEnum], words: dict[str, str]
) -> None:
    assert set(words) == {member.value for member in vocabulary}


def problem(status: int, slug: str = "", **extensions: object) -> Problem:
    body = {"type": PROBLEMS + slug if slug else "", "detail": ENGLISH, **extensions}
    return Problem.of(status, body)


@pytest.mark.parametrize(
    ("action", "refused", "expected"),
    [
        ("member.invite", problem(409, "already-a-member"), "schon zur Organisation"),
        ("member.invite", problem(409, "organisation-archived"), "nicht mehr aktiv"),
        ("member.invite", problem(409, "invitation-in-progress"), "gerade eingeladen"),
        ("organisation.change", problem(409, "organisation-archived"), "nicht mehr aktiv"),
        ("organisation.register", problem(403, "forbidden"), "Nur das Büro"),
        ("listing.post", problem(422, "unknown-organisation"), "kennt diese Organisation"),
        ("listing.post", problem(422, "organisation-archived"), "nicht mehr im Netzwerk"),
        ("listing.close", problem(409, "listing-closed"), "Angebot ist bereits abgeschlossen"),
        ("listing.close", problem(404), "Dieses Angebot gibt es nicht."),
        ("password.set", problem(422, "weak-password"), "mindestens 10 Zeichen"),
        ("password.set", problem(400, "expired-token"), "abgelaufen"),
        ("invitation.accept", problem(403), "anderes Konto"),
        ("notice.switch", problem(404), "gibt es nicht"),
        ("event.plan", problem(409, "something-new"), "nicht angenommen"),
        ("no.such.action", problem(400), "nicht geklappt"),
    ],
)
def test_a_refusal_is_said_in_german_by_its_slug(
    action: str, refused: Problem, expected: str
) -> None:
    said = refusals.refusal(action, refused, noun="Angebot")
    assert expected.casefold() in said.casefold()
    assert ENGLISH not in said


def test_a_409_is_decided_on_its_slug_not_on_its_words() -> None:
    # the words say "already a member", the slug says archived: the slug decides
    archived = Problem.of(
        409,
        {"type": PROBLEMS + "organisation-archived", "detail": "already a member"},
    )
    assert "nicht mehr aktiv" in invitation_refusal(archived)[0]


def test_the_fields_a_rule_names_are_marked() -> None:
    hints = {"available_from": "vorher", "available_until": "nachher", "title": "Titel"}
    bad_dates = problem(422, "bad-dates", fields=["available_until", "unknown"])
    assert field_problems(bad_dates, hints) == {"available_until": "nachher"}
    cleared = problem(409, "cannot-clear", fields=["title"])
    assert field_problems(cleared, hints, fields_say="Darf nicht leer sein.") == {
        "title": "Darf nicht leer sein."
    }


def test_field_names_are_read_from_a_rule_message_only_at_the_location_body() -> None:
    hints = {"available_from": "vorher", "available_until": "nachher"}
    errors = [
        {"location": "body", "message": "`available_from` before `available_until`"},
        {"location": "query.x", "message": "`available_from` again"},
    ]
    refused = problem(422, "validation-error", errors=errors)
    assert list(field_problems(refused, hints, rules_in_messages=True)) == [
        "available_from",
        "available_until",
    ]
    assert field_problems(refused, hints) == {}
    only_query = problem(422, "validation-error", errors=errors[1:])
    assert field_problems(only_query, hints, rules_in_messages=True) == {}


def test_a_service_that_is_down_is_named_in_german() -> None:
    assert labels.unreachable("calendar").startswith("Der Kalender ist gerade nicht erreichbar")
    assert labels.unreachable("notifier").startswith("Die Benachrichtigungen sind")
    assert labels.unreachable("").startswith("Ein Teil des Integrationsnetzes ist")
