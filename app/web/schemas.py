from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.credentials.schemas import CredentialLinks


class PublicPageUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public: bool = Field(description="false hides the credential page and its downloads")


class PublicPageRead(BaseModel):
    id: str
    public: bool


class CredentialPublicRead(BaseModel):
    """The credential page for machines (``Accept: application/json``)."""

    model_config = ConfigDict(populate_by_name=True)

    credential: dict[str, Any]
    status: str = Field(description="active, revoked or suspended")
    links: CredentialLinks
    expired: bool = Field(default=False, description="validUntil has passed")
    valid_until: datetime | None = None
    replaced_by: str | None = Field(
        default=None, description="The page of the corrected credential that superseded this one"
    )
