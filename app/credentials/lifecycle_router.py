"""Routes that revoke, suspend and reinstate credentials (one, many, or through VC-API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.auth.dependencies import IssuerRevokeDep, RevokeDep
from app.auth.service import Principal
from app.credentials import lifecycle as service
from app.credentials.models import Credential
from app.dependencies import ClockDep, SessionDep, UrlsDep
from app.status.dependencies import ListSigningDep
from app.status.publishing import ListSigning
from app.status.schemas import (
    BulkStatusChange,
    BulkStatusResult,
    CredentialStatusRead,
    StatusChange,
    VcApiStatusUpdate,
)

router = APIRouter(tags=["Status"])

_CONFLICTS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown credential"},
    409: {"description": "The transition is not allowed (e.g. revocation is final)"},
}


def _read(credential: Credential) -> CredentialStatusRead:
    return CredentialStatusRead.model_validate(
        {
            "id": credential.id,
            "status": credential.status,
            "reason": credential.status_reason,
            "changed_at": credential.status_changed_at,
        }
    )


def _change(
    session: Session,
    principal: Principal,
    credential_id: str,
    action: service.StatusAction,
    body: StatusChange | None,
    signing: ListSigning,
    now: datetime,
) -> CredentialStatusRead:
    target = service.find_credential(session, credential_id, urls=signing.urls)
    principal.require_issuer(target.issuer_slug)
    credential = service.change_status(
        session,
        target.credential,
        action,
        reason=body.reason if body else None,
        now=now,
        actor=principal.actor,
        signing=signing,
    )
    return _read(credential)


def _add_status_route(action: service.StatusAction, summary: str) -> None:
    """One route per action; they differ only in the action and the sentence that explains it."""

    def route(
        credential_id: str,
        clock: ClockDep,
        session: SessionDep,
        principal: RevokeDep,
        signing: ListSigningDep,
        body: StatusChange | None = None,
    ) -> CredentialStatusRead:
        return _change(session, principal, credential_id, action, body, signing, clock.now())

    route.__name__ = f"{action}_credential"
    route.__doc__ = summary
    router.post(
        f"/v1/credentials/{{credential_id}}/{action}",
        response_model=CredentialStatusRead,
        responses=_CONFLICTS,
    )(route)


_add_status_route(
    "revoke", "Revoke a credential for good: its revocation bit is set in the published list."
)
_add_status_route(
    "suspend", "Suspend a credential of a suspendable achievement (reversible with reinstate)."
)
_add_status_route("reinstate", "Lift a suspension: the suspension bit is cleared again.")


@router.post(
    "/v1/issuers/{slug}/credentials/status",
    response_model=BulkStatusResult,
    responses=_CONFLICTS,
)
def change_many(
    slug: str,
    body: BulkStatusChange,
    clock: ClockDep,
    session: SessionDep,
    principal: IssuerRevokeDep,
    signing: ListSigningDep,
) -> BulkStatusResult:
    """Revoke, suspend or reinstate up to 1,000 credentials at once: all of them or none."""
    credentials = service.bulk_change(
        session,
        slug,
        body.ids,
        body.action,
        reason=body.reason,
        now=clock.now(),
        actor=principal.actor,
        signing=signing,
    )
    return BulkStatusResult(action=body.action, credentials=[_read(c) for c in credentials])


@router.post(
    "/credentials/status",
    response_model=CredentialStatusRead,
    tags=["VC-API"],
    responses=_CONFLICTS,
)
def update_status(
    body: VcApiStatusUpdate,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: RevokeDep,
    signing: ListSigningDep,
) -> CredentialStatusRead:
    """VC-API: set (true) or clear (false) a credential's revocation or suspension status."""
    target = service.find_vc_api_credential(
        session,
        body.credential_id,
        urls=urls,
        issuer_slug=principal.issuer_slug,
        purpose=body.credential_status.status_purpose,
        list_credential=body.credential_status.status_list_credential,
    )
    principal.require_issuer(target.issuer_slug)
    credential = service.set_status(
        session,
        target,
        purpose=body.credential_status.status_purpose,
        value=body.status,
        list_credential=body.credential_status.status_list_credential,
        list_index=body.credential_status.status_list_index,
        urls=urls,
        now=clock.now(),
        actor=principal.actor,
        signing=signing,
    )
    return _read(credential)
