"""Writes and reads the append-only audit log; callers pass the actor and time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    now: datetime,
    issuer_slug: str | None = None,
    credential_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        occurred_at=now,
        actor=actor,
        action=action,
        issuer_slug=issuer_slug,
        credential_id=credential_id,
        details=details or {},
    )
    session.add(event)
    return event


def list_events(
    session: Session,
    *,
    issuer_slug: str | None = None,
    credential_id: str | None = None,
    action: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id).limit(limit)
    if issuer_slug is not None:
        query = query.where(AuditEvent.issuer_slug == issuer_slug)
    if credential_id is not None:
        query = query.where(AuditEvent.credential_id == credential_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if after is not None:
        query = query.where(AuditEvent.id > after)
    return list(session.scalars(query))
