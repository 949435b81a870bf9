from __future__ import annotations

from fastapi import APIRouter

from app.auth import service
from app.auth.dependencies import AdminDep
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.dependencies import ClockDep, SessionDep
from app.issuers import service as issuer_service

router = APIRouter(prefix="/v1/api-keys", tags=["API keys"])


@router.post("", status_code=201, response_model=ApiKeyCreated)
def create_api_key(
    body: ApiKeyCreate, clock: ClockDep, session: SessionDep, principal: AdminDep
) -> ApiKeyCreated:
    """Create an API key (never broader than the caller's); the secret is shown once."""
    principal.require_may_create_key(body.scopes, body.issuer)
    if body.issuer is not None:
        issuer_service.require_slug(session, body.issuer, field="issuer")
    record, secret = service.create_key(
        session,
        name=body.name,
        scope=body.scopes,
        issuer_slug=body.issuer,
        now=clock.now(),
        actor=principal.actor,
    )
    return ApiKeyCreated(**ApiKeyRead.model_validate(record).model_dump(), key=secret)


@router.get("", response_model=list[ApiKeyRead])
def list_api_keys(session: SessionDep, principal: AdminDep) -> list[ApiKeyRead]:
    """List API keys (never their secrets); a bound key sees its issuer's keys only."""
    keys = service.list_keys(session, issuer_slug=principal.issuer_filter(None))
    return [ApiKeyRead.model_validate(k) for k in keys]


@router.post("/{key_id}/revoke", response_model=ApiKeyRead)
def revoke_api_key(
    key_id: str, clock: ClockDep, session: SessionDep, principal: AdminDep
) -> ApiKeyRead:
    """Revoke an API key by id or prefix; it stops working immediately."""
    record = service.revoke_key(
        session, key_id, now=clock.now(), actor=principal.actor,
        principal=principal,
    )  # fmt: skip
    return ApiKeyRead.model_validate(record)
