"""The CloudEvents 1.0 envelope and the base class of every event and command payload.

Every message on `integrationsnetz.events` and `integrationsnetz.commands` is a CloudEvents 1.0
document in structured JSON mode. Subscribers outside this project need nothing but a JSON parser.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.ids import new_id

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"
TYPE_PREFIX = "integrationsnetz."
SCHEMA_URN_PREFIX = "urn:integrationsnetz:schema:"

EVENTS_EXCHANGE = "integrationsnetz.events"
COMMANDS_EXCHANGE = "integrationsnetz.commands"


def changed_field_names(*examples: list[str]) -> Any:
    """The `changed_fields` of an `…updated` event: the names of the fields that changed."""
    if examples:
        return Field(
            default_factory=list,
            description="Names of the fields that changed.",
            examples=list(examples),
        )
    return Field(default_factory=list, description="Names of the fields that changed.")


#: The `revision` of an entity's facts: consumers keep the newest and drop an older update.
Revision = Annotated[
    int,
    Field(
        description="Increases with every change; apply an update only if it is newer.",
        ge=1,
        examples=[1],
    ),
]


class Payload(BaseModel):
    """Base of every event or command payload (the CloudEvents `data`).

    Subclasses set `routing_key` (`<service>.<entity>.<verb>`) and `version`. Consumers ignore
    unknown fields, so a later additive change does not break them.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    routing_key: ClassVar[str]
    version: ClassVar[int] = 1
    #: "event" goes to the public topic exchange, "command" to the private direct exchange.
    message_kind: ClassVar[Literal["event", "command"]] = "event"
    #: The field holding the entity id, used as the CloudEvents `subject`.
    subject_field: ClassVar[str]

    @classmethod
    def event_type(cls) -> str:
        return f"{TYPE_PREFIX}{cls.routing_key}.v{cls.version}"

    @classmethod
    def schema_urn(cls) -> str:
        return f"{SCHEMA_URN_PREFIX}{cls.routing_key}.v{cls.version}"

    @classmethod
    def schema_file_name(cls) -> str:
        return f"{cls.routing_key}.v{cls.version}.json"

    @classmethod
    def exchange(cls) -> str:
        return EVENTS_EXCHANGE if cls.message_kind == "event" else COMMANDS_EXCHANGE

    @classmethod
    def source_service(cls) -> str:
        return cls.routing_key.split(".", 1)[0]

    def subject(self) -> str:
        return str(getattr(self, self.subject_field))


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope in structured JSON mode."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    specversion: Literal["1.0"] = Field("1.0", description="CloudEvents specification version.")
    id: str = Field(
        description="Unique event id (UUIDv7). Also the AMQP message_id; deduplicate on it.",
        min_length=1,
        max_length=200,
    )
    type: str = Field(
        description="Event type, e.g. `integrationsnetz.exchange.offer.posted.v1`.",
        min_length=1,
        max_length=200,
        examples=["integrationsnetz.directory.organisation.registered.v1"],
    )
    source: str = Field(
        description="The publishing service, e.g. `/services/exchange`.",
        min_length=1,
        examples=["/services/directory"],
    )
    subject: str | None = Field(None, description="The id of the entity the event is about.")
    time: dt.datetime = Field(description="When it happened, UTC, RFC 3339.")
    datacontenttype: Literal["application/json"] = Field(
        "application/json", description="Media type of `data`."
    )
    dataschema: str | None = Field(
        None,
        description="URI of the JSON Schema of `data`; it is the `$id` of a file in docs/schemas/.",
    )
    correlationid: str | None = Field(
        None,
        description="Extension: id shared by every message caused by the same original request.",
    )
    data: dict[str, Any] = Field(description="The event payload.")

    @field_validator("time")
    @classmethod
    def _time_is_aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a UTC offset")
        return value.astimezone(dt.UTC)

    @property
    def routing_key(self) -> str:
        """`integrationsnetz.a.b.c.v1` → `a.b.c`."""
        body = self.type.removeprefix(TYPE_PREFIX)
        return body.rsplit(".", 1)[0] if "." in body else body


def envelope(
    payload: Payload,
    *,
    correlation_id: str | None = None,
    event_id: str | None = None,
    time: dt.datetime | None = None,
) -> CloudEvent:
    """Wrap a payload in its CloudEvents envelope."""
    return CloudEvent(
        id=event_id or new_id(),
        type=payload.event_type(),
        source=f"/services/{payload.source_service()}",
        subject=payload.subject(),
        time=time or dt.datetime.now(dt.UTC),
        dataschema=payload.schema_urn(),
        correlationid=correlation_id,
        data=payload.model_dump(mode="json"),
    )
