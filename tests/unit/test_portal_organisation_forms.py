"""The portal's organisation and invitation forms without I/O: what they send the directory, and
how they say in German what the directory refused."""

from __future__ import annotations

from typing import Any

from services.directory.domain import OrganisationCreate, OrganisationPatch
from services.portal.clients.base import Problem
from services.portal.clients.directory import Organisation, Person
from services.portal.labels import FIELDS_OF_ACTION
from services.portal.member_forms import invitation_refusal
from services.portal.organisation_forms import (
    FIELD_LABELS,
    OrganisationForm,
    organisation_refusal,
    website_of,
)
from services.portal.refusals import (
    NOT_ACTIVE,
    ONLY_MEMBERS_EDIT,
    ONLY_MEMBERS_INVITE,
    ONLY_STAFF_REGISTER,
)
from shared.contracts.vocabulary import FieldOfAction
from tests.support.problems import validation_problem

ORGANISATION = "01a20175-6dad-718f-a12c-c0b9a10eb02c"
AS_THE_DIRECTORY_SHOWS_IT: dict[str, Any] = {
    "id": ORGANISATION,
    "name": "Deutsch-Ukrainischer Kulturverein",
    "kind": "migrant_organisation",
    "description": "Kultur, Sprache und Begegnung.",
    "languages": ["de", "uk"],
    "communities": ["ukrainische Familien", "Studierende"],
    "fields": ["cultural_diversity", "language_education"],
    "district": "Nordstadt",
    "address": None,
    "website": "https://dukv.example.org/",
    "email": "info@dukv.example.org",
    "phone": None,
    "preferred_language": "uk",
    "status": "active",
}
SHOWN = Organisation.model_validate(AS_THE_DIRECTORY_SHOWS_IT)


def test_a_new_organisation_is_sent_with_only_what_was_filled_in() -> None:
    form = OrganisationForm(name="  Kulturverein  ", kind="association", description=" ")
    assert form.create_body() == {
        "name": "Kulturverein",
        "kind": "association",
        "preferred_language": "de",
    }


def test_a_fully_filled_form_is_what_the_directory_accepts() -> None:
    form = OrganisationForm(
        name="Deutsch-Ukrainischer Kulturverein",
        kind="migrant_organisation",
        description="Kultur, Sprache und Begegnung.",
        languages="de uk;ru",
        communities="ukrainische Familien, Studierende,",
        fields=["cultural_diversity", "language_education", "cultural_diversity"],
        district="Nordstadt",
        address="Lindenstraße 4",
        website="www.dukv.example.org",
        email="Info@DUKV.example.org",
        phone="+49 511 123456",
        preferred_language="uk",
    )
    body = form.create_body()
    assert body["languages"] == ["de", "uk", "ru"]
    assert body["communities"] == ["ukrainische Familien", "Studierende"]
    assert body["fields"] == ["cultural_diversity", "language_education"]
    assert body["website"] == "https://www.dukv.example.org"
    created = OrganisationCreate.model_validate(body)
    assert created.email == "info@dukv.example.org"
    assert str(created.website) == "https://www.dukv.example.org/"


def test_a_website_keeps_its_scheme_and_gets_one_when_it_has_none() -> None:
    assert website_of("http://verein.example.org") == "http://verein.example.org"
    assert website_of(" verein.example.org ") == "https://verein.example.org"
    assert website_of("  ") == ""


def test_the_edit_form_shows_the_organisation_as_the_directory_has_it() -> None:
    form = OrganisationForm.of_organisation(SHOWN)
    assert form.languages == "de, uk"
    assert form.communities == "ukrainische Familien, Studierende"
    assert form.fields == ["cultural_diversity", "language_education"]
    assert form.address == ""
    assert form.preferred_language == "uk"


def test_an_untouched_edit_form_changes_nothing() -> None:
    shown = OrganisationForm.of_organisation(SHOWN)
    retyped = OrganisationForm.of_organisation(SHOWN)
    retyped.languages = "de,uk"  # written differently, meaning the same
    assert retyped.patch_body(shown) == {}


def test_only_the_changed_fields_are_patched_and_an_emptied_one_is_cleared() -> None:
    shown = OrganisationForm.of_organisation(SHOWN)
    changed = OrganisationForm.of_organisation(SHOWN)
    changed.description = "Jetzt auch mit Kinderchor."
    changed.district = " "
    changed.fields = ["cultural_diversity"]
    patch = changed.patch_body(shown)
    assert patch == {
        "description": "Jetzt auch mit Kinderchor.",
        "fields": ["cultural_diversity"],
        "district": None,
    }
    assert OrganisationPatch.model_validate(patch).model_dump(exclude_unset=True) == {
        "description": "Jetzt auch mit Kinderchor.",
        "fields": [FieldOfAction.CULTURAL_DIVERSITY],
        "district": None,
    }


def test_without_knowing_what_was_shown_every_field_is_sent() -> None:
    form = OrganisationForm.of_organisation(SHOWN)
    patch = form.patch_body(None)
    assert list(patch) == list(FIELD_LABELS)
    OrganisationPatch.model_validate(patch)


def test_every_field_of_action_has_a_german_label() -> None:
    assert set(FIELDS_OF_ACTION) == {field.value for field in FieldOfAction}


def test_an_invalid_contact_email_is_named_by_its_german_label() -> None:
    answer = validation_problem(("body.email", "invalid"))
    message, problems = organisation_refusal(answer, OrganisationForm(), creating=True)
    assert message == "Bitte prüfen Sie: Kontakt-E-Mail."
    assert problems["email"].startswith("Eine gültige E-Mail-Adresse")


def test_refused_fields_are_listed_in_the_order_of_the_form_and_a_language_as_typed() -> None:
    answer = validation_problem(
        ("body.website", "invalid"), ("body.languages.1", "invalid"), ("body.name", "invalid")
    )
    form = OrganisationForm(languages="de, Ukrainisch")
    message, problems = organisation_refusal(answer, form, creating=False)
    assert message == "Bitte prüfen Sie: Name, Sprachen, Website."
    assert problems["languages"].startswith("„Ukrainisch“ ist kein Sprachkürzel.")


def test_a_field_that_may_not_be_emptied_is_pointed_out() -> None:
    body = {
        "type": "https://integrationsnetz.de/problems/cannot-clear",
        "status": 409,
        "detail": "These fields cannot be cleared: name, kind.",
        "fields": ["name", "kind"],
    }
    message, problems = organisation_refusal(
        Problem.of(409, body), OrganisationForm(), creating=False
    )
    assert message == "Bitte prüfen Sie: Name, Art der Organisation."
    assert set(problems.values()) == {"Darf nicht leer sein."}


def test_refusals_without_fields_still_get_a_german_sentence() -> None:
    forbidden = Problem.of(403, {"detail": "Only office staff"})
    form = OrganisationForm()
    assert organisation_refusal(forbidden, form, creating=True) == (ONLY_STAFF_REGISTER, {})
    assert organisation_refusal(forbidden, form, creating=False) == (ONLY_MEMBERS_EDIT, {})
    archived = Problem.of(
        409,
        {
            "type": "https://integrationsnetz.de/problems/organisation-archived",
            "detail": "An archived organisation cannot be changed.",
        },
    )
    assert organisation_refusal(archived, form, creating=False) == (NOT_ACTIVE, {})
    message, problems = organisation_refusal(Problem.of(400, "not json"), form, creating=True)
    assert problems == {}
    assert message.startswith("Das Verzeichnis hat die Angaben nicht angenommen")


def test_an_invitation_refusal_is_said_in_german() -> None:
    message, problems = invitation_refusal(validation_problem(("body.email", "invalid")))
    assert message == "Bitte prüfen Sie: E-Mail-Adresse."
    assert set(problems) == {"email"}
    member = {
        "type": "https://integrationsnetz.de/problems/already-a-member",
        "detail": "This person is already a member of the organisation.",
    }
    assert "schon zur Organisation" in invitation_refusal(Problem.of(409, member))[0]
    archived = {
        "type": "https://integrationsnetz.de/problems/organisation-archived",
        "detail": "Nobody can join an archived organisation.",
    }
    assert "nicht mehr aktiv" in invitation_refusal(Problem.of(409, archived))[0]
    assert invitation_refusal(Problem.of(403, {})) == (ONLY_MEMBERS_INVITE, {})


def test_office_staff_may_edit_every_organisation_and_members_only_their_own() -> None:
    staff = Person.model_validate({"role": "admin", "organisations": []})
    member = Person.model_validate(
        {"role": "editor", "organisations": [{"id": ORGANISATION, "name": "Kulturverein"}]}
    )
    assert staff.may_act_for(ORGANISATION)
    assert member.may_act_for(ORGANISATION)
    assert not member.may_act_for("01a20175-0000-718f-a12c-c0b9a10eb02c")
