from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from app.auth.dependencies import IssuerAdminDep, IssuerReadDep, PlatformAdminDep, ReadDep
from app.config import Settings
from app.db import SessionDep
from app.dependencies import ClockDep, SettingsDep
from app.issuers import documents, service
from app.issuers.schemas import (
    IssuerCreate,
    IssuerRead,
    IssuerUpdate,
    KeyRevoke,
    KeyRotate,
    SigningKeyRead,
)
from app.issuers.signing import KeyRing

router = APIRouter(prefix="/v1/issuers", tags=["Issuers"])
public_router = APIRouter(tags=["Public documents"])


async def get_keyring(request: Request) -> KeyRing:
    keyring: KeyRing = request.app.state.keyring
    return keyring


KeyRingDep = Annotated[KeyRing, Depends(get_keyring)]


def issuer_read(context: service.IssuerContext, public_url: str) -> IssuerRead:
    issuer, did = context.issuer, context.did
    base = documents.issuer_base_url(public_url, issuer.slug)
    return IssuerRead(
        slug=issuer.slug,
        did=did,
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description,
        image=issuer.image,
        profile_url=base,
        did_document_url=f"{base}/did.json",
        jwks_url=f"{base}/jwks.json",
        keys=[
            SigningKeyRead(
                kid=documents.multikey_vm_id(did, k),
                jwk_kid=documents.jwk_vm_id(did, k),
                key_type=k.key_type,
                status=k.status,
                public_key_multibase=k.public_multikey,
                created_at=k.created_at,
                retired_at=k.retired_at,
                revoked_at=k.revoked_at,
                revocation_reason=k.revocation_reason,
            )
            for k in context.keys
        ],
        created_at=issuer.created_at,
        updated_at=issuer.updated_at,
    )


def _read(settings: Settings, session: SessionDep, slug: str) -> IssuerRead:
    public_url: str = settings.public_url
    return issuer_read(service.load_context(session, slug, public_url=public_url), public_url)


@router.post("", status_code=201, response_model=IssuerRead)
def create_issuer(
    body: IssuerCreate,
    settings: SettingsDep,
    clock: ClockDep,
    session: SessionDep,
    keyring: KeyRingDep,
    principal: PlatformAdminDep,
) -> IssuerRead:
    """Create an issuer with its did:web identifier and a first signing key."""
    issuer = service.create_issuer(session, keyring, body, now=clock.now(), actor=principal.actor)
    return _read(settings, session, issuer.slug)


@router.get("", response_model=list[IssuerRead])
def list_issuers(
    settings: SettingsDep, session: SessionDep, principal: ReadDep
) -> list[IssuerRead]:
    """List issuers (a key bound to one issuer sees only that one)."""
    slugs = [i.slug for i in service.list_issuers(session)]
    if principal.issuer_slug is not None:
        slugs = [s for s in slugs if s == principal.issuer_slug]
    return [_read(settings, session, slug) for slug in slugs]


@router.get("/{slug}", response_model=IssuerRead)
def get_issuer(
    slug: str, settings: SettingsDep, session: SessionDep, principal: IssuerReadDep
) -> IssuerRead:
    """Read an issuer, its DID and its keys."""
    return _read(settings, session, slug)


@router.patch("/{slug}", response_model=IssuerRead)
def update_issuer(
    slug: str,
    body: IssuerUpdate,
    settings: SettingsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: IssuerAdminDep,
) -> IssuerRead:
    """Update an issuer's profile (name, url, email, description, image)."""
    service.update_issuer(session, slug, body, now=clock.now(), actor=principal.actor)
    return _read(settings, session, slug)


@router.post("/{slug}/keys", status_code=201, response_model=IssuerRead)
def rotate_key(
    slug: str,
    settings: SettingsDep,
    clock: ClockDep,
    session: SessionDep,
    keyring: KeyRingDep,
    principal: IssuerAdminDep,
    body: KeyRotate | None = None,
) -> IssuerRead:
    """Rotate: a new key signs from now on; earlier keys stay published and keep verifying."""
    service.rotate_key(
        session,
        keyring,
        slug,
        key_type=body.key_type if body else None,
        now=clock.now(),
        actor=principal.actor,
        public_url=settings.public_url,
    )
    return _read(settings, session, slug)


@router.post("/{slug}/keys/{kid}/revoke", response_model=IssuerRead)
def revoke_key(
    slug: str,
    kid: str,
    body: KeyRevoke,
    settings: SettingsDep,
    clock: ClockDep,
    session: SessionDep,
    keyring: KeyRingDep,
    principal: IssuerAdminDep,
) -> IssuerRead:
    """Revoke a compromised key: it leaves the DID document and its credentials fail."""
    service.revoke_key(
        session,
        keyring,
        slug,
        kid,
        reason=body.reason,
        now=clock.now(),
        actor=principal.actor,
        public_url=settings.public_url,
    )
    return _read(settings, session, slug)


def _context(settings: Settings, session: SessionDep, slug: str) -> service.IssuerContext:
    return service.load_context(session, slug, public_url=settings.public_url)


@public_router.get("/issuers/{slug}/did.json")
def did_document(slug: str, settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """The issuer's did:web DID document."""
    context = _context(settings, session, slug)
    return documents.did_document(context.did, context.keys)


@public_router.get("/issuers/{slug}/jwks.json")
def issuer_jwks(slug: str, settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """The issuer's public keys as a JWK Set; each kid is a DID URL."""
    context = _context(settings, session, slug)
    return documents.jwks(context.did, context.keys)


@public_router.get("/.well-known/jwks.json")
def all_jwks(settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """Every issuer's public keys as one JWK Set."""
    keys: list[dict[str, Any]] = []
    for issuer in service.list_issuers(session):
        context = _context(settings, session, issuer.slug)
        keys += documents.jwks(context.did, context.keys)["keys"]
    return {"keys": keys}


@public_router.get("/issuers/{slug}")
def issuer_profile(slug: str, settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """The issuer's Open Badges 3.0 Profile (JSON-LD)."""
    context = _context(settings, session, slug)
    return documents.profile_document(context.issuer, context.did)
