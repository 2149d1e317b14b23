"""The AsyncAPI 3.0 document of the whole platform, generated from the FastStream apps:
`python -m tools.asyncapi` writes docs/asyncapi.yaml (and `--check` reports drift).

Each service's app is built (nothing connects), its consumers are registered, and one publisher
per message it publishes is described with the typed CloudEvents envelope as payload.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal

import yaml
from faststream.rabbit import RabbitBroker
from faststream.specification import AsyncAPI
from pydantic import Field, create_model

from shared.contracts import ALL_MESSAGES
from shared.contracts.base import CloudEvent, Payload
from shared.topology import commands_exchange, events_exchange
from tools.generated_file import write_or_check

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "docs" / "asyncapi.yaml"
SERVICES = ("directory", "calendar", "exchange", "notifier", "concept")
VERSION = "1.0.0"


def typed_envelope(payload: type[Payload]) -> type[CloudEvent]:
    """The CloudEvents envelope with `type` fixed and `data` typed, for the document."""
    event_type: Any = Literal[payload.event_type()]
    model: type[CloudEvent] = create_model(
        f"{payload.__name__}CloudEvent",
        __base__=CloudEvent,
        __doc__=payload.__doc__,
        type=(event_type, Field(description="The event type.")),
        data=(payload, Field(description=payload.__doc__ or "The payload.")),
    )
    return model


def service_broker(service: str, scratch: Path) -> RabbitBroker:
    """The service's broker with its consumers and its publishers registered."""
    module = importlib.import_module(f"services.{service}.app")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings_class = next(
        value
        for name, value in vars(settings_module).items()
        if name.endswith("Settings")
        and getattr(value, "__module__", "") == settings_module.__name__
    )
    overrides: dict[str, Any] = {"_env_file": None, "environment": "development"}
    if "signing_key_file" in settings_class.model_fields:
        overrides["signing_key_file"] = str(scratch / f"{service}.pem")
    app = module.create_app(settings_class(**overrides))
    runtime = app.state.runtime
    runtime.register_consumers()
    broker: RabbitBroker = runtime.broker
    for payload in ALL_MESSAGES:
        if payload.source_service() != service:
            continue
        exchange = events_exchange if payload.message_kind == "event" else commands_exchange
        broker.publisher(
            routing_key=payload.routing_key,
            exchange=exchange,
            schema=typed_envelope(payload),
            title=f"{payload.routing_key}:publish",
            description=(payload.__doc__ or "").strip(),
            content_type="application/cloudevents+json",
            persist=True,
        )
    return broker


def build_document() -> str:
    with tempfile.TemporaryDirectory() as scratch:
        brokers = [service_broker(service, Path(scratch)) for service in SERVICES]
        specification = AsyncAPI(
            *brokers,
            title="Integrationsnetz event stream",
            version=VERSION,
            description=(
                "Public events on the topic exchange `integrationsnetz.events` (CloudEvents 1.0, "
                "structured JSON mode; deduplicate on `id`) and the private commands on "
                "`integrationsnetz.commands`. See docs/events.md."
            ),
        ).to_specification()
        document: dict[str, Any] = specification.to_jsonable()
    return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    return write_or_check(
        DOCUMENT,
        build_document,
        description="Write docs/asyncapi.yaml",
        command="python -m tools.asyncapi",
        argv=argv,
    )


if __name__ == "__main__":
    sys.exit(main())
