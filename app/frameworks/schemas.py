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


class LevelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    ordinal: int
    name: str
    descriptors: Descriptors
    typical_volume: TypicalVolume | None = None


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


class FrameworkDocument(BaseModel):
    """A framework per the meta-standard; ``None`` fields are left out when serialised."""

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
    name: str
    jurisdiction: str
    version: str
    source_url: str
    credit_system: str
    description: str | None
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
    descriptors: Descriptors
    in_defined_term_set: dict[str, Any] = Field(alias="inDefinedTermSet")
