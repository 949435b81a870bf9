"""Corrections and re-issue: a new credential from the same record with the changes, the old
one revoked with reason ``superseded``, both linked (pages, API, verification, events).

Re-issue after a key compromise runs the same step for every credential of the issuer signed
with a revoked key, as a background job (``IssueJob`` of kind ``reissue``).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.achievements import service as achievement_service
from app.audit import service as audit_service
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import claims, service
from app.credentials import lifecycle as status_changes
from app.credentials.builder import Subject, identity_hash
from app.credentials.events import emit_credential_event
from app.credentials.models import (
    Credential,
    CredentialStatus,
    CredentialSuccession,
    IssueJob,
    JobStatus,
)
from app.credentials.schemas import ReissueRequest
from app.credentials.successions import successor_of
from app.errors import Conflict, InvalidInput, NotFound
from app.issuers.models import KeyStatus, SigningKey
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.status import service as status_service

SUPERSEDED: Final = "superseded"
MAX_BULK: Final = 50_000


def _subject(old: Credential, data: ReissueRequest) -> Subject:
    change = data.recipient
    name = change.name if change and change.name is not None else old.recipient_name
    did = change.did if change and change.did is not None else old.recipient_did
    email_hash, salt = old.recipient_identity_hash, old.recipient_salt
    if change is not None and change.email is not None:
        salt = secrets.token_hex(16)
        email_hash = identity_hash(str(change.email), salt)
    return Subject(name=name, did=did, email_hash=email_hash, salt=salt)


def reissue(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    credential_id: str,
    data: ReissueRequest,
    *,
    now: datetime,
    actor: str,
    urls: PublicUrls,
    status_sessions: sessionmaker[Session] | None = None,
    signing: status_service.ListSigning | None = None,
) -> Credential:
    """Issue the corrected credential and supersede the old one, in the caller's transaction."""
    old = session.get(Credential, credential_id, with_for_update=True, populate_existing=True)
    if old is None or old.issuer_id != context.issuer.id:
        raise NotFound(f"Issuer '{context.issuer.slug}' has no credential '{credential_id}'.")
    if old.achievement_id is None:
        raise InvalidInput(
            f"Credential {old.id} was signed through the VC-API from a posted document; there "
            "is no record to re-issue it from. Issue a new one and revoke this one instead."
        )
    if old.status == CredentialStatus.revoked:
        successor = successor_of(session, old.id)
        hint = f"; its successor is {successor}" if successor else ""
        raise Conflict(f"Credential {old.id} is revoked and cannot be re-issued{hint}.")
    achievement_record = achievement_service.get_achievement(
        session, context.issuer, old.achievement_id
    )
    achievement = achievement_service.achievement_document(
        session, context.issuer, achievement_record, urls=urls
    )
    subject_doc: dict[str, Any] = old.document.get("credentialSubject", {})
    valid_from = data.valid_from or old.valid_from
    valid_until = data.valid_until or old.valid_until
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInput("valid_until must be after valid_from.", field="valid_until")
    claims.check_claims(achievement, data.credits_earned)
    draft = service.Draft(
        achievement=achievement,
        subject=_subject(old, data),
        valid_from=valid_from,
        valid_until=valid_until,
        results=(
            claims.results_for(achievement, data.result)
            if data.result is not None
            else list(subject_doc.get("result", []))
        ),
        credits_earned=(
            data.credits_earned
            if data.credits_earned is not None
            else subject_doc.get("creditsEarned")
        ),
        evidence=(
            claims.evidence_for(data.evidence)
            if data.evidence is not None
            else list(old.document.get("evidence", []))
        ),
        external_id=old.external_id,
    )
    service.refuse_control_characters(data.model_dump(mode="json"))
    # The platform's id moves to the successor: it names the learner's current credential.
    old.external_id = None
    session.flush()
    new = service.sign_and_store(
        session, keyring, context, achievement_record, draft, idempotency_key=None,
        fingerprint=None, now=now, urls=urls, status_sessions=status_sessions,
    )  # fmt: skip
    status_changes.change_status(
        session, old, "revoke", reason=SUPERSEDED, now=now, actor=actor, signing=signing
    )
    session.add(
        CredentialSuccession(
            predecessor_id=old.id,
            successor_id=new.id,
            reason=data.reason or "corrected",
            actor=actor,
            created_at=now,
        )  # fmt: skip
    )
    slug = context.issuer.slug
    audit_service.record(
        session, actor=actor, action="credential.issued", now=now, issuer_slug=slug,
        credential_id=new.id,
        details={"achievement_id": new.achievement_id, "key": context.active_key.fragment,
                 "reissue_of": old.id},
    )  # fmt: skip
    audit_service.record(
        session, actor=actor, action="credential.reissued", now=now, issuer_slug=slug,
        credential_id=old.id, details={"successor": new.id, "reason": data.reason},
    )  # fmt: skip
    emit_credential_event(session, new, "credential.issued", issuer_slug=slug, now=now)
    predecessor = {"id": old.id, "credential_id": old.document.get("id")}
    emit_credential_event(
        session, new, "credential.reissued", issuer_slug=slug, now=now,
        extra={"predecessor": predecessor, "reason": data.reason},
    )  # fmt: skip
    session.flush()
    return new


def create_bulk_job(
    session: Session, context: IssuerContext, *, signing_key: str | None, reason: str | None,
    now: datetime, actor: str,
) -> IssueJob | None:  # fmt: skip
    """A job re-issuing every live credential signed with a revoked key; None if none is."""
    revoked = select(SigningKey.id).where(
        SigningKey.issuer_id == context.issuer.id, SigningKey.status == KeyStatus.revoked
    )
    if signing_key is not None:
        key = session.scalar(
            select(SigningKey).where(
                SigningKey.issuer_id == context.issuer.id, SigningKey.fragment == signing_key
            )
        )
        if key is None:
            raise NotFound(f"Issuer '{context.issuer.slug}' has no signing key '{signing_key}'.")
        if key.status != KeyStatus.revoked:
            raise Conflict(
                f"Key '{signing_key}' is {key.status}, not revoked; credentials it signed still "
                "verify. Revoke the key first if it was compromised."
            )
        revoked = revoked.where(SigningKey.id == key.id)
    ids = session.scalars(
        select(Credential.id)
        .where(
            Credential.issuer_id == context.issuer.id,
            Credential.signing_key_id.in_(revoked),
            Credential.status.in_((CredentialStatus.active, CredentialStatus.suspended)),
            Credential.achievement_id.is_not(None),
        )
        .order_by(Credential.issued_at, Credential.id)
        .limit(MAX_BULK)
    ).all()
    if not ids:
        return None
    job = IssueJob(
        id=new_id(), issuer_id=context.issuer.id, actor=actor, status=JobStatus.pending,
        kind="reissue",
        total=len(ids), done_count=0, failed_count=0,
        items=[{"credential_id": cid, "reason": reason} for cid in ids], results=[],
        created_at=now,
    )  # fmt: skip
    session.add(job)
    session.flush()
    audit_service.record(
        session, actor=actor, action="credential.bulk_reissue", now=now,
        issuer_slug=context.issuer.slug,
        details={"job_id": job.id, "total": len(ids), "signing_key": signing_key},
    )  # fmt: skip
    return job


def reissue_items(
    session: Session, keyring: KeyRing, context: IssuerContext, items: list[dict[str, Any]], *,
    first_index: int, now: datetime, actor: str, urls: PublicUrls,
    status_sessions: sessionmaker[Session] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """One job chunk: each re-issue in its own savepoint, failures reported per item."""
    results: list[dict[str, Any]] = []
    for offset, item in enumerate(items):
        index = first_index + offset
        old_id = str(item.get("credential_id"))
        request = ReissueRequest(reason=item.get("reason") or "signing key revoked")
        try:
            with session.begin_nested():
                new = reissue(
                    session, keyring, context, old_id, request, now=now, actor=actor,
                    urls=urls, status_sessions=status_sessions,
                )  # fmt: skip
        except (Conflict, NotFound, InvalidInput) as exc:
            error = {"status": exc.status, "title": type(exc).__name__, "detail": exc.detail}
            results.append({"index": index, "replaces": old_id, "error": error})
            continue
        results.append(
            {"index": index, "id": new.id, "url": service.credential_url(urls, new.id),
             "replaces": old_id}
        )  # fmt: skip
    return results
