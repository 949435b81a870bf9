from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.audit import service
from app.audit.schemas import AuditEventPage, AuditEventRead
from app.auth.dependencies import AdminDep
from app.dependencies import SessionDep

MAX_EVENT_ID = 2**63 - 1

router = APIRouter(prefix="/v1/audit-events", tags=["Audit"])


@router.get("", response_model=AuditEventPage)
def list_audit_events(
    session: SessionDep,
    principal: AdminDep,
    issuer: Annotated[str | None, Query(max_length=64)] = None,
    credential: Annotated[str | None, Query(max_length=64)] = None,
    kind: Annotated[
        str | None, Query(max_length=64, description="Event kind, e.g. credential.issued")
    ] = None,
    # Ids are 64-bit: a larger cursor is refused here, not as a database overflow.
    after: Annotated[
        int | None, Query(ge=0, le=MAX_EVENT_ID, description="Return events after this id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditEventPage:
    """Read the audit log, oldest first (a bound key reads only its issuer's events)."""
    events = service.list_events(
        session,
        issuer_slug=principal.issuer_filter(issuer),
        credential_id=credential,
        action=kind,
        after=after,
        limit=limit,
    )
    items = [AuditEventRead.model_validate(e) for e in events]
    return AuditEventPage(items=items, next_after=items[-1].id if len(items) == limit else None)
