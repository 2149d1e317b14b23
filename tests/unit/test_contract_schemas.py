"""The message contracts are complete, consistent and match the committed JSON Schemas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from pydantic import Field

from shared.contracts import ALL_MESSAGES, json_schema_for, message_types
from shared.contracts.base import Payload
from shared.contracts.directory import OrganisationFacts
from tools.export_schemas import SCHEMA_DIR, drifted_files

PUBLIC_EVENTS = [cls for cls in ALL_MESSAGES if cls.message_kind == "event"]
ROUTING_KEY = re.compile(r"^[a-z]+\.[a-z][a-z_]*\.[a-z][a-z_]*$")

# Field names that would put personal data or secrets on the public event stream.
FORBIDDEN_NAMES = {
    "to",
    "cc",
    "bcc",
    "recipient",
    "recipient_name",
    "person_name",
    "first_name",
    "last_name",
    "full_name",
    "given_name",
    "surname",
    "birthday",
    "date_of_birth",
}
FORBIDDEN_WORDS = {"password", "passwd", "secret", "token", "link", "email", "mail", "phone"}
# The organisation's functional contact channels are public facts about the organisation.
ALLOWED_ON_ORGANISATION_FACTS = {"email", "phone"}


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(model title, field name, field schema) for the payload and every nested model."""
    for model in [schema, *schema.get("$defs", {}).values()]:
        for name, prop in model.get("properties", {}).items():
            yield model["title"], name, prop


def personal_data_fields(cls: type[Payload]) -> list[str]:
    found = []
    for model, name, _ in _properties(json_schema_for(cls)):
        on_organisation = model == cls.__name__ and issubclass(cls, OrganisationFacts)
        if on_organisation and name in ALLOWED_ON_ORGANISATION_FACTS:
            continue
        if name in FORBIDDEN_NAMES or FORBIDDEN_WORDS & set(name.split("_")):
            found.append(f"{model}.{name}")
    return found


def test_committed_schemas_match_the_models() -> None:
    drifted = drifted_files(SCHEMA_DIR)
    assert not drifted, (
        f"JSON Schemas in {SCHEMA_DIR} differ from the models: {', '.join(drifted)}. "
        "Run `python -m tools.export_schemas` and commit the result."
    )


def test_every_message_type_is_unique() -> None:
    assert len(message_types()) == len(ALL_MESSAGES)
    assert len({cls.schema_file_name() for cls in ALL_MESSAGES}) == len(ALL_MESSAGES)
    assert len({cls.__name__ for cls in ALL_MESSAGES}) == len(ALL_MESSAGES)


@pytest.mark.parametrize("cls", ALL_MESSAGES, ids=lambda cls: cls.__name__)
def test_every_routing_key_names_service_entity_and_verb_of_its_module(
    cls: type[Payload],
) -> None:
    assert ROUTING_KEY.match(cls.routing_key), cls.routing_key
    module = cls.__module__.rsplit(".", 1)[-1]
    assert cls.source_service() == module


@pytest.mark.parametrize("cls", ALL_MESSAGES, ids=lambda cls: cls.__name__)
def test_every_field_of_every_payload_has_a_description(cls: type[Payload]) -> None:
    undescribed = [
        f"{model}.{name}"
        for model, name, prop in _properties(json_schema_for(cls))
        if not prop.get("description")
    ]
    assert not undescribed


@pytest.mark.parametrize("cls", ALL_MESSAGES, ids=lambda cls: cls.__name__)
def test_every_message_explains_itself_to_subscribers(cls: type[Payload]) -> None:
    assert cls.__doc__
    assert json_schema_for(cls)["description"] == cls.__doc__.strip()


@pytest.mark.parametrize("cls", PUBLIC_EVENTS, ids=lambda cls: cls.__name__)
def test_no_public_event_carries_personal_data_or_secrets(cls: type[Payload]) -> None:
    assert personal_data_fields(cls) == []


def test_the_personal_data_check_catches_a_recipient_address() -> None:
    class Leaky(Payload):
        routing_key: ClassVar[str] = "notifier.leak.happened"
        subject_field: ClassVar[str] = "to"
        to: str = Field(description="Recipient.")
        reset_link: str = Field(description="Secret link.")

    assert personal_data_fields(Leaky) == ["Leaky.to", "Leaky.reset_link"]


def test_commands_travel_only_on_the_private_exchange() -> None:
    commands = [cls for cls in ALL_MESSAGES if cls.message_kind == "command"]
    assert commands
    assert {cls.exchange() for cls in commands} == {"integrationsnetz.commands"}
    assert {cls.exchange() for cls in PUBLIC_EVENTS} == {"integrationsnetz.events"}
