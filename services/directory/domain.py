"""The directory's organisations and the rules about them (people are in `people.py`). No I/O
here."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
)

from shared.contracts.directory import (
    OrganisationArchived,
    OrganisationFacts,
    OrganisationKind,
    OrganisationRegistered,
    OrganisationStatus,
    OrganisationUpdated,
)
from shared.contracts.vocabulary import FieldOfAction, LanguageTag
from shared.revisions import refuse_clearing, revised
from shared.text import fold

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()/\-]{4,30}$")]

Facts = TypeVar("Facts", bound=OrganisationFacts)


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _lower_email(value: str) -> str:
    return value.strip().lower()


Email = Annotated[EmailStr, AfterValidator(_lower_email)]


#: An organisation's description in further languages: at most 10, each like `description`.
Descriptions = Annotated[
    dict[LanguageTag, Annotated[str, StringConstraints(max_length=5000)]],
    Field(max_length=10),
]


class OrganisationFields(BaseModel):
    """The editable facts of an organisation (shared by create and patch)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    description: Annotated[str, StringConstraints(max_length=5000)] = Field(
        "", description="What the organisation does."
    )
    languages: Annotated[list[LanguageTag], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=30, description="Working languages (BCP 47)."
    )
    communities: Annotated[list[ShortText], AfterValidator(_unique)] = Field(
        default_factory=list, max_length=30, description="Communities served."
    )
    fields: Annotated[list[FieldOfAction], AfterValidator(_unique)] = Field(
        default_factory=list, description="Fields of action."
    )
    district: ShortText | None = Field(None, description="District (Stadtteil).")
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    website: HttpUrl | None = None
    email: Email | None = Field(None, description="Contact address of the organisation.")
    phone: Phone | None = None
    preferred_language: LanguageTag = Field("de", description="Language for emails to it.")
    descriptions: Descriptions = Field(
        default_factory=dict,
        description="The description in further languages, by language tag (`description` "
        "is the one in the organisation's own words, usually German).",
        examples=[{"uk": "Консультації та зустрічі для сімей з України."}],
    )


class OrganisationCreate(OrganisationFields):
    name: Name = Field(description="Display name.", examples=["Ukrainischer Verein Mriya e.V."])
    kind: OrganisationKind


class OrganisationPatch(BaseModel):
    """A partial update: only the fields given change; `null` clears an optional field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    kind: OrganisationKind | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    languages: Annotated[list[LanguageTag], AfterValidator(_unique)] | None = Field(
        None, max_length=30
    )
    communities: Annotated[list[ShortText], AfterValidator(_unique)] | None = Field(
        None, max_length=30
    )
    fields: Annotated[list[FieldOfAction], AfterValidator(_unique)] | None = None
    district: ShortText | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    website: HttpUrl | None = None
    email: Email | None = None
    phone: Phone | None = None
    preferred_language: LanguageTag | None = None
    descriptions: Descriptions | None = None


#: Fields that may not be cleared with null.
REQUIRED_FIELDS = frozenset(
    {
        "name",
        "kind",
        "description",
        "languages",
        "communities",
        "fields",
        "preferred_language",
        "descriptions",
    }
)


class Organisation(BaseModel):
    """An organisation as the directory holds it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: OrganisationKind
    description: str = ""
    languages: list[str] = Field(default_factory=list)
    communities: list[str] = Field(default_factory=list)
    fields: list[FieldOfAction] = Field(default_factory=list)
    district: str | None = None
    address: str | None = None
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_language: str = "de"
    descriptions: dict[str, str] = Field(default_factory=dict)
    status: OrganisationStatus = OrganisationStatus.ACTIVE
    revision: int = 1
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def organisation_id(self) -> str:
        """The id under the name the events give it."""
        return self.id

    def announced(self, event: type[Facts]) -> Facts:
        """This organisation's public facts (`OrganisationFacts`) as the event `event`, read
        from the attributes of the same names."""
        return event.model_validate(self, from_attributes=True)


def register_organisation(
    organisation_id: str, data: OrganisationCreate, now: dt.datetime
) -> tuple[Organisation, OrganisationRegistered]:
    values = data.model_dump(mode="json")
    organisation = Organisation(id=organisation_id, created_at=now, updated_at=now, **values)
    return organisation, organisation.announced(OrganisationRegistered)


class PatchRejectedError(ValueError):
    """A patch that is well-formed but not allowed; `slug` says which rule, `fields` names the
    fields concerned."""

    def __init__(self, detail: str, *, slug: str, fields: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.slug = slug
        self.fields = list(fields)


def update_organisation(
    organisation: Organisation, patch: OrganisationPatch, now: dt.datetime
) -> tuple[Organisation, OrganisationUpdated | None]:
    """Apply a patch. Returns the new state and the event, or no event when nothing changed."""
    if organisation.status is OrganisationStatus.ARCHIVED:
        raise PatchRejectedError(
            "An archived organisation cannot be changed.", slug="organisation-archived"
        )
    given = patch.model_dump(mode="json", exclude_unset=True)
    refuse_clearing(given, REQUIRED_FIELDS, PatchRejectedError)
    current = organisation.model_dump(mode="json")
    changed = sorted(name for name, value in given.items() if current.get(name) != value)
    if not changed:
        return organisation, None
    updated = revised(
        organisation,
        {name: OrganisationFieldsParser.parse(name, given[name]) for name in changed},
        now,
    )
    return updated, updated.announced(OrganisationUpdated).model_copy(
        update={"changed_fields": changed}
    )


class OrganisationFieldsParser:
    """Turns a patched JSON value back into the model's field type."""

    @staticmethod
    def parse(name: str, value: Any) -> Any:
        if name == "kind" and value is not None:
            return OrganisationKind(value)
        if name == "fields" and value is not None:
            return [FieldOfAction(v) for v in value]
        return value


def archive_organisation(
    organisation: Organisation, now: dt.datetime
) -> tuple[Organisation, OrganisationArchived | None]:
    if organisation.status is OrganisationStatus.ARCHIVED:
        return organisation, None
    archived = revised(organisation, {"status": OrganisationStatus.ARCHIVED}, now)
    return archived, archived.announced(OrganisationArchived)


#: The directory's facets, as `OrganisationFacets` and the list's query parameters name them.
FACETS = ("kind", "language", "community", "field", "district")


class OrganisationFacets(BaseModel):
    """How many of the organisations a search finds have each value of a facet: the figures
    beside the directory's filters. Districts are counted as written on the first one found."""

    model_config = ConfigDict(frozen=True)

    total: int = 0
    kind: dict[str, int] = Field(default_factory=dict)
    language: dict[str, int] = Field(default_factory=dict)
    community: dict[str, int] = Field(default_factory=dict)
    field: dict[str, int] = Field(default_factory=dict)
    district: dict[str, int] = Field(default_factory=dict)


def count_facets(organisations: Sequence[Organisation]) -> OrganisationFacets:
    """Each value counted once per organisation, most frequent first, then by value."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    district_spelling: dict[str, str] = {}
    for organisation in organisations:
        counts["kind"][organisation.kind.value] += 1
        counts["language"].update(set(organisation.languages))
        counts["community"].update(set(organisation.communities))
        counts["field"].update({f.value for f in organisation.fields})
        if organisation.district and organisation.district.strip():
            key = fold(organisation.district.strip())
            spelled = district_spelling.setdefault(key, organisation.district.strip())
            counts["district"][spelled] += 1

    def ordered(counter: Counter[str]) -> dict[str, int]:
        return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))

    return OrganisationFacets(
        total=len(organisations),
        kind=ordered(counts["kind"]),
        language=ordered(counts["language"]),
        community=ordered(counts["community"]),
        field=ordered(counts["field"]),
        district=ordered(counts["district"]),
    )
