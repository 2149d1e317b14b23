"""What the in-memory twins of the repositories share: a write keeps the entity in its
dictionary and the messages it caused in `published`, in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from shared.contracts.base import Payload

Stored = TypeVar("Stored")


class PublishingStore:
    def __init__(self) -> None:
        self.published: list[Payload] = []

    def _added(
        self,
        entities: dict[str, Stored],
        entity_id: str,
        entity: Stored,
        messages: Sequence[Payload],
    ) -> None:
        assert entity_id not in entities, "ids are unique"
        entities[entity_id] = entity
        self.published.extend(messages)

    def _changed(
        self,
        entities: dict[str, Stored],
        key: str,
        change: Callable[[Stored], tuple[Stored, Sequence[Payload]] | None],
    ) -> Stored | None:
        """Apply a use case's change to the entity under `key`, keeping its messages."""
        current = entities.get(key)
        if current is None:
            return None
        changed = change(current)
        if changed is None:
            return current
        entities[key], messages = changed
        self.published.extend(messages)
        return entities[key]
