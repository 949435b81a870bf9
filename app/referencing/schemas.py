"""API shapes of referencing reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ReportStatus = Literal["official", "proposed", "withdrawn"]


class ReportRead(BaseModel):
    id: str
    framework: str
    target: str
    status: ReportStatus
    approved_on: str
    url: str = Field(description="Stable public URL of the report and its credential.")
    report: dict[str, Any] = Field(description="The report as posted (criteria, level table).")
    credential: dict[str, Any] | None = Field(
        description="The report as a credential signed by the registry issuer."
    )
    credential_status: str | None = Field(description="active, or revoked once withdrawn.")
    created_at: datetime
    updated_at: datetime


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class CriteriaSetRead(BaseModel):
    code: str
    name: str
    source_url: str
    note: str
    criteria: list[dict[str, str]]
