from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor: str
    action: str
    issuer_slug: str | None
    credential_id: str | None
    details: dict[str, Any]


class AuditEventPage(BaseModel):
    items: list[AuditEventRead]
    next_after: int | None
