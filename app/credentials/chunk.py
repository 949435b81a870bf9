"""Batch issuance, a chunk at a time: what is the same for every item is done once.

Issuing items one by one (``service.issue_credential`` in a savepoint each) spends most of
its time outside signing (see README, "Where the time goes"): the achievement document is
rebuilt from the database for every item, every credential locks and rewrites its status list
row, and every item pays a savepoint, a replay lookup and a flush of its own. Here a chunk:

1. validates every item and looks up all replays (``external_id``) in one query;
2. builds each achievement document once, and derives the signers once;
3. reserves the status indexes of the whole chunk under one lock per list;
4. builds and signs each credential (a failing item is reported and skipped: nothing of it
   has been written yet);
5. writes the credentials and status entries in one flush (multi-row INSERTs) inside one
   savepoint, and queues the audit events, which the audit log chains at commit together.

If that one flush fails on a unique constraint (a concurrent request used the same
``external_id``), the savepoint is rolled back and the remaining items take the one-by-one
path, which replays or reports each as before. Results are identical in shape to the
one-by-one path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.achievements import service as achievement_service
from app.achievements.models import Achievement
from app.audit import service as audit_service
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import service, validation
from app.credentials.builder import build_credential
from app.credentials.events import emit_credential_event
from app.credentials.models import Credential
from app.credentials.schemas import CredentialCreate
from app.crypto.cryptosuites import DEFAULT_SUITE_FOR_KEY
from app.crypto.data_integrity import add_proof
from app.crypto.jws import sign_vc_jwt
from app.errors import AppError, Conflict
from app.issuers import service as issuer_service
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.status import lists
from app.status import service as status_service
from app.status.models import StatusEntry

log = logging.getLogger("learnproof.jobs")


def error(
    status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    problem: dict[str, Any] = {"status": status, "title": title, "detail": detail}
    if errors:
        problem["errors"] = errors
    return problem


def _app_error(index: int, exc: AppError) -> dict[str, Any]:
    return {"index": index, "error": error(exc.status, type(exc).__name__, exc.detail)}


def _unexpected(index: int) -> dict[str, Any]:
    # One unexpected failure must not sink the other items (or poison a job).
    log.exception("unexpected error issuing batch item %s", index)
    detail = "An unexpected error occurred issuing this item; it was not issued."
    return {"index": index, "error": error(500, "Internal Server Error", detail)}


def validate(index: int, raw: dict[str, Any]) -> CredentialCreate | dict[str, Any]:
    """The item as a request, or its 422 result."""
    try:
        return CredentialCreate.model_validate(raw)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(map(str, e["loc"])), "message": str(e["msg"])} for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
        return {"index": index, "error": error(422, "Unprocessable Content", summary, errors)}


@dataclass
class _Item:
    index: int
    data: CredentialCreate
    fingerprint: str
    achievement: Achievement
    document: dict[str, Any]
    # Fixed before signing, so that a repeat of the same external_id can name it.
    credential_id: str


@dataclass
class _Signed:
    item: _Item
    record: Credential
    entries: list[StatusEntry]


def _replayed(index: int, credential_id: str, urls: PublicUrls) -> dict[str, Any]:
    url = service.credential_url(urls, credential_id)
    return {"index": index, "id": credential_id, "url": url, "replayed": True}


def _conflict(external_id: str, credential_id: str) -> Conflict:
    return Conflict(
        f"external_id '{external_id}' was already used for a different credential "
        f"({credential_id}); use a new key for a new request."
    )


def issue_chunk(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    items: list[dict[str, Any]],
    *,
    first_index: int,
    now: datetime,
    actor: str,
    urls: PublicUrls,
    status_sessions: sessionmaker[Session] | None = None,
) -> list[dict[str, Any]]:
    """Issue ``items`` in the caller's transaction; one result per item, in item order."""
    issuer = context.issuer
    results: dict[int, dict[str, Any]] = {}
    requests: list[tuple[int, CredentialCreate, str]] = []
    for offset, raw in enumerate(items):
        index = first_index + offset
        checked = validate(index, raw)
        if isinstance(checked, dict):
            results[index] = checked
            continue
        try:
            body = checked.model_dump(mode="json")
            service.refuse_control_characters(body)
        except AppError as exc:
            results[index] = _app_error(index, exc)
            continue
        requests.append((index, checked, service.request_fingerprint(body)))

    # Replays: every external id of the chunk in one query; repeats inside the chunk replay
    # the first occurrence, as they would one by one.
    external_ids = {data.external_id for _, data, _ in requests if data.external_id is not None}
    known: dict[str, tuple[str, str | None]] = {}
    if external_ids:
        rows = session.execute(
            select(Credential.external_id, Credential.id, Credential.request_hash).where(
                Credential.issuer_id == issuer.id, Credential.external_id.in_(external_ids)
            )
        )
        known = {ext: (ident, fingerprint) for ext, ident, fingerprint in rows if ext}

    achievements: dict[str, tuple[Achievement, dict[str, Any]] | AppError] = {}
    fresh: list[_Item] = []
    leaders: dict[str, _Item] = {}
    repeats: list[tuple[int, CredentialCreate, str]] = []
    for index, data, fingerprint in requests:
        ext = data.external_id
        if ext is not None and ext in leaders:
            repeats.append((index, data, fingerprint))
            continue
        if ext is not None and ext in known:
            ident, stored = known[ext]
            results[index] = (
                _replayed(index, ident, urls)
                if stored == fingerprint
                else _app_error(index, _conflict(ext, ident))
            )
            continue
        cached = achievements.get(data.achievement_id)
        if cached is None:
            try:
                record = achievement_service.get_achievement(session, issuer, data.achievement_id)
                document = achievement_service.achievement_document(
                    session, issuer, record, urls=urls
                )
                cached = (record, document)
            except AppError as exc:
                cached = exc
            achievements[data.achievement_id] = cached
        if isinstance(cached, AppError):
            results[index] = _app_error(index, cached)
            continue
        item = _Item(index, data, fingerprint, *cached, credential_id=new_id())
        if ext is not None:
            leaders[ext] = item
        fresh.append(item)

    signed = _sign_all(
        session, keyring, context, fresh, results, now=now, urls=urls,
        status_sessions=status_sessions,
    )  # fmt: skip
    _store(
        session, keyring, context, signed, results, now=now, actor=actor,
        urls=urls, status_sessions=status_sessions,
    )  # fmt: skip
    for index, data, _fingerprint in repeats:
        # Repeats of an external_id met earlier in the chunk: once their first occurrence
        # is stored, the one-by-one path replays (or refuses) them as a retry.
        results[index] = _one_by_one(
            session, keyring, context, index, data, now=now, actor=actor,
            urls=urls, status_sessions=status_sessions,
        )  # fmt: skip
    return [results[first_index + offset] for offset in range(len(items))]


def _one_by_one(
    session: Session, keyring: KeyRing, context: IssuerContext, index: int,
    data: CredentialCreate, *, now: datetime, actor: str, urls: PublicUrls,
    status_sessions: sessionmaker[Session] | None,
) -> dict[str, Any]:  # fmt: skip
    """One item through ``service.issue_credential`` in a savepoint of its own."""
    try:
        with session.begin_nested():
            issued = service.issue_credential(
                session, keyring, context, data, idempotency_key=None, now=now,
                actor=actor, urls=urls, status_sessions=status_sessions,
            )  # fmt: skip
    except AppError as exc:
        return _app_error(index, exc)
    except Exception:
        return _unexpected(index)
    url = service.credential_url(urls, issued.record.id)
    return {"index": index, "id": issued.record.id, "url": url, "replayed": issued.replayed}


def _sign_all(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    fresh: list[_Item],
    results: dict[int, dict[str, Any]],
    *,
    now: datetime,
    urls: PublicUrls,
    status_sessions: sessionmaker[Session] | None,
) -> list[_Signed]:
    if not fresh:
        return []
    try:
        revocation = status_service.reserve_indexes(
            session, context, lists.REVOCATION, len(fresh), urls=urls, now=now,
            reserve_with=status_sessions,
        )  # fmt: skip
        suspension = status_service.reserve_indexes(
            session, context, lists.SUSPENSION, sum(1 for i in fresh if i.achievement.suspendable),
            urls=urls, now=now, reserve_with=status_sessions,
        )  # fmt: skip
    except AppError as exc:
        for item in fresh:
            results[item.index] = _app_error(item.index, exc)
        return []
    key = context.active_key
    signer = issuer_service.active_signer(keyring, context)
    jwt_signer = issuer_service.jwt_signer(keyring, context)
    cryptosuite = DEFAULT_SUITE_FOR_KEY[key.key_type]
    issuer = context.issuer
    profile = {"id": context.did, "type": ["Profile"], "name": issuer.name, "url": issuer.url}
    suspension_slots = iter(suspension)
    signed: list[_Signed] = []
    for item, (list_id, list_url, list_index) in zip(fresh, revocation, strict=True):
        credential_id = item.credential_id
        entries = [
            StatusEntry(
                credential_id=credential_id, purpose=lists.REVOCATION, list_id=list_id,
                index=list_index,
            )
        ]  # fmt: skip
        revocation_entry = status_service.status_entry(list_url, lists.REVOCATION, list_index)
        status: dict[str, Any] | list[dict[str, Any]] = revocation_entry
        if item.achievement.suspendable:
            s_list_id, s_url, s_index = next(suspension_slots)
            entries.append(
                StatusEntry(
                    credential_id=credential_id, purpose=lists.SUSPENSION, list_id=s_list_id,
                    index=s_index,
                )
            )  # fmt: skip
            status = [
                revocation_entry,
                status_service.status_entry(s_url, lists.SUSPENSION, s_index),
            ]
        try:
            record = _sign_one(
                item, credential_id, status, profile, signer, jwt_signer, cryptosuite,
                issuer_id=issuer.id, signing_key_id=key.id, now=now, urls=urls,
            )  # fmt: skip
        except AppError as exc:
            results[item.index] = _app_error(item.index, exc)
            continue
        except Exception:
            results[item.index] = _unexpected(item.index)
            continue
        signed.append(_Signed(item, record, entries))
    return signed


def _sign_one(
    item: _Item, credential_id: str, status: dict[str, Any] | list[dict[str, Any]],
    profile: dict[str, Any], signer: Any, jwt_signer: Any, cryptosuite: str, *,
    issuer_id: str, signing_key_id: str, now: datetime, urls: PublicUrls,
) -> Credential:  # fmt: skip
    data = item.data
    # The same draft as a single request (claims checked, validity from valid_for) ...
    draft = service.make_draft(item.document, item.achievement, data, now=now)
    subject = draft.subject
    unsigned = build_credential(
        credential_url=service.credential_url(urls, credential_id),
        # Each credential gets its own copies: nothing signed may share mutable parts.
        issuer=dict(profile),
        achievement=draft.achievement,
        subject=subject,
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
        credential_status=status,
        results=draft.results,
        credits_earned=draft.credits_earned,
        evidence=draft.evidence,
    )
    # ... and the same rules as the verifier's: nothing is signed that would fail.
    validation.refuse_invalid(unsigned)
    # add_proof signs and returns a deep copy, so the shared achievement document is safe.
    document = add_proof(unsigned, signer, cryptosuite=cryptosuite, created=now)
    token = sign_vc_jwt(unsigned, jwt_signer, issued_at=now)
    return service.issued_record(
        draft, credential_id=credential_id, issuer_id=issuer_id,
        achievement_id=item.achievement.id, signing_key_id=signing_key_id,
        idempotency_key=None, request_hash=item.fingerprint, document=document, jwt=token,
        now=now,
    )  # fmt: skip


def _store(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    signed: list[_Signed],
    results: dict[int, dict[str, Any]],
    *,
    now: datetime,
    actor: str,
    urls: PublicUrls,
    status_sessions: sessionmaker[Session] | None,
) -> None:
    if not signed:
        return
    issuer = context.issuer
    fragment = context.active_key.fragment
    try:
        with session.begin_nested():
            # Credentials first, then their status entries (foreign key): two multi-row
            # INSERTs for the chunk.
            session.add_all([s.record for s in signed])
            session.flush()
            session.add_all([entry for s in signed for entry in s.entries])
            session.flush()
            for s in signed:
                audit_service.record(
                    session, actor=actor, action="credential.issued", now=now,
                    issuer_slug=issuer.slug, credential_id=s.record.id,
                    details={"achievement_id": s.record.achievement_id, "key": fragment},
                )  # fmt: skip
                emit_credential_event(
                    session, s.record, "credential.issued", issuer_slug=issuer.slug, now=now
                )
    except IntegrityError:
        # A concurrent request took one of these external ids: fall back to one by one,
        # which replays or reports each item exactly as a single request would. (The
        # savepoint's rollback has expunged this chunk's rows; their reserved status indexes
        # stay unused.)
        for s in signed:
            results[s.item.index] = _one_by_one(
                session, keyring, context, s.item.index, s.item.data, now=now, actor=actor,
                urls=urls, status_sessions=status_sessions,
            )  # fmt: skip
        return
    for s in signed:
        index = s.item.index
        url = service.credential_url(urls, s.record.id)
        results[index] = {"index": index, "id": s.record.id, "url": url, "replayed": False}
