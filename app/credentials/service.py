"""Issuance: build → allocate status → sign twice → store, all in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.achievements import service as achievement_service
from app.achievements.models import Achievement
from app.audit import service as audit_service
from app.core.durations import add_duration
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import claims, issuance_rows, validation
from app.credentials.builder import Subject, build_credential, identity_hash
from app.credentials.events import emit_credential_event
from app.credentials.models import Credential, CredentialStatus
from app.credentials.schemas import CredentialCreate, CredentialLinks
from app.crypto.control_characters import find_control_characters
from app.crypto.cryptosuites import DEFAULT_SUITE_FOR_KEY
from app.crypto.data_integrity import add_proof
from app.crypto.jws import sign_vc_jwt
from app.errors import Conflict, InvalidInput, NotFound
from app.issuers import service as issuer_service
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.status import service as status_service


@dataclass(frozen=True)
class Issued:
    record: Credential
    replayed: bool


def credential_url(urls: PublicUrls, credential_id: str) -> str:
    return urls.credential(credential_id)


def request_fingerprint(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def refuse_control_characters(body: dict[str, Any]) -> None:
    """The canonicalizer emits U+0000–U+001F unescaped, so such strings are never signed."""
    paths = find_control_characters(body)
    if paths:
        field = paths[0].removeprefix("$.")
        raise InvalidInput(
            f"'{field}' contains a control character (U+0000–U+001F other than tab, LF, CR); "
            "remove it and retry.",
            field=field,
            extra={
                "errors": [
                    {"field": p.removeprefix("$."), "message": "control character"} for p in paths
                ]
            },
        )


def _replay(
    session: Session,
    issuer_id: str,
    *,
    idempotency_key: str | None,
    external_id: str | None,
    fingerprint: str,
) -> Credential | None:
    existing = issuance_rows.credential_with_key(
        session, issuer_id, idempotency_key=idempotency_key, external_id=external_id
    )
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        which = (
            f"Idempotency-Key '{idempotency_key}'"
            if idempotency_key is not None and existing.idempotency_key == idempotency_key
            else f"external_id '{external_id}'"
        )
        raise Conflict(
            f"{which} was already used for a different credential ({existing.id}); "
            "use a new key for a new request."
        )
    return existing


def issue_credential(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    data: CredentialCreate,
    *,
    idempotency_key: str | None,
    now: datetime,
    actor: str,
    urls: PublicUrls,
    status_sessions: sessionmaker[Session] | None = None,
    achievement: Achievement | None = None,
) -> Issued:
    """Issue one credential in the caller's transaction.

    ``status_sessions`` (the app's session factory) lets PostgreSQL reserve the status index
    in a short transaction of its own instead of locking the list until this one commits.
    ``achievement``, when the caller has read it already (``load_issuance_context``), must
    be the issuer's achievement ``data`` names.
    """
    body = data.model_dump(mode="json")
    refuse_control_characters(body)
    fingerprint = request_fingerprint(body)
    issuer = context.issuer
    existing = _replay(
        session,
        issuer.id,
        idempotency_key=idempotency_key,
        external_id=data.external_id,
        fingerprint=fingerprint,
    )
    if existing is not None:
        return Issued(existing, replayed=True)
    if achievement is not None and (
        achievement.id != data.achievement_id or achievement.issuer_id != issuer.id
    ):
        raise ValueError("the achievement passed is not the one the request names")
    achievement_record = achievement or achievement_service.get_achievement(
        session, issuer, data.achievement_id
    )
    document = achievement_service.achievement_document(
        session, issuer, achievement_record, urls=urls
    )
    draft = make_draft(document, achievement_record, data, now=now)
    unique = idempotency_key is not None or data.external_id is not None
    if not unique or issuance_rows.holds_rows(session):
        # Nothing unique to lose a race on, so no savepoint to recover one (two round trips
        # saved); any other integrity error fails the request either way. Or a group commit
        # holds the rows back: a key another transaction takes meanwhile fails the group's
        # commit, and its requests run again alone, where they replay (README "Group commit").
        record = sign_and_store(
            session, keyring, context, achievement_record, draft,
            idempotency_key=idempotency_key, fingerprint=fingerprint, now=now, urls=urls,
            status_sessions=status_sessions, deferrable=True,
        )  # fmt: skip
    else:
        try:
            with session.begin_nested():
                record = sign_and_store(
                    session, keyring, context, achievement_record, draft,
                    idempotency_key=idempotency_key, fingerprint=fingerprint, now=now,
                    urls=urls, status_sessions=status_sessions,
                )  # fmt: skip
        except IntegrityError:
            # A concurrent request with the same key or external id won the race.
            existing = _replay(
                session,
                issuer.id,
                idempotency_key=idempotency_key,
                external_id=data.external_id,
                fingerprint=fingerprint,
            )
            if existing is None:
                raise
            return Issued(existing, replayed=True)
    audit_service.record(
        session,
        actor=actor,
        action="credential.issued",
        now=now,
        issuer_slug=issuer.slug,
        credential_id=record.id,
        details={"achievement_id": record.achievement_id, "key": context.active_key.fragment},
    )
    emit_credential_event(session, record, "credential.issued", issuer_slug=issuer.slug, now=now)
    return Issued(record, replayed=False)


@dataclass(frozen=True)
class Draft:
    """What one award says, before status entries, ids and proofs are added."""

    achievement: dict[str, Any]
    subject: Subject
    valid_from: datetime
    valid_until: datetime | None
    results: list[dict[str, Any]]
    credits_earned: float | None
    evidence: list[dict[str, Any]]
    external_id: str | None


def issued_record(
    draft: Draft, *, credential_id: str, issuer_id: str, achievement_id: str,
    signing_key_id: str, idempotency_key: str | None, request_hash: str | None,
    document: dict[str, Any], jwt: str, now: datetime,
) -> Credential:  # fmt: skip
    """The stored row of a credential just signed (single and batch issuance alike)."""
    subject = draft.subject
    return Credential(
        id=credential_id, issuer_id=issuer_id, achievement_id=achievement_id,
        signing_key_id=signing_key_id, recipient_name=subject.name,
        recipient_identity_hash=subject.email_hash, recipient_salt=subject.salt,
        recipient_did=subject.did, external_id=draft.external_id,
        idempotency_key=idempotency_key, request_hash=request_hash, document=document, jwt=jwt,
        valid_from=draft.valid_from, valid_until=draft.valid_until,
        status=CredentialStatus.active, public_page=True, issued_at=now,
    )  # fmt: skip


def make_draft(
    achievement: dict[str, Any], achievement_record: Achievement, data: CredentialCreate,
    *, now: datetime,
) -> Draft:  # fmt: skip
    claims.check_claims(achievement, data.credits_earned)
    salt = secrets.token_hex(16) if data.recipient.email else None
    subject = Subject(
        name=data.recipient.name,
        did=data.recipient.did,
        email_hash=identity_hash(str(data.recipient.email), salt) if salt else None,
        salt=salt,
    )
    valid_from = data.valid_from or now
    valid_until = data.valid_until
    if valid_until is None and achievement_record.valid_for is not None:
        valid_until = add_duration(valid_from, achievement_record.valid_for)
    return Draft(
        achievement=achievement,
        subject=subject,
        valid_from=valid_from,
        valid_until=valid_until,
        results=claims.results_for(achievement, data.result),
        credits_earned=data.credits_earned,
        evidence=claims.evidence_for(data.evidence),
        external_id=data.external_id,
    )


def sign_and_store(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    achievement_record: Achievement,
    draft: Draft,
    *,
    idempotency_key: str | None,
    fingerprint: str | None,
    now: datetime,
    urls: PublicUrls,
    status_sessions: sessionmaker[Session] | None,
    deferrable: bool = False,
) -> Credential:
    """Allocate status entries, sign (Data Integrity and VC-JWT) and store; only flushes.

    ``deferrable``: see `issuance_rows.store_issued`."""
    credential_id = new_id()
    url = credential_url(urls, credential_id)
    status, entries = status_service.reserve_entries(
        session,
        context,
        credential_id=credential_id,
        suspendable=achievement_record.suspendable,
        urls=urls,
        now=now,
        reserve_with=status_sessions,
    )
    subject = draft.subject
    issuer = context.issuer
    unsigned = build_credential(
        credential_url=url,
        issuer={"id": context.did, "type": ["Profile"], "name": issuer.name, "url": issuer.url},
        achievement=draft.achievement,
        subject=subject,
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
        credential_status=status,
        results=draft.results,
        credits_earned=draft.credits_earned,
        evidence=draft.evidence,
    )
    # The same rules as the verifier's (and the VC-API's): nothing is signed that would fail.
    validation.refuse_invalid(unsigned)
    key = context.active_key
    signer = issuer_service.active_signer(keyring, context)
    signed = add_proof(
        unsigned, signer, cryptosuite=DEFAULT_SUITE_FOR_KEY[key.key_type], created=now
    )
    token = sign_vc_jwt(unsigned, issuer_service.jwt_signer(keyring, context), issued_at=now)
    record = issued_record(
        draft, credential_id=credential_id, issuer_id=issuer.id,
        achievement_id=achievement_record.id, signing_key_id=key.id,
        idempotency_key=idempotency_key, request_hash=fingerprint, document=signed, jwt=token,
        now=now,
    )  # fmt: skip
    issuance_rows.store_issued(session, record, entries, deferrable=deferrable)
    return record


DOWNLOAD_FORMATS = ("json", "jwt", "pdf", "png", "svg")


def links(urls: PublicUrls, credential_id: str) -> CredentialLinks:
    page = credential_url(urls, credential_id)
    return CredentialLinks.model_validate(
        {"page": page, **{form: f"{page}.{form}" for form in DOWNLOAD_FORMATS}}
    )


def public_credential(session: Session, credential_id: str) -> Credential:
    """The record behind a public URL; NotFound when unknown or hidden by its issuer (to the
    public a hidden credential does not exist)."""
    not_found = NotFound(f"No public credential has the id '{credential_id}'.")
    if "." in credential_id or "/" in credential_id:
        raise not_found
    record = session.get(Credential, credential_id)
    if record is None or not record.public_page:
        raise not_found
    return record


def get_credential(session: Session, credential_id: str) -> Credential:
    ident = credential_id.rsplit("/", 1)[-1]
    record = session.get(Credential, ident)
    if record is None:
        raise NotFound(f"No credential has the id '{credential_id}'.")
    return record


def list_credentials(
    session: Session,
    issuer_id: str,
    *,
    achievement_id: str | None,
    status: str | None,
    issued_after: datetime | None,
    issued_before: datetime | None,
    cursor: tuple[datetime, str] | None,
    limit: int,
) -> list[Credential]:
    query = select(Credential).where(Credential.issuer_id == issuer_id)
    if achievement_id is not None:
        query = query.where(Credential.achievement_id == achievement_id)
    if status is not None:
        query = query.where(Credential.status == status)
    if issued_after is not None:
        query = query.where(Credential.issued_at >= issued_after)
    if issued_before is not None:
        query = query.where(Credential.issued_at < issued_before)
    if cursor is not None:
        at, ident = cursor
        query = query.where(
            or_(Credential.issued_at > at, (Credential.issued_at == at) & (Credential.id > ident))
        )
    return list(session.scalars(query.order_by(Credential.issued_at, Credential.id).limit(limit)))
