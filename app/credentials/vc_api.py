"""W3C VC-API (VCALM) issuance: sign a posted credential as the calling key's issuer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.core.clock import parse_datetime
from app.core.ids import new_id
from app.credentials.events import emit_credential_event
from app.credentials.models import Credential
from app.credentials.service import credential_url, refuse_control_characters
from app.crypto.cryptosuites import DEFAULT_SUITE_FOR_KEY
from app.crypto.data_integrity import add_proof
from app.crypto.errors import CryptoError
from app.crypto.jws import sign_vc_jwt
from app.errors import BadRequest, InvalidInput
from app.issuers import service as issuer_service
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.status import service as status_service

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"


class IssueOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    credentialId: str | None = None  # noqa: N815 (VC-API member name)


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credential: dict[str, Any]
    options: IssueOptions = Field(default_factory=IssueOptions)


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _check_shape(credential: dict[str, Any]) -> str:
    contexts = credential.get("@context")
    if not isinstance(contexts, list) or not contexts or contexts[0] not in (V1, V2):
        raise BadRequest(f"credential.@context must be a list starting with {V2} (or {V1}).")
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise BadRequest("credential.type must be a list that includes 'VerifiableCredential'.")
    if not isinstance(credential.get("credentialSubject"), dict | list):
        raise BadRequest("credential.credentialSubject is required.")
    if "proof" in credential:
        raise BadRequest("credential already carries a proof; post the unsecured credential.")
    version: str = contexts[0]
    return version


def _valid_from(credential: dict[str, Any], now: datetime) -> datetime:
    value = credential.get("validFrom") or credential.get("issuanceDate")
    if value is None:
        return now
    try:
        return parse_datetime(str(value))
    except ValueError:
        raise InvalidInput(
            f"'{value}' is not a date-time with a time zone.", field="credential.validFrom"
        ) from None


def issue(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    request: IssueRequest,
    *,
    now: datetime,
    actor: str,
    public_url: str,
) -> dict[str, Any]:
    credential = dict(request.credential)
    refuse_control_characters({"credential": credential})
    version = _check_shape(credential)
    if _issuer_id(credential) != context.did:
        raise BadRequest(
            f"credential.issuer must be {context.did}, the issuer this API key signs for."
        )
    credential_id = new_id()
    if "id" not in credential:
        credential["id"] = request.options.credentialId or credential_url(public_url, credential_id)
    if version == V1 and DATA_INTEGRITY_V2 not in credential["@context"]:
        # The v1 context predates DataIntegrityProof; its terms come from this one.
        credential["@context"] = [*credential["@context"], DATA_INTEGRITY_V2]
    if "credentialStatus" not in credential and version == V2:
        credential["credentialStatus"] = status_service.allocate_entries(
            session, context, credential_id=credential_id, suspendable=False,
            public_url=public_url,
        )  # fmt: skip
    key = context.active_key
    try:
        signed = add_proof(
            credential,
            issuer_service.active_signer(keyring, context),
            cryptosuite=DEFAULT_SUITE_FOR_KEY[key.key_type],
            created=now,
        )
        token = sign_vc_jwt(credential, issuer_service.jwt_signer(keyring, context), issued_at=now)
    except CryptoError as exc:
        raise InvalidInput(f"The credential cannot be signed: {exc}", field="credential") from None
    session.add(
        Credential(
            id=credential_id,
            issuer_id=context.issuer.id,
            achievement_id=None,
            signing_key_id=key.id,
            document=signed,
            jwt=token,
            valid_from=_valid_from(credential, now),
            status="active",
            public_page=False,
            issued_at=now,
        )
    )
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="credential.issued",
        now=now,
        issuer_slug=context.issuer.slug,
        credential_id=credential_id,
        details={"via": "vc-api", "id": credential["id"]},
    )
    record = session.get(Credential, credential_id)  # from the identity map, no query
    assert record is not None
    emit_credential_event(
        session, record, "credential.issued", issuer_slug=context.issuer.slug, now=now
    )
    return signed
