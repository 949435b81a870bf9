from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EventType = Literal[
    "credential.issued",
    "credential.revoked",
    "credential.suspended",
    "credential.reinstated",
    "credential.expiring",
    "credential.expired",
    "credential.reissued",
    "job.finished",
]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2000, examples=["https://lms.example.org/hooks"])
    events: list[EventType] = Field(min_length=1, max_length=20)
    description: str | None = Field(default=None, max_length=500)

    _dedupe = field_validator("events")(_unique)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=1, max_length=2000)
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=20)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = Field(
        default=None, description="true re-enables an endpoint disabled after failures"
    )

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _unique(value)


class WebhookRead(BaseModel):
    id: str
    issuer: str
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="whsec_… signing secret; shown only in this answer")


class WebhookList(BaseModel):
    items: list[WebhookRead]


class SecretRotated(BaseModel):
    id: str
    secret: str = Field(description="The new whsec_… secret; shown only in this answer")
    previous_secret_valid_until: datetime = Field(
        description="Until then deliveries carry a second signature made with the old secret"
    )


class AttemptRead(BaseModel):
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryRead(BaseModel):
    id: str
    event_id: str = Field(description="The webhook-id header: the same on every retry")
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]
    attempt_log: list[AttemptRead]


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None
