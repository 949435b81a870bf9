"""API key lifecycle: create (secret shown once), authenticate, list, revoke."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit_service
from app.auth import usage
from app.auth.models import ApiKey
from app.auth.scopes import Scope, decode, encode, grants
from app.core.ids import new_id
from app.db import transaction_memo
from app.errors import Forbidden, NotFound, Unauthorized

KEY_PREFIX = "lp"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name is what the audit log records as the actor."""

    key_id: str
    name: str
    # One scope, or several space-separated ("issue revoke"); see app/auth/scopes.py.
    scope: str
    issuer_slug: str | None

    @property
    def scopes(self) -> frozenset[Scope]:
        return decode(self.scope)

    @property
    def actor(self) -> str:
        return f"apikey:{self.name}"

    def require(self, needed: Scope) -> None:
        if not grants(self.scope, needed):
            raise Forbidden(f"This API key has scope '{self.scope}'; '{needed}' is required.")

    def require_issuer(self, slug: str | None) -> None:
        """A bound key acts on its own issuer only (``None``: a record of no issuer)."""
        if self.issuer_slug is not None and self.issuer_slug != slug:
            target = f"'{slug}'" if slug is not None else "records of no issuer"
            raise Forbidden(
                f"This API key is bound to issuer '{self.issuer_slug}' and cannot act for {target}."
            )

    def require_unbound(self) -> None:
        if self.issuer_slug is not None:
            raise Forbidden(
                f"This API key is bound to issuer '{self.issuer_slug}'; creating issuers and "
                "frameworks needs an admin key bound to no issuer."
            )

    def issuer_filter(self, requested: str | None) -> str | None:
        """The issuer a listing must be restricted to: a bound key's own, whatever it asks."""
        if self.issuer_slug is None:
            return requested
        self.require_issuer(requested if requested is not None else self.issuer_slug)
        return self.issuer_slug

    def require_may_create_key(
        self, scope: Scope | frozenset[Scope], issuer_slug: str | None
    ) -> None:
        """A key never creates one broader than itself, in scope or in binding."""
        wanted = frozenset({scope}) if isinstance(scope, Scope) else scope
        for each in sorted(wanted):
            if not grants(self.scope, each):
                raise Forbidden(
                    f"This API key has scope '{self.scope}' and cannot create a key with scope "
                    f"'{each}'."
                )
        if self.issuer_slug is not None and issuer_slug != self.issuer_slug:
            raise Forbidden(
                f"This API key is bound to issuer '{self.issuer_slug}'; the keys it creates must "
                f'be bound to it too (send "issuer": "{self.issuer_slug}").'
            )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    session: Session,
    *,
    name: str,
    scope: Scope | frozenset[Scope],
    issuer_slug: str | None,
    now: datetime,
    actor: str,
) -> tuple[ApiKey, str]:
    stored = encode({scope} if isinstance(scope, Scope) else scope)
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiKey(
        id=new_id(),
        name=name,
        scope=stored,
        issuer_slug=issuer_slug,
        prefix=prefix,
        key_hash=_hash(secret),
        created_at=now,
    )
    session.add(record)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="apikey.created",
        now=now,
        issuer_slug=issuer_slug,
        details={"key_id": record.id, "name": name, "scope": stored},
    )
    return record, secret


# Built once: every authenticated request runs it, and building it cost a sixth of its CPU.
_BY_PREFIX: Final = select(ApiKey).where(ApiKey.prefix == bindparam("prefix"))
_KEYS_READ: Final = "learnproof_api_keys_read"


def authenticate(
    session: Session,
    presented: str,
    *,
    now: datetime,
    sessions: sessionmaker[Session] | None = None,
) -> Principal:
    """The caller of a valid, unrevoked key; with ``sessions``, its last use is recorded
    (see usage.py)."""
    parts = presented.split("_")
    if len(parts) < 3 or parts[0] != KEY_PREFIX:
        raise Unauthorized("The API key is malformed; expected 'Authorization: Bearer lp_…'.")
    # Read once per transaction: a group of issuances (one transaction) shares the read.
    known = transaction_memo(session, _KEYS_READ)
    prefix = parts[1]
    if prefix in known:
        record = known[prefix]
    else:
        record = known[prefix] = session.scalar(_BY_PREFIX, {"prefix": prefix})
    # Compare even when no row matched, so timing does not reveal valid prefixes.
    expected = record.key_hash if record is not None else "0" * 64
    if not hmac.compare_digest(expected, _hash(presented)) or record is None:
        raise Unauthorized("The API key is not valid.")
    if record.revoked_at is not None:
        raise Unauthorized("The API key has been revoked.")
    if sessions is not None:
        usage.note_use(session, sessions, record, now=now)
    return Principal(
        key_id=record.id,
        name=record.name,
        scope=encode(decode(record.scope)),
        issuer_slug=record.issuer_slug,
    )


def list_keys(session: Session, *, issuer_slug: str | None = None) -> list[ApiKey]:
    """Every key, or (``issuer_slug``) only the keys bound to that issuer."""
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if issuer_slug is not None:
        query = query.where(ApiKey.issuer_slug == issuer_slug)
    return list(session.scalars(query))


def revoke_key(
    session: Session,
    key_id_or_prefix: str,
    *,
    now: datetime,
    actor: str,
    principal: Principal | None = None,
) -> ApiKey:
    """Revoke a key; a bound ``principal`` reaches only keys bound to its own issuer."""
    record = session.scalar(
        select(ApiKey).where((ApiKey.id == key_id_or_prefix) | (ApiKey.prefix == key_id_or_prefix))
    )
    if principal is not None and principal.issuer_slug is not None and record is not None:
        # Another tenant's key is reported as missing: its existence is not ours to reveal.
        record = record if record.issuer_slug == principal.issuer_slug else None
    if record is None:
        raise NotFound(f"No API key has id or prefix '{key_id_or_prefix}'.")
    if record.revoked_at is None:
        record.revoked_at = now
        session.flush()
        audit_service.record(
            session,
            actor=actor,
            action="apikey.revoked",
            now=now,
            issuer_slug=record.issuer_slug,
            details={"key_id": record.id, "name": record.name},
        )
    return record
