"""Events published by the directory service (`directory.*`).

Public events carry facts about organisations and memberships, never personal data of
individual people: a membership event names the person only by an opaque id.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from shared.contracts.base import Payload, Revision, changed_field_names
from shared.contracts.vocabulary import District, FieldOfAction, LanguageTag


class OrganisationKind(StrEnum):
    MIGRANT_ORGANISATION = "migrant_organisation"
    RELIGIOUS_COMMUNITY = "religious_community"
    DISTRICT_OFFICE = "district_office"
    COUNSELLING_SERVICE = "counselling_service"
    EDUCATION = "education"
    PUBLIC_AUTHORITY = "public_authority"
    ASSOCIATION = "association"
    VOLUNTEER_GROUP = "volunteer_group"
    OTHER = "other"


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class OrganisationFacts(Payload):
    """The public facts about a partner organisation, as listed in the directory."""

    organisation_id: str = Field(description="Organisation id (UUIDv7).")
    name: str = Field(description="Display name.", examples=["Ukrainischer Verein Mriya e.V."])
    kind: OrganisationKind = Field(description="What kind of organisation it is.")
    description: str = Field("", description="What the organisation does, in its own words.")
    languages: list[LanguageTag] = Field(
        default_factory=list, description="Languages the organisation works in (BCP 47)."
    )
    communities: list[str] = Field(
        default_factory=list,
        description="Communities it serves, free text.",
        examples=[["Ukrainian", "Russian-speaking"]],
    )
    fields: list[FieldOfAction] = Field(
        default_factory=list, description="Fields of action (Handlungsfelder)."
    )
    district: District = None
    address: str | None = Field(None, description="Postal address of the organisation.")
    website: str | None = Field(None, description="Website URL.")
    email: str | None = Field(
        None, description="The organisation's contact address (a functional mailbox)."
    )
    phone: str | None = Field(None, description="The organisation's contact phone number.")
    preferred_language: LanguageTag = Field(
        "de", description="Language the organisation wants to be written to in."
    )
    status: OrganisationStatus = Field(description="`active`, or `archived` once it has left.")
    revision: Revision
    updated_at: dt.datetime = Field(description="When the organisation last changed (UTC).")

    subject_field: ClassVar[str] = "organisation_id"


class OrganisationRegistered(OrganisationFacts):
    """A partner organisation joined the network."""

    routing_key: ClassVar[str] = "directory.organisation.registered"


class OrganisationUpdated(OrganisationFacts):
    """A partner organisation's public facts changed."""

    routing_key: ClassVar[str] = "directory.organisation.updated"
    changed_fields: list[str] = changed_field_names()


class OrganisationArchived(OrganisationFacts):
    """A partner organisation left the network; its entry stays for history."""

    routing_key: ClassVar[str] = "directory.organisation.archived"


class MemberRole(StrEnum):
    EDITOR = "editor"


class MembershipChange(Payload):
    organisation_id: str = Field(description="The organisation.")
    person_id: str = Field(description="Opaque id of the person (no name, no address).")
    role: MemberRole = Field(MemberRole.EDITOR, description="The person's role in it.")
    occurred_at: dt.datetime = Field(description="When it happened (UTC).")

    subject_field: ClassVar[str] = "organisation_id"


class MemberJoined(MembershipChange):
    """A person's account was linked to an organisation."""

    routing_key: ClassVar[str] = "directory.member.joined"


class MemberLeft(MembershipChange):
    """A person's account was removed from an organisation."""

    routing_key: ClassVar[str] = "directory.member.left"


DIRECTORY_EVENTS: tuple[type[Payload], ...] = (
    OrganisationRegistered,
    OrganisationUpdated,
    OrganisationArchived,
    MemberJoined,
    MemberLeft,
)

__all__ = [
    "DIRECTORY_EVENTS",
    "MemberJoined",
    "MemberLeft",
    "MemberRole",
    "OrganisationArchived",
    "OrganisationFacts",
    "OrganisationKind",
    "OrganisationRegistered",
    "OrganisationStatus",
    "OrganisationUpdated",
]
