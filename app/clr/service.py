"""CLR 2.0 issuance: verify every credential to include, check it names the learner, then
sign one ``ClrCredential`` that carries them with their own proofs.

Nothing unverified goes into a record: a credential that fails verification, or was issued
to someone else, is a 422 naming its place in the request.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from app.clr import builder
from app.clr.schemas import AssociationIn, ClrCreate
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import documents
from app.credentials import service as credential_service
from app.credentials.builder import Subject, identity_hash
from app.credentials.models import Credential
from app.credentials.schemas import Recipient
from app.errors import InvalidInput, NotFound
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.verification.checks import as_list
from app.verification.service import Verifier

CLR_TYPE: Final = "ClrCredential"


def holder_problem(document: Mapping[str, Any], recipient: Recipient) -> str | None:
    """None when the credential's subject is ``recipient``; otherwise why it cannot be tied."""
    subjects = [s for s in as_list(document.get("credentialSubject")) if isinstance(s, Mapping)]
    named = False
    for subject in subjects:
        if isinstance(subject.get("id"), str):
            named = True
            if recipient.did is not None and subject["id"] == recipient.did:
                return None
        for identity in as_list(subject.get("identifier")):
            if not isinstance(identity, Mapping) or identity.get("identityType") != "emailAddress":
                continue
            named = True
            stated = identity.get("identityHash")
            if recipient.email is None or not isinstance(stated, str):
                continue
            email = str(recipient.email)
            salt = identity.get("salt") if isinstance(identity.get("salt"), str) else ""
            expected = identity_hash(email, str(salt)) if identity.get("hashed") else email
            if stated.lower() == expected.lower():
                return None
    if not named:
        return "it does not name its holder (no subject id or email identifier)"
    return "it was issued to someone else than the recipient"


def _stored(session: Session, context: IssuerContext, ident: str, field: str) -> dict[str, Any]:
    try:
        record = credential_service.get_credential(session, ident)
    except NotFound:
        record = None
    if record is None or not (record.issuer_id == context.issuer.id or record.public_page):
        raise InvalidInput(
            f"'{field}': no credential '{ident}' of this issuer or with a public page exists.",
            field=field,
        )
    return dict(record.document)


def included_credentials(
    session: Session,
    context: IssuerContext,
    verifier: Verifier,
    recipient: Recipient,
    *,
    credential_ids: Sequence[str],
    credentials: Sequence[Any],
) -> list[dict[str, Any]]:
    """The documents to include, each verified and about ``recipient``; 422 naming a bad one."""
    found: list[tuple[str, dict[str, Any]]] = [
        (f"credential_ids[{i}]", _stored(session, context, ident, f"credential_ids[{i}]"))
        for i, ident in enumerate(credential_ids)
    ]
    for i, item in enumerate(credentials):
        if not isinstance(item, dict):
            raise InvalidInput(
                f"'credentials[{i}]' must be a JSON-LD credential object with its proof; a "
                "VC-JWT cannot be embedded in a CLR 2.0 record.",
                field=f"credentials[{i}]",
            )
        found.append((f"credentials[{i}]", item))
    seen: set[str] = set()
    kept = []
    for field, document in found:
        report = verifier.credential(document)
        if not report.verified:
            why = report.failed[0].reason if report.failed else "its proof was not checked"
            raise InvalidInput(f"'{field}' did not verify: {why}.", field=field)
        if "proof" not in document:
            raise InvalidInput(f"'{field}' carries no proof of its own.", field=field)
        problem = holder_problem(document, recipient)
        if problem is not None:
            raise InvalidInput(
                f"'{field}' cannot go into this learner's record: {problem}.", field=field
            )
        key = str(document.get("id") or id(document))
        if key not in seen:
            seen.add(key)
            kept.append(document)
    return kept


def _associations(
    associations: Sequence[AssociationIn], achievements: Sequence[Mapping[str, Any]]
) -> list[dict[str, str]]:
    known = {str(a["id"]) for a in achievements}
    out = []
    for i, item in enumerate(associations):
        if item.association_type not in builder.ASSOCIATION_TYPES:
            allowed = ", ".join(sorted(builder.ASSOCIATION_TYPES))
            raise InvalidInput(
                f"'associations[{i}].associationType' must be one of {allowed}.",
                field=f"associations[{i}].associationType",
            )
        for name, value in (("sourceId", item.source_id), ("targetId", item.target_id)):
            if value not in known:
                raise InvalidInput(
                    f"'associations[{i}].{name}' names '{value}', which is not the id of an "
                    "achievement in this record.",
                    field=f"associations[{i}].{name}",
                )
        out.append(
            {
                "associationType": item.association_type,
                "sourceId": item.source_id,
                "targetId": item.target_id,
            }
        )
    return out


def subject_for(recipient: Recipient) -> Subject:
    salt = secrets.token_hex(16) if recipient.email else None
    return Subject(
        name=recipient.name,
        did=recipient.did,
        email_hash=identity_hash(str(recipient.email), salt) if salt else None,
        salt=salt,
    )


def sign_clr(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    recipient: Recipient,
    included: Sequence[Mapping[str, Any]],
    associations: Sequence[Mapping[str, str]],
    *,
    name: str | None,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> Credential:
    """Sign and store a CLR around already verified credentials."""
    clr_id = new_id()
    status = documents.revocation_entry(session, context, credential_id=clr_id, urls=urls, now=now)
    learner = recipient.name or "a learner"
    unsigned = builder.build_clr(
        credential_url=urls.clr(clr_id),
        issuer={"id": context.did, "type": ["Profile"], "name": context.issuer.name},
        subject=subject_for(recipient),
        name=name or f"Comprehensive Learner Record of {learner}",
        credentials=included,
        associations=associations,
        valid_from=now,
        credential_status=status,
    )
    return documents.sign_and_store(
        session,
        keyring,
        context,
        unsigned,
        credential_id=clr_id,
        valid_from=now,
        valid_until=None,
        recipient_name=recipient.name,
        recipient_did=recipient.did,
        now=now,
        actor=actor,
        action="clr.issued",
    )


def issue_clr(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    verifier: Verifier,
    body: ClrCreate,
    *,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> Credential:
    included = included_credentials(
        session,
        context,
        verifier,
        body.recipient,
        credential_ids=body.credential_ids,
        credentials=body.credentials,
    )
    associations = _associations(body.associations, builder.achievements_of(included))
    return sign_clr(
        session,
        keyring,
        context,
        body.recipient,
        included,
        associations,
        name=body.name,
        now=now,
        actor=actor,
        urls=urls,
    )


def get_clr(session: Session, clr_id: str) -> Credential:
    record = session.get(Credential, clr_id) if len(clr_id) <= 36 else None
    if record is None or CLR_TYPE not in as_list(record.document.get("type")):
        raise NotFound(f"No learner record has the id '{clr_id}'.")
    return record


def included_ids(document: Mapping[str, Any]) -> list[str]:
    subject = document.get("credentialSubject")
    items = as_list(subject.get("verifiableCredential")) if isinstance(subject, Mapping) else []
    return [str(item.get("id")) for item in items if isinstance(item, Mapping)]
