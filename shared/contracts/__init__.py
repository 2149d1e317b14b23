"""Message contracts: every event and command, one module per publishing service.

`ALL_MESSAGES` lists them; `payload_for_type` finds the model for a CloudEvents `type`;
`json_schema_for` produces the JSON Schema committed under docs/schemas/.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from shared.contracts.base import Payload
from shared.contracts.calendar import CALENDAR_EVENTS
from shared.contracts.concept import CONCEPT_EVENTS
from shared.contracts.directory import DIRECTORY_EVENTS
from shared.contracts.exchange import EXCHANGE_EVENTS
from shared.contracts.notifier import NOTIFIER_COMMANDS, NOTIFIER_EVENTS

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

ALL_MESSAGES: tuple[type[Payload], ...] = (
    *DIRECTORY_EVENTS,
    *CALENDAR_EVENTS,
    *EXCHANGE_EVENTS,
    *NOTIFIER_EVENTS,
    *NOTIFIER_COMMANDS,
    *CONCEPT_EVENTS,
)


@cache
def _types() -> dict[str, type[Payload]]:
    return {cls.event_type(): cls for cls in ALL_MESSAGES}


def message_types() -> dict[str, type[Payload]]:
    """CloudEvents `type` (e.g. `integrationsnetz.exchange.offer.posted.v1`) → payload model."""
    return dict(_types())


def payload_for_type(event_type: str) -> type[Payload] | None:
    """The payload model for a CloudEvents `type`, or None if this code does not know it."""
    return _types().get(event_type)


def json_schema_for(cls: type[Payload]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a message's `data`, as committed under docs/schemas/."""
    schema = cls.model_json_schema(mode="serialization")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": cls.schema_urn(),
        **schema,
        "title": cls.__name__,
    }


__all__ = [
    "ALL_MESSAGES",
    "JSON_SCHEMA_DIALECT",
    "json_schema_for",
    "message_types",
    "payload_for_type",
]
