"""API shapes of accreditation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

Did = Annotated[
    str, StringConstraints(min_length=8, max_length=500, pattern=r"^did:[a-z0-9]+:\S+$")
]
IscedPrefix = Annotated[str, StringConstraints(pattern=r"^\d{2,4}$")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S+$")]


class FrameworkLimit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    framework: Code
    max_level: Code


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frameworks: list[FrameworkLimit] | None = Field(default=None, max_length=50)
    isced_f: list[IscedPrefix] | None = Field(
        default=None, max_length=200, description="ISCED-F 2013 code prefixes, e.g. '06', '0613'"
    )
    qualification_types: list[Code] | None = Field(
        default=None,
        max_length=50,
        description="Achievement types (OB 3.0 achievementType) the issuer may award",
    )
    jurisdiction: list[Code] | None = Field(
        default=None, max_length=50, description="Jurisdictions of the frameworks it may award in"
    )


class AccreditationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accredited_issuer: Did
    limits: Limits = Field(default_factory=Limits)
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None


class AccreditationRead(BaseModel):
    id: str
    url: str = Field(description="Stable public URL of the signed accreditation credential.")
    accreditor: str
    accredited_issuer: str
    limits: dict[str, Any]
    valid_from: datetime
    valid_until: datetime | None
    status: str = Field(
        description="active or revoked; external for a body's credential registered here "
        "(verified, status included, whenever it is used)"
    )
    credential_id: str | None
    credential: dict[str, Any]


class AccreditorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    did: Did
    name: str = Field(min_length=1, max_length=200)


class AccreditorRead(BaseModel):
    did: str
    name: str
    source: str = Field(description="'setting' (LEARNPROOF_TRUSTED_ACCREDITORS) or 'api'")


class ExternalAccreditation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credential: dict[str, Any] = Field(
        description="An AccreditationCredential signed by a trusted external accrediting body"
    )
