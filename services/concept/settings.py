"""Configuration of the concept service."""

from __future__ import annotations

from pydantic import Field

from shared.settings import ServiceSettings


class ConceptSettings(ServiceSettings):
    service_name: str = "concept"
    port: int = 8005
    #: Largest request body, and so the largest spreadsheet an import takes: a bigger upload is
    #: refused (413) before it is read.
    max_body_bytes: int = Field(5 * 1024 * 1024, ge=64 * 1024, le=50 * 1024 * 1024 - 1)
    #: Most rows an import may have (a concept has a few hundred measures).
    import_max_rows: int = Field(2000, ge=10, le=20_000)
