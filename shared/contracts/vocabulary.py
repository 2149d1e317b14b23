"""Controlled vocabularies shared by several contracts.

Values are stable English slugs (they are part of the public event stream); the portal shows
German labels.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field


class FieldOfAction(StrEnum):
    """Fields of action (Handlungsfelder) of municipal integration work."""

    LANGUAGE_EDUCATION = "language_education"
    WORK = "work"
    SOCIAL_PARTICIPATION = "social_participation"
    CULTURAL_DIVERSITY = "cultural_diversity"
    HEALTH = "health"
    HOUSING = "housing"
    SPORTS = "sports"
    COUNSELLING = "counselling"
    CHILDREN_YOUTH = "children_youth"
    ANTI_DISCRIMINATION = "anti_discrimination"
    RELIGION = "religion"
    OTHER = "other"


class Audience(StrEnum):
    """Whom an event or a listing is meant for."""

    CHILDREN = "children"
    YOUTH = "youth"
    FAMILIES = "families"
    WOMEN = "women"
    MEN = "men"
    SENIORS = "seniors"
    NEWCOMERS = "newcomers"
    PROFESSIONALS = "professionals"
    VOLUNTEERS = "volunteers"
    EVERYONE = "everyone"


_BCP47 = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


def _normalise_language_tag(value: str) -> str:
    if not _BCP47.match(value):
        raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'de', 'uk' or 'es-419'")
    primary, *rest = value.split("-")
    parts = [primary.lower()]
    for part in rest:
        parts.append(part.upper() if len(part) == 2 else part.title() if len(part) == 4 else part)
    return "-".join(parts)


LanguageTag = Annotated[
    str,
    AfterValidator(_normalise_language_tag),
    Field(
        description="BCP 47 language tag",
        examples=["de", "uk", "ar", "es-419"],
        min_length=2,
        max_length=35,
    ),
]

#: The district (Stadtteil) of an organisation or a calendar entry.
District = Annotated[str | None, Field(description="District (Stadtteil).", examples=["Nordstadt"])]
