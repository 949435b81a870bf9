"""Issuer lifecycle: profiles, the first key, rotation and compromise (key revocation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.crypto.signer import Signer
from app.db import transaction_memo
from app.errors import BadRequest, Conflict, InvalidInput, NotFound
from app.issuers import documents
from app.issuers.models import Issuer, KeyStatus, SigningKey
from app.issuers.schemas import BRANDING_FIELDS, IssuerCreate, IssuerUpdate
from app.issuers.signing import KeyRing


@dataclass(frozen=True)
class IssuerContext:
    """An issuer with its keys and identifiers, as every capability needs them."""

    issuer: Issuer
    keys: list[SigningKey]
    did: str

    @property
    def active_key(self) -> SigningKey:
        for key in reversed(self.keys):
            if key.status == KeyStatus.active:
                return key
        raise InvalidInput(f"Issuer '{self.issuer.slug}' has no active signing key; rotate one.")


def _keys(session: Session, issuer_id: str) -> list[SigningKey]:
    return list(
        session.scalars(
            select(SigningKey)
            .where(SigningKey.issuer_id == issuer_id)
            .order_by(SigningKey.created_at, SigningKey.fragment)
        )
    )


def get_issuer(session: Session, slug: str) -> Issuer:
    issuer = session.scalar(select(Issuer).where(Issuer.slug == slug))
    if issuer is None:
        raise NotFound(f"No issuer has the slug '{slug}'.")
    return issuer


def require_slug(session: Session, slug: str, *, field: str) -> None:
    """Refuse a reference to an issuer that does not exist (422 naming the field)."""
    if session.scalar(select(Issuer.id).where(Issuer.slug == slug)) is None:
        raise InvalidInput(f"No issuer has the slug '{slug}'.", field=field)


def get_issuer_by_id(session: Session, issuer_id: str) -> Issuer:
    # Held for the transaction: the session's identity map keeps a row only while something
    # refers to it, so each step of a revocation (find, change, re-sign) read the issuer again.
    known = transaction_memo(session, _ISSUERS_READ)
    issuer = known.get(issuer_id) or session.get(Issuer, issuer_id)
    if issuer is None:
        raise NotFound(f"No issuer has the id '{issuer_id}'.")
    known[issuer_id] = issuer
    return issuer


_ISSUERS_READ: Final = "learnproof_issuers_read"


def slug_for_did(session: Session, issuer: object, *, urls: PublicUrls) -> str:
    """The slug of our issuer whose DID is ``issuer`` (a string or an object with an id)."""
    did = issuer.get("id") if isinstance(issuer, dict) else issuer
    slug = urls.parse_issuer_did(did)
    if slug is not None:
        if session.scalar(select(Issuer.id).where(Issuer.slug == slug)) is not None:
            return slug
    raise BadRequest(f"credential.issuer {did!r} is not an issuer of this service.")


def load_context(session: Session, slug: str, *, urls: PublicUrls) -> IssuerContext:
    return context_of(session, get_issuer(session, slug), urls=urls)


def context_of(session: Session, issuer: Issuer, *, urls: PublicUrls) -> IssuerContext:
    """The context of an issuer row already at hand: only its keys are read."""
    return IssuerContext(
        issuer=issuer, keys=_keys(session, issuer.id), did=urls.issuer_did(issuer.slug)
    )


def list_issuers(session: Session) -> list[Issuer]:
    return list(session.scalars(select(Issuer).order_by(Issuer.slug)))


def _add_key(
    session: Session, keyring: KeyRing, issuer: Issuer, key_type: str, *, now: datetime
) -> SigningKey:
    existing = _keys(session, issuer.id)
    key_id = new_id()
    multikey, jwk, sealed = keyring.seal_new_key(key_type, key_id=key_id, issuer_id=issuer.id)
    key = SigningKey(
        id=key_id,
        issuer_id=issuer.id,
        fragment=f"key-{len(existing) + 1}",
        key_type=key_type,
        public_multikey=multikey,
        public_jwk=jwk,
        encrypted_private_key=sealed,
        status=KeyStatus.active,
        created_at=now,
    )
    for old in existing:
        if old.status == KeyStatus.active:
            old.status = KeyStatus.retired
            old.retired_at = now
    session.add(key)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"Another key was added to issuer '{issuer.slug}' at the same time; retry."
        ) from None
    return key


def create_issuer(
    session: Session, keyring: KeyRing, data: IssuerCreate, *, now: datetime, actor: str
) -> Issuer:
    if session.scalar(select(Issuer.id).where(Issuer.slug == data.slug)) is not None:
        raise Conflict(f"An issuer with the slug '{data.slug}' already exists.")
    issuer = Issuer(
        id=new_id(),
        slug=data.slug,
        name=data.name,
        url=str(data.url),
        email=str(data.email),
        description=data.description,
        image=data.image,
        **{name: getattr(data, name) for name in BRANDING_FIELDS},
        created_at=now,
        updated_at=now,
    )
    session.add(issuer)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"An issuer with the slug '{data.slug}' already exists.") from None
    key = _add_key(session, keyring, issuer, data.key_type, now=now)
    audit_service.record(
        session,
        actor=actor,
        action="issuer.created",
        now=now,
        issuer_slug=issuer.slug,
        details={"key": key.fragment, "key_type": key.key_type},
    )
    return issuer


def update_issuer(
    session: Session, slug: str, data: IssuerUpdate, *, now: datetime, actor: str
) -> Issuer:
    issuer = get_issuer(session, slug)
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if field in ("name", "email", "url") and value is None:
            raise InvalidInput(f"'{field}' cannot be removed.", field=field)
        setattr(issuer, field, str(value) if value is not None else None)
    issuer.updated_at = now
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="issuer.updated",
        now=now,
        issuer_slug=slug,
        details={"fields": sorted(changes)},
    )
    return issuer


def rotate_key(
    session: Session,
    keyring: KeyRing,
    slug: str,
    *,
    key_type: str | None,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> SigningKey:
    context = load_context(session, slug, urls=urls)
    current = context.active_key
    key = _add_key(session, keyring, context.issuer, key_type or current.key_type, now=now)
    audit_service.record(
        session,
        actor=actor,
        action="key.rotated",
        now=now,
        issuer_slug=slug,
        details={"new": key.fragment, "retired": current.fragment, "key_type": key.key_type},
    )
    return key


def find_key(context: IssuerContext, kid: str) -> SigningKey:
    fragment = kid.rsplit("#", 1)[-1].removesuffix("-jwk")
    for key in context.keys:
        if key.fragment == fragment:
            return key
    raise NotFound(f"Issuer '{context.issuer.slug}' has no key '{kid}'.")


def revoke_key(
    session: Session,
    keyring: KeyRing,
    slug: str,
    kid: str,
    *,
    reason: str,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> tuple[SigningKey, SigningKey | None]:
    """Revoke a compromised key; if it was the active one, a fresh key replaces it."""
    context = load_context(session, slug, urls=urls)
    key = find_key(context, kid)
    if key.status == KeyStatus.revoked:
        raise Conflict(f"Key '{key.fragment}' of issuer '{slug}' is already revoked.")
    was_active = key.status == KeyStatus.active
    key.status = KeyStatus.revoked
    key.revoked_at = now
    key.revocation_reason = reason
    session.flush()
    keyring.forget(key.id)
    replacement = None
    if was_active:
        replacement = _add_key(session, keyring, context.issuer, key.key_type, now=now)
    audit_service.record(
        session,
        actor=actor,
        action="key.revoked",
        now=now,
        issuer_slug=slug,
        details={
            "key": key.fragment,
            "reason": reason,
            "replacement": replacement.fragment if replacement else None,
        },
    )
    return key, replacement


def active_signer(keyring: KeyRing, context: IssuerContext) -> Signer:
    key = context.active_key
    return keyring.signer(key, verification_method=documents.multikey_vm_id(context.did, key))


def jwt_signer(keyring: KeyRing, context: IssuerContext) -> Signer:
    """The same key, named by its JsonWebKey verification method (the JWT ``kid``)."""
    key = context.active_key
    return keyring.signer(key, verification_method=documents.jwk_vm_id(context.did, key))
