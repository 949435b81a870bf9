"""Revoke, suspend and reinstate a credential: flip its bit, record, audit and notify.

This lives next to the credential record (the status package knows list ids and indexes only,
so it need not import credentials back).

Revocation is final (BSL §2.1: ``revocation`` is irreversible); suspension is reversible and
only possible for credentials that carry a ``suspension`` entry. A request changes all its
credentials or none: the credential rows and then the list rows are locked in id order, every
transition is checked, and only then is anything written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.core.urls import PublicUrls
from app.credentials.events import emit_credential_event
from app.credentials.models import Credential, CredentialStatus, document_id
from app.errors import Conflict, InvalidInput, NotFound
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.status import lists
from app.status import service as status_service
from app.status.models import StatusEntry, StatusList

StatusAction = Literal["revoke", "suspend", "reinstate"]
_RESULT: Final[dict[str, str]] = {
    "revoke": CredentialStatus.revoked,
    "suspend": CredentialStatus.suspended,
    "reinstate": CredentialStatus.active,
}
_AUDIT_ACTION: Final[dict[str, str]] = {
    "revoke": "credential.revoked",
    "suspend": "credential.suspended",
    "reinstate": "credential.reinstated",
}


@dataclass(frozen=True)
class StatusTarget:
    """A credential found by id, with the slug of its issuer (what authorisation needs)."""

    credential: Credential
    issuer_slug: str


def _purpose(action: StatusAction) -> lists.Purpose:
    return lists.REVOCATION if action == "revoke" else lists.SUSPENSION


def _transition_problem(credential: Credential, action: StatusAction) -> str | None:
    if credential.status == CredentialStatus.revoked:
        return "is revoked, and revocation is final"
    if action == "suspend" and credential.status == CredentialStatus.suspended:
        return "is already suspended"
    if action == "reinstate" and credential.status != CredentialStatus.suspended:
        return "is not suspended, so there is nothing to reinstate"
    return None


def _bare_id(credential_id: str, urls: PublicUrls) -> str:
    if credential_id.startswith("urn:uuid:"):
        return credential_id.removeprefix("urn:uuid:")
    return urls.parse_credential(credential_id) or credential_id


def by_document_id(credential_id: str, issuer_id: str | None = None) -> Select[Credential]:
    """Credentials whose document ``id`` is ``credential_id`` (ix_credential_document_id)."""
    query = select(Credential).where(document_id(Credential.document) == credential_id)
    if issuer_id is not None:
        query = query.where(Credential.issuer_id == issuer_id)
    return query


def find_credential(session: Session, credential_id: str, *, urls: PublicUrls) -> StatusTarget:
    """A credential by its bare id, its URL id, ``urn:uuid:…``, or its document's ``id``.

    The last form covers VC-API callers that chose their own credential ``id``; it is only
    tried when the primary key finds nothing.
    """
    credential = session.get(Credential, _bare_id(credential_id, urls))
    if credential is None:
        matches = list(session.scalars(by_document_id(credential_id).limit(2)))
        if len(matches) > 1:
            # Two issuers chose the same id: acting on either could be the wrong tenant's.
            raise Conflict(
                f"The id '{credential_id}' names several credentials; use the LearnProof id "
                "(uuid) of the one you mean."
            )
        credential = matches[0] if matches else None
    if credential is None:
        raise NotFound(f"No credential has the id '{credential_id}'.")
    slug = _issuer_slug(session, credential.issuer_id)
    return StatusTarget(credential=credential, issuer_slug=slug)


def find_vc_api_credential(
    session: Session,
    credential_id: str,
    *,
    urls: PublicUrls,
    issuer_slug: str | None,
    purpose: str,
    list_credential: str | None,
) -> StatusTarget:
    """VC-API ``credentialId`` → the one credential it names, among the caller's issuer's.

    Callers may choose their own ids, and two issuers may choose the same one: a key bound to
    an issuer only ever finds that issuer's credentials; for an unbound key an id shared by
    several credentials is refused (409) unless ``statusListCredential`` tells them apart.
    """
    issuer_id = None
    if issuer_slug is not None:
        issuer_id = session.scalar(select(Issuer.id).where(Issuer.slug == issuer_slug))
        if issuer_id is None:
            raise NotFound(f"No issuer has the slug '{issuer_slug}'.")
    found = {c.id: c for c in session.scalars(by_document_id(credential_id, issuer_id).limit(50))}
    own = session.get(Credential, _bare_id(credential_id, urls))
    if own is not None and (issuer_id is None or own.issuer_id == issuer_id):
        found.setdefault(own.id, own)
    candidates = sorted(found.values(), key=lambda c: c.id)
    if len(candidates) > 1 and list_credential is not None:
        narrowed = [
            c for c in candidates if _entry_url(session, c, purpose, urls) == list_credential
        ]
        candidates = narrowed or candidates
    if not candidates:
        raise NotFound(f"No credential of yours has the id '{credential_id}'.")
    if len(candidates) > 1:
        raise Conflict(
            f"The id '{credential_id}' names {len(candidates)} credentials; nothing was changed. "
            "Use the credential's LearnProof id (its uuid), name its statusListCredential, or "
            "use an API key bound to its issuer.",
            extra={"candidates": [c.id for c in candidates]},
        )
    [credential] = candidates
    slug = _issuer_slug(session, credential.issuer_id)
    return StatusTarget(credential=credential, issuer_slug=slug)


def _entry_url(
    session: Session, credential: Credential, purpose: str, urls: PublicUrls
) -> str | None:
    entry = session.get(StatusEntry, (credential.id, purpose))
    if entry is None:
        return None
    status_list = session.get(StatusList, entry.list_id)
    if status_list is None:
        return None
    return lists.list_url(urls, _issuer_slug(session, credential.issuer_id), status_list.public_id)


def _issuer_slug(session: Session, issuer_id: str) -> str:
    # Read once a transaction (finding, changing and re-signing each asked again).
    return issuer_service.get_issuer_by_id(session, issuer_id).slug


def _lock_credentials(
    session: Session, ids: Sequence[str], *, issuer_id: str | None = None
) -> list[Credential]:
    """Lock and re-read the rows in id order, so concurrent changes cannot interleave."""
    query = select(Credential).where(Credential.id.in_(sorted(set(ids))))
    if issuer_id is not None:
        query = query.where(Credential.issuer_id == issuer_id)
    return list(
        session.scalars(
            query.order_by(Credential.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _apply(
    session: Session,
    credentials: Sequence[Credential],
    action: StatusAction,
    issuer_slug: str,
    *,
    reason: str | None,
    now: datetime,
    actor: str,
    signing: status_service.ListSigning | None,
) -> None:
    """Check every transition, then flip the bits: one version bump per list touched."""
    purpose = _purpose(action)
    entries = {
        entry.credential_id: entry
        for entry in session.scalars(
            select(StatusEntry).where(
                StatusEntry.credential_id.in_([c.id for c in credentials]),
                StatusEntry.purpose == purpose,
            )
        )
    }
    problems: list[dict[str, str]] = []
    for credential in credentials:
        problem = _transition_problem(credential, action)
        if problem is None and credential.id not in entries:
            problem = (
                "has no suspension status entry (its achievement is not suspendable)"
                if purpose == lists.SUSPENSION
                else "has no revocation status entry"
            )
        if problem is not None:
            problems.append(
                {"id": credential.id, "detail": f"Credential {credential.id} {problem}."}
            )
    if problems:
        if len(problems) == 1 and len(credentials) == 1:
            raise Conflict(f"Cannot {action}: {problems[0]['detail']}")
        raise Conflict(
            f"Cannot {action} {len(problems)} of {len(credentials)} credentials; nothing was "
            f"changed: {', '.join(p['id'] for p in problems)}.",
            extra={"conflicts": problems},
        )

    by_list: defaultdict[str, list[int]] = defaultdict(list)
    for entry in entries.values():
        by_list[entry.list_id].append(entry.index)
    changed = status_service.set_bits(session, by_list, action != "reinstate")
    if signing is not None:
        # Re-signed here, in the transaction that changed them: readers never write.
        status_service.republish(session, signing, changed, now=now)

    for credential in credentials:
        credential.status = _RESULT[action]
        credential.status_reason = reason
        credential.status_changed_at = now
        audit_service.record(
            session,
            actor=actor,
            action=_AUDIT_ACTION[action],
            now=now,
            issuer_slug=issuer_slug,
            credential_id=credential.id,
            details={"purpose": purpose, "reason": reason},
        )
        emit_credential_event(
            session, credential, _AUDIT_ACTION[action], issuer_slug=issuer_slug, now=now
        )
    session.flush()


def change_status(
    session: Session,
    credential: Credential,
    action: StatusAction,
    *,
    reason: str | None,
    now: datetime,
    actor: str,
    signing: status_service.ListSigning | None = None,
) -> Credential:
    """Revoke, suspend or reinstate one credential; Conflict (409) if the transition is invalid."""
    slug = _issuer_slug(session, credential.issuer_id)
    [locked] = _lock_credentials(session, [credential.id])
    _apply(session, [locked], action, slug, reason=reason, now=now, actor=actor, signing=signing)
    return locked


def bulk_change(
    session: Session,
    slug: str,
    ids: Sequence[str],
    action: StatusAction,
    *,
    reason: str | None,
    now: datetime,
    actor: str,
    signing: status_service.ListSigning | None = None,
) -> list[Credential]:
    """Change many credentials of one issuer at once: all of them, or none (404/409 naming ids)."""
    issuer_id = session.scalar(select(Issuer.id).where(Issuer.slug == slug))
    if issuer_id is None:
        raise NotFound(f"No issuer has the slug '{slug}'.")
    wanted = list(dict.fromkeys(ids))
    locked = _lock_credentials(session, wanted, issuer_id=issuer_id)
    unknown = sorted(set(wanted) - {c.id for c in locked})
    if unknown:
        raise NotFound(
            f"Issuer '{slug}' has no credential with the id {', '.join(unknown)}; nothing was "
            "changed.",
            extra={"unknown_ids": unknown},
        )
    _apply(session, locked, action, slug, reason=reason, now=now, actor=actor, signing=signing)
    order = {credential_id: position for position, credential_id in enumerate(wanted)}
    return sorted(locked, key=lambda c: order[c.id])


def set_status(
    session: Session,
    target: StatusTarget,
    *,
    purpose: str,
    value: bool,
    list_credential: str | None,
    list_index: str | int | None,
    urls: PublicUrls,
    now: datetime,
    actor: str,
    signing: status_service.ListSigning | None = None,
) -> Credential:
    """VC-API ``POST /credentials/status``: set (revoke/suspend) or clear (reinstate) a bit.

    When the caller names the list and index, they must be the credential's own entry.
    """
    if purpose not in (lists.REVOCATION, lists.SUSPENSION):
        raise InvalidInput(
            f"statusPurpose must be 'revocation' or 'suspension', not {purpose!r}.",
            field="credentialStatus.statusPurpose",
        )
    if purpose == lists.REVOCATION and not value:
        raise Conflict("Revocation is final: a revocation status cannot be set back to false.")
    if list_credential is not None or list_index is not None:
        _check_named_entry(session, target, purpose, list_credential, list_index, urls)
    action: StatusAction = (
        "revoke" if purpose == lists.REVOCATION else "suspend" if value else "reinstate"
    )
    return change_status(
        session, target.credential, action, reason=None, now=now, actor=actor, signing=signing
    )


def _check_named_entry(
    session: Session,
    target: StatusTarget,
    purpose: str,
    list_credential: str | None,
    list_index: str | int | None,
    urls: PublicUrls,
) -> None:
    entry = session.get(StatusEntry, (target.credential.id, purpose))
    if entry is None:
        return  # change_status reports the missing entry with its usual message
    status_list = session.get(StatusList, entry.list_id)
    assert status_list is not None, "the foreign key guarantees the list exists"
    url = lists.list_url(urls, target.issuer_slug, status_list.public_id)
    if list_credential not in (None, url) or (
        list_index is not None and str(list_index) != str(entry.index)
    ):
        raise InvalidInput(
            f"The credential's {purpose} entry is index {entry.index} of {url}; the request "
            "names another.",
            field="credentialStatus",
        )
