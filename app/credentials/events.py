"""What webhook events say about a credential (one shape for every credential event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.clock import isoformat_z
from app.credentials.models import Credential
from app.webhooks import events as webhook_events


def credential_data(record: Credential, issuer_slug: str) -> dict[str, Any]:
    """Identifiers, status and dates; never the learner's name, email or the document."""
    data: dict[str, Any] = {
        "id": record.id,
        "credential_id": record.document.get("id"),
        "issuer": issuer_slug,
        "achievement_id": record.achievement_id,
        "external_id": record.external_id,
        "status": record.status,
        "issued_at": isoformat_z(record.issued_at),
        "valid_from": isoformat_z(record.valid_from),
        "valid_until": isoformat_z(record.valid_until) if record.valid_until else None,
    }
    if record.status_reason is not None:
        data["reason"] = record.status_reason
    return data


def emit_credential_event(
    session: Session,
    record: Credential,
    event_type: str,
    *,
    issuer_slug: str,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    data = {**credential_data(record, issuer_slug), **(extra or {})}
    webhook_events.emit(
        session, issuer_id=record.issuer_id, event_type=event_type, data=data, now=now
    )
