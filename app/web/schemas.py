from __future__ import annotations

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
