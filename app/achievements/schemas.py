from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from app.core.durations import parse_duration
from app.issuers.schemas import BrandingFields
from app.vocabularies.schemas import TargetRef

# The Open Badges 3.0 AchievementType enumeration; other values use the `ext:` form.
ACHIEVEMENT_TYPES = frozenset(
    """Achievement ApprenticeshipCertificate Assessment Assignment AssociateDegree Award Badge
    BachelorDegree Certificate CertificateOfCompletion Certification CommunityService Competency
    Course CoCurricular Degree Diploma DoctoralDegree Fieldwork GeneralEducationDevelopment
    JourneymanCertificate LearningProgram License Membership ProfessionalDoctorate
    QualityAssuranceCredential MasterCertificate MasterDegree MicroCredential ResearchDoctorate
    SecondarySchoolDiploma""".split()
)


class Criteria(BaseModel):
    model_config = ConfigDict(extra="forbid")

    narrative: str | None = Field(default=None, max_length=20_000)
    id: HttpUrl | None = Field(default=None, description="A page that describes the criteria")


class FrameworkLevelRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    framework: str = Field(min_length=1, max_length=64, examples=["eqf"])
    level: str = Field(min_length=1, max_length=32, examples=["6"])


class Skill(BaseModel):
    """A free-text skill ``{name, ...}``, or an ESCO skill ``{scheme: "esco", code: URI}``."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=500)
    url: HttpUrl | None = Field(default=None, description="e.g. the ESCO skill URI")
    code: str | None = Field(default=None, max_length=200)
    framework: str | None = Field(default=None, max_length=200, examples=["ESCO"])
    scheme: str | None = Field(
        default=None,
        max_length=32,
        examples=["esco"],
        description="A loaded skill vocabulary (esco): `code` is then checked and named from it",
    )

    @model_validator(mode="after")
    def _named_or_coded(self) -> Skill:
        if self.scheme is None and self.name is None:
            raise ValueError("a skill needs a name, or a scheme and code (e.g. esco + URI)")
        if self.scheme is not None and not self.code:
            raise ValueError(f"a skill of scheme '{self.scheme}' needs its code")
        return self


class ResultDescriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=500)
    result_type: str = Field(min_length=1, max_length=100, examples=["GradePointAverage"])
    allowed_value: list[str] | None = None
    value_min: str | None = None
    value_max: str | None = None


class AchievementCreate(BrandingFields):
    """The branding fields, when set, replace the issuer's on this achievement's certificates."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1, max_length=20_000)
    criteria: Criteria
    achievement_type: str | None = Field(default=None, max_length=100)
    image: HttpUrl | None = None
    framework_levels: list[FrameworkLevelRef] = Field(default_factory=list, max_length=20)
    isced_f: str | None = Field(default=None, pattern=r"^\d{2,4}$")
    credits_available: float | None = Field(default=None, ge=0, le=1000)
    skills: list[Skill] = Field(default_factory=list, max_length=200)
    occupations: list[TargetRef] = Field(
        default_factory=list,
        max_length=20,
        description="Occupations it prepares for: {scheme: csco2022 | esco, code}",
    )
    industries: list[TargetRef] = Field(
        default_factory=list,
        max_length=20,
        description="Industries it prepares for: {scheme: naics2022 | nace2.1 | isic4, code}",
    )
    tags: list[str] = Field(default_factory=list, max_length=100)
    result_descriptions: list[ResultDescriptionIn] = Field(default_factory=list, max_length=50)
    suspendable: bool = False
    valid_for: str | None = Field(
        default=None,
        max_length=64,
        examples=["P2Y"],
        description="ISO 8601 duration: credentials get validUntil = validFrom + valid_for",
    )

    @field_validator("valid_for")
    @classmethod
    def _valid_for(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("skills", mode="before")
    @classmethod
    def _skill_names(cls, value: object) -> object:
        # A plain name is the short form of {"name": ...}.
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("achievement_type")
    @classmethod
    def _achievement_type(cls, value: str | None) -> str | None:
        if value is None or value in ACHIEVEMENT_TYPES or value.startswith("ext:"):
            return value
        raise ValueError(
            "not an Open Badges 3.0 AchievementType; use one of the enumeration "
            "(e.g. Certificate, MicroCredential, Course) or the extension form 'ext:Name'"
        )

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: Criteria) -> Criteria:
        if not value.narrative and value.id is None:
            raise ValueError("criteria needs a narrative or an id (URL)")
        return value


class AchievementBrandingUpdate(BrandingFields):
    """Only the look can change: what an achievement certifies is signed into credentials."""

    model_config = ConfigDict(extra="forbid")


class AchievementRead(BaseModel):
    id: str
    url: str
    issuer: str
    name: str
    description: str
    achievement_type: str | None
    framework_levels: list[dict[str, str]]
    isced_f: str | None
    credits_available: float | None
    occupations: list[TargetRef] = Field(default_factory=list)
    industries: list[TargetRef] = Field(default_factory=list)
    suspendable: bool
    valid_for: str | None = None
    brand_color: str | None = None
    signatory_name: str | None = None
    signatory_title: str | None = None
    signature_image: str | None = None
    background_image: str | None = None
    created_at: datetime
    achievement: dict[str, Any] = Field(description="The Open Badges 3.0 Achievement as issued")
