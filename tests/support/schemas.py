"""The committed JSON Schemas of the public contracts (docs/schemas), which tests hold the
stream's messages against."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from tests.support.infra import ROOT

SCHEMAS = ROOT / "docs" / "schemas"


def committed_schema(file_name: str) -> dict[str, Any]:
    """The schema committed as `docs/schemas/<file_name>`."""
    schema: dict[str, Any] = json.loads((SCHEMAS / file_name).read_text(encoding="utf-8"))
    return schema


def committed_validator(file_name: str) -> Draft202012Validator:
    """A validator for the schema committed as `docs/schemas/<file_name>`."""
    return Draft202012Validator(committed_schema(file_name))
