from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

ResultStatus = Literal[
    "Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"
]


class Recipient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=500)
    email: EmailStr | None = None
    did: str | None = Field(default=None, pattern=r"^did:[a-z0-9]+:\S+$", max_length=2000)

    @model_validator(mode="after")
    def _identified(self) -> Recipient:
        if self.email is None and self.did is None:
            raise ValueError("a recipient needs an email or a did")
        return self


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str | None = Field(default=None, max_length=500)
    status: ResultStatus | None = None
    result_description: str | None = Field(
        default=None,
        max_length=500,
        description="Name of one of the achievement's result descriptions",
    )


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: HttpUrl | None = None
    name: str | None = Field(default=None, max_length=500)
    narrative: str | None = Field(default=None, max_length=20_000)
    description: str | None = Field(default=None, max_length=20_000)


class CredentialCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    achievement_id: str = Field(min_length=1, max_length=36)
    recipient: Recipient
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    result: list[ResultIn] = Field(default_factory=list, max_length=50)
    credits_earned: float | None = Field(default=None, ge=0, le=1000)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    external_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The platform's own id; unique per issuer",
    )

    @field_validator("result", "evidence", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        # One result or piece of evidence may come as an object rather than a list, and
        # evidence as just its URL.
        items = value if isinstance(value, list) else [value] if value is not None else []
        return [{"id": item} if isinstance(item, str) else item for item in items]

    @model_validator(mode="after")
    def _window(self) -> CredentialCreate:
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class RecipientChange(BaseModel):
    """Corrections to the learner: only what is given changes."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=500)
    email: EmailStr | None = None
    did: str | None = Field(default=None, pattern=r"^did:[a-z0-9]+:\S+$", max_length=2000)


class ReissueRequest(BaseModel):
    """A corrected copy of a credential; fields not given are taken from the old one."""

    model_config = ConfigDict(extra="forbid")

    recipient: RecipientChange | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    result: list[ResultIn] | None = Field(default=None, max_length=50)
    credits_earned: float | None = Field(default=None, ge=0, le=1000)
    evidence: list[EvidenceIn] | None = Field(default=None, max_length=50)
    reason: str | None = Field(
        default=None, max_length=500, description="Why it was corrected (kept in the audit log)"
    )

    @field_validator("result", "evidence", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        return [{"id": item} if isinstance(item, str) else item for item in items]


class BulkReissueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signing_key: str | None = Field(
        default=None,
        max_length=32,
        examples=["key-1"],
        description="Only credentials signed with this revoked key (default: every revoked key)",
    )
    reason: str | None = Field(default=None, max_length=500)


class CredentialLinks(BaseModel):
    page: str
    json_: str = Field(alias="json")
    jwt: str
    pdf: str
    png: str
    svg: str

    model_config = ConfigDict(populate_by_name=True)


class CredentialIssued(BaseModel):
    id: str
    url: str
    issuer: str
    achievement_id: str | None
    status: str
    status_reason: str | None = None
    issued_at: datetime
    valid_from: datetime
    valid_until: datetime | None
    external_id: str | None
    credential: dict[str, Any]
    jwt: str
    links: CredentialLinks
    replaced_by: str | None = Field(
        default=None, description="The corrected credential that superseded this one"
    )
    replaces: str | None = Field(default=None, description="The credential this one corrected")


class CredentialPage(BaseModel):
    items: list[CredentialIssued]
    next_cursor: str | None


MAX_BATCH_ITEMS: Final = 50_000


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH_ITEMS,
        description="Credential requests, each shaped like POST /v1/issuers/{slug}/credentials",
    )


class BatchResult(BaseModel):
    issued: int
    failed: int
    results: list[dict[str, Any]]


class JobAccepted(BaseModel):
    job_id: str
    status: str
    total: int
    status_url: str


class BulkReissueAccepted(BaseModel):
    job_id: str | None
    status: str
    total: int
    status_url: str | None


class JobRead(BaseModel):
    job_id: str
    issuer: str
    kind: str = Field(default="issue", description="issue (a batch) or reissue (key compromise)")
    status: str
    total: int
    done: int
    failed: int
    created_at: datetime
    finished_at: datetime | None
    results: list[dict[str, Any]]
    next_offset: int | None
