"""Identifiers: every id is a string (docs/storage.md, ADR 0003)."""

from __future__ import annotations

import os
import re
import time
import uuid
from typing import Annotated

from pydantic import StringConstraints

#: How an entity id looks wherever one is accepted (a UUID in its canonical text form).
ENTITY_ID_PATTERN = r"^[0-9a-f-]{36}$"
#: An id in a request: a path, query or body field that names an entity.
EntityId = Annotated[str, StringConstraints(pattern=ENTITY_ID_PATTERN)]
_ENTITY_ID = re.compile(ENTITY_ID_PATTERN)


def new_id() -> str:
    """A UUIDv7 as a string: time-ordered, so new documents sort after old ones."""
    unix_ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 62) & 0xFFF) << 64  # 12 random bits (rand_a)
    value |= 0b10 << 62  # RFC 9562 variant
    value |= rand & ((1 << 62) - 1)  # 62 random bits (rand_b)
    return str(uuid.UUID(int=value))


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def is_entity_id(value: str) -> bool:
    """Whether `value` looks like an entity id (what a URL or a form may carry)."""
    return _ENTITY_ID.fullmatch(value) is not None
