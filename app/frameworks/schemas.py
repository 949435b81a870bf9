"""API shapes of the framework registry.

``FrameworkDocument`` is the meta-standard (``/frameworks/schema.json``): the body of an import
and the result of an export. Imports are checked against the JSON Schema itself before they
reach this model, so clients get the meta-standard's error paths rather than pydantic's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.frameworks import defaults
from app.frameworks.equivalence import Relation

# The same constraints as the meta-standard's $defs, for bodies that pydantic checks alone.
FrameworkCode = Annotated[
    str, StringConstraints(max_length=64, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
]
LevelCode = Annotated[
    str,
    StringConstraints(max_length=32, pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$"),
]
Text = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
StatedRelation = Literal["exactMatch", "closeMatch", "broadMatch", "narrowMatch"]


class Descriptors(BaseModel):
    knowledge: str
    skills: str
    responsibility_autonomy: str


class TypicalVolume(BaseModel):
    # int | float keeps 180 as 180, so an export reproduces the imported numbers exactly.
    min_credits: int | float | None = None
    max_credits: int | float | None = None
    unit: str | None = None


I18nText = str | dict[str, str]
Label = Literal["official", "proposed"]


class LevelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    ordinal: int
    name: str = Field(description="The level's name in English (or its first language).")
    names: dict[str, str] = Field(default_factory=dict, description="The name in every language.")
    descriptors: dict[str, I18nText] = Field(
        description="One entry per descriptor domain of the framework (see `domains`)."
    )
    qualification_types: list[dict[str, Any]] | None = None
    typical_volume: TypicalVolume | None = None


class DomainRead(BaseModel):
    code: str
    name: I18nText
    maps_to: list[Literal["knowledge", "skills", "responsibility_autonomy"]] | None = None


class LinkageCreate(BaseModel):
    """A linkage from ``level`` of this framework to ``target_level`` of ``target_framework``."""

    model_config = ConfigDict(extra="forbid")

    level: LevelCode
    target_framework: FrameworkCode
    target_level: LevelCode
    relation: StatedRelation = Field(
        description="SKOS mapping relation from this level to the target level."
    )
    source: Text = Field(
        description="URL of the referencing report establishing the linkage, or a justification."
    )


class LinkageRequest(BaseModel):
    """The API form of a linkage: ``source`` may be left out, short relation names accepted."""

    model_config = ConfigDict(extra="forbid")

    level: LevelCode
    target_framework: FrameworkCode
    target_level: LevelCode
    relation: StatedRelation = Field(
        description="SKOS relation from this level to the target level (exactMatch, "
        "closeMatch, broadMatch, narrowMatch; 'exact', 'broad'… are accepted too)."
    )
    source: Text | None = Field(
        default=None,
        description="URL of the referencing report or a justification; when left out, the "
        "linkage records who stated it and when.",
    )

    @field_validator("relation", mode="before")
    @classmethod
    def _short_relation(cls, value: object) -> object:
        return defaults.relation(value)


class LinkageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    level: str
    target_framework: str
    target_level: str
    relation: StatedRelation
    source: str
    created_at: datetime
    label: Label = Field(
        default="proposed",
        description="official when an official referencing report stands behind the linkage.",
    )
    report_id: str | None = Field(default=None, description="The referencing report it came from.")


class FrameworkDocument(BaseModel):
    """A version 1 framework document (fixed descriptors, credit unit as a string).

    Kept for callers of the version 1 shape; the registry itself now imports and exports
    version 2 documents as plain JSON checked by ``lint``.
    """

    code: str
    name: str
    jurisdiction: str
    version: str
    source_url: str
    credit_system: str
    description: str | None = None
    levels: list[LevelRead]
    linkages: list[LinkageCreate] = []


class FrameworkRead(BaseModel):
    code: str
    name: str = Field(description="The framework's name in English (or its first language).")
    names: dict[str, str] = Field(default_factory=dict, description="The name in every language.")
    jurisdiction: str
    version: str
    valid_from: str | None = None
    valid_until: str | None = None
    source_url: str
    owner: dict[str, Any] | None = None
    competent_authority: dict[str, Any] | None = None
    credit_system: str = Field(description="The credit unit, or 'none'.")
    credit: dict[str, Any] | None = Field(
        default=None, description="The credit system in full: unit, notional hours, volumes."
    )
    description: str | None
    domains: list[DomainRead] = Field(default_factory=list)
    sub_frameworks: list[dict[str, Any]] | None = None
    levels: list[LevelRead]
    linkages: list[LinkageRead] = Field(description="Linkages stated from this framework's levels.")
    created_at: datetime


class HopRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    framework: str
    level: str
    target_framework: str
    target_level: str
    relation: Relation
    inverse: bool = Field(
        description="The linkage was stated from the target to this level; relation is inverted."
    )
    source: str
    label: Label = "proposed"
    report: str | None = None


class EquivalentRead(BaseModel):
    framework: str
    framework_name: str
    level: str
    level_name: str
    relation: Relation = Field(
        description="The weakest relation along the path; relatedMatch when it went both "
        "broader and narrower."
    )
    path: list[HopRead]
    label: Label = Field(
        default="proposed",
        description="official when every hop rests on an official referencing report.",
    )


class LevelSummary(BaseModel):
    code: str
    name: str
    ordinal: int


class FrameworkSummary(BaseModel):
    code: str
    name: str
    jurisdiction: str
    credit_system: str


class AlignmentMeaning(BaseModel):
    """What an alignment to a level means, for a verification report."""

    framework: FrameworkSummary
    level: LevelSummary
    statement: str
    equivalents: list[EquivalentRead]


class IscedFieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: Literal["broad", "narrow", "detailed"]
    parent: str | None = Field(validation_alias="parent_code")


class DefinedTermRead(BaseModel):
    """A level as a schema.org ``DefinedTerm`` in JSON-LD: the target of credential alignments."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    context: dict[str, Any] = Field(alias="@context")
    id: str
    type: Literal["DefinedTerm"] = "DefinedTerm"
    name: str
    term_code: str = Field(alias="termCode")
    ordinal: int
    description: str
    descriptors: dict[str, I18nText]
    in_defined_term_set: dict[str, Any] = Field(alias="inDefinedTermSet")


class Finding(BaseModel):
    path: str = Field(description="JSON path of the finding in the submitted document.")
    severity: Literal["error", "warning"]
    message: str


class LintResult(BaseModel):
    findings: list[Finding]
