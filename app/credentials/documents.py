"""Sign and store a credential document that is not an Open Badge of one of our achievements
(a transfer rule, a Comprehensive Learner Record), in the caller's transaction.

Same steps as issuance: a revocation entry, a Data Integrity proof with the issuer's active
key, the same document as a VC-JWT, one ``credential`` row, one audit event. Revoking the row
through the usual status endpoints flips its bit like any credential's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.core.urls import PublicUrls
from app.credentials.models import Credential, CredentialStatus
from app.credentials.service import refuse_control_characters
from app.crypto.cryptosuites import DEFAULT_SUITE_FOR_KEY
from app.crypto.data_integrity import add_proof
from app.crypto.jws import sign_vc_jwt
from app.issuers import service as issuer_service
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.status import service as status_service


def revocation_entry(
    session: Session, context: IssuerContext, *, credential_id: str, urls: PublicUrls, now: datetime
) -> dict[str, Any] | list[dict[str, Any]]:
    return status_service.allocate_entries(
        session,
        context,
        credential_id=credential_id,
        suspendable=False,
        urls=urls,
        now=now,
    )


def sign_and_store(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    unsigned: dict[str, Any],
    *,
    credential_id: str,
    valid_from: datetime,
    valid_until: datetime | None,
    recipient_name: str | None,
    recipient_did: str | None,
    now: datetime,
    actor: str,
    action: str,
) -> Credential:
    """Sign ``unsigned`` (already carrying its status entry) and store it as ``credential_id``."""
    refuse_control_characters(unsigned)
    key = context.active_key
    signed = add_proof(
        unsigned,
        issuer_service.active_signer(keyring, context),
        cryptosuite=DEFAULT_SUITE_FOR_KEY[key.key_type],
        created=now,
    )
    token = sign_vc_jwt(unsigned, issuer_service.jwt_signer(keyring, context), issued_at=now)
    record = Credential(
        id=credential_id,
        issuer_id=context.issuer.id,
        achievement_id=None,
        signing_key_id=key.id,
        recipient_name=recipient_name,
        recipient_did=recipient_did,
        document=signed,
        jwt=token,
        valid_from=valid_from,
        valid_until=valid_until,
        status=CredentialStatus.active,
        # Its own public route serves it; the credential page is made for Open Badges.
        public_page=False,
        issued_at=now,
    )
    session.add(record)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action=action,
        now=now,
        issuer_slug=context.issuer.slug,
        credential_id=credential_id,
        details={"id": unsigned.get("id"), "type": unsigned.get("type")},
    )
    return record
