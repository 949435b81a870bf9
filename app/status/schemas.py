from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StatusValue = Literal["active", "revoked", "suspended"]


class StatusChange(BaseModel):
    reason: str | None = Field(default=None, max_length=1000, description="Kept in the audit log")


class CredentialStatusRead(BaseModel):
    id: str
    status: StatusValue
    reason: str | None
    changed_at: datetime | None


class BulkStatusChange(BaseModel):
    ids: list[str] = Field(min_length=1, max_length=1000, description="Credential ids (bare uuids)")
    action: Literal["revoke", "suspend", "reinstate"]
    reason: str | None = Field(default=None, max_length=1000, description="Kept in the audit log")


class BulkStatusResult(BaseModel):
    action: Literal["revoke", "suspend", "reinstate"]
    credentials: list[CredentialStatusRead]


class VcApiCredentialStatus(BaseModel):
    """The entry to change; list and index, when given, must be the credential's own."""

    model_config = ConfigDict(populate_by_name=True)

    type: Literal["BitstringStatusListEntry"]
    status_purpose: str = Field(alias="statusPurpose")
    status_list_index: str | int | None = Field(default=None, alias="statusListIndex")
    status_list_credential: str | None = Field(default=None, alias="statusListCredential")


class VcApiStatusUpdate(BaseModel):
    """VC-API ``POST /credentials/status`` (``status: true`` sets the bit)."""

    model_config = ConfigDict(populate_by_name=True)

    credential_id: str = Field(alias="credentialId", min_length=1, max_length=2000)
    credential_status: VcApiCredentialStatus = Field(alias="credentialStatus")
    status: bool
