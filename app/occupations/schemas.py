from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.vocabularies.schemas import ConceptRead, VocabularyRead


class GroupRead(BaseModel):
    code: str
    name: str
    level: int
    url: str | None = None


class SkillRead(BaseModel):
    code: str
    name: str
    relation_type: str | None = Field(default=None, description="essential or optional")
    digital: bool = False
    green: bool = False


class LevelRead(BaseModel):
    framework: str
    level: str
    name: str


class AchievementRef(BaseModel):
    """A public achievement on this service that prepares for the occupation or industry."""

    id: str
    url: str = Field(description="The public Open Badges Achievement document")
    name: str
    issuer: str
    issuer_name: str
    achievement_type: str | None
    levels: list[LevelRead]
    isced_f: str | None
    credits_available: float | None


class ConceptPageRead(ConceptRead):
    vocabulary: VocabularyRead
    parents: list[GroupRead] = Field(description="Parent groups, nearest first")
    tasks: str | None = Field(default=None, description="CSCO: the occupation's main tasks")
    skills: list[SkillRead] = Field(
        default_factory=list, description="ESCO essential and optional skills (when imported)"
    )
    achievements: list[AchievementRef] = Field(
        description="Public achievements here aligned to this code: where to learn for it"
    )


class GuidanceFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digital: bool | None = None
    green: bool | None = None
    scheme: str | None = Field(default=None, max_length=32)


class CredentialCount(BaseModel):
    id: str | None = Field(description="The credential's id, or its position as #N")
    counted: bool
    reason: str


class Coverage(BaseModel):
    basis: str = Field(description="essential_skills (ESCO relations) or alignment (direct)")
    ratio: float = Field(ge=0, le=1)
    essential_total: int = 0
    covered: list[SkillRead] = Field(default_factory=list)
    missing: list[SkillRead] = Field(default_factory=list)


class OccupationGuidance(BaseModel):
    scheme: str
    code: str
    name: str
    name_en: str | None
    framework: str
    digital: bool
    green: bool
    url: str
    coverage: Coverage
    aligned_by: list[str] = Field(description="Counted credentials aligned to it directly")
    close_gaps: list[AchievementRef] = Field(
        description="Public achievements here that teach a missing essential skill, or that "
        "prepare for this occupation directly"
    )


class GuidanceRead(BaseModel):
    occupations: list[OccupationGuidance]
    industries: list[dict[str, Any]]
    profile: dict[str, Any] = Field(
        description="What the counted credentials show: levels, fields, skills, credits"
    )
    credentials: list[CredentialCount]
