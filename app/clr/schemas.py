from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.credentials.schemas import Recipient

MAX_INCLUDED = 100


class AssociationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    association_type: str = Field(alias="associationType", examples=["isParentOf"])
    source_id: str = Field(alias="sourceId", min_length=1, max_length=2000)
    target_id: str = Field(alias="targetId", min_length=1, max_length=2000)


class ClrCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: Recipient
    name: str | None = Field(default=None, min_length=1, max_length=500)
    credential_ids: list[str] = Field(default_factory=list, max_length=MAX_INCLUDED)
    credentials: list[Any] = Field(
        default_factory=list,
        max_length=MAX_INCLUDED,
        description="JSON-LD credentials with their proofs (a VC-JWT cannot be embedded)",
    )
    associations: list[AssociationIn] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _something(self) -> ClrCreate:
        total = len(self.credential_ids) + len(self.credentials)
        if total == 0:
            raise ValueError("give credential_ids or credentials: a CLR includes at least one")
        if total > MAX_INCLUDED:
            raise ValueError(f"a CLR includes at most {MAX_INCLUDED} credentials, not {total}")
        return self


class ClrRead(BaseModel):
    id: str
    url: str
    credential: dict[str, Any]
    included: list[str] = Field(description="The ids of the included credentials, in order")
