"""Request and response bodies of the credit bank API.

Requirements are read by hand (``requirements.py``): a recursive union with one key per
variant gives poor error paths through pydantic, and every error must name its field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
)

from app.credentials.schemas import Recipient


class PathwayCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Software Developer (EQF 5)"])
    description: str | None = Field(default=None, max_length=20_000)
    target_achievement_id: str = Field(
        min_length=1, max_length=36, description="The achievement awarded when the pathway is met"
    )
    requirements: Any = Field(
        description="A requirement, or a list of them (all must be met); see the README"
    )
    min_credits: float | None = Field(default=None, gt=0, le=100_000)


class PathwayRead(BaseModel):
    id: str
    url: str
    issuer: str
    name: str
    description: str | None
    target_achievement_id: str
    target_achievement_url: str
    target_achievement_name: str
    requirements: Any
    min_credits: float | None
    summary: list[str] = Field(description="The requirements in plain words, one per line")
    created_at: datetime


class EvaluationRead(BaseModel):
    pathway: dict[str, Any]
    met: bool
    credits: float
    min_credits: float | None
    summary: str
    requirements: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    credentials: list[dict[str, Any]]
    rules: list[dict[str, Any]]


class RuleSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(
        min_length=1,
        max_length=2000,
        pattern=r"^(did:[a-z0-9]+:\S+|https?://\S+)$",
        description="The DID (or URL) of the issuer whose credentials the rule accepts",
    )
    achievement: str | None = Field(default=None, min_length=1, max_length=2000)
    framework_level: dict[str, str] | None = None
    isced_f: str | None = Field(default=None, pattern=r"^[0-9]{2,4}$")


class RuleTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pathway: str = Field(min_length=1, max_length=36, description="A pathway of this issuer")
    requirement: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The name of the requirement a matching credential satisfies",
    )


class EvidenceRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: HttpUrl | None = None
    name: str | None = Field(default=None, max_length=500)
    narrative: str | None = Field(default=None, max_length=20_000)


class TransferRuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: RuleSource = Field(alias="from")
    target: RuleTarget = Field(alias="to")
    credits: float = Field(ge=0, le=100_000)
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None
    evidence: list[EvidenceRef] = Field(default_factory=list, max_length=20)

    @field_validator("valid_until")
    @classmethod
    def _window(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value <= start:
            raise ValueError("valid_until must be after valid_from")
        return value


class TransferRuleRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    url: str
    pathway_id: str
    credential_id: str
    status: str
    source: dict[str, Any] = Field(alias="from")
    target: dict[str, Any] = Field(alias="to")
    credits: float
    valid_from: datetime
    valid_until: datetime | None
    credential: dict[str, Any]


class RuleRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)


class AwardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: Recipient
    credentials: list[Any] = Field(min_length=1, max_length=100)


class AwardRead(BaseModel):
    id: str
    pathway_id: str
    credential_id: str
    url: str
    credential: dict[str, Any]
    clr_url: str | None
    credits: float
    counted: list[str]
    created_at: datetime
    evaluation: dict[str, Any] | None = None
