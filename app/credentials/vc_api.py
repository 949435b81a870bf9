"""W3C VC-API (VCALM) issuance: sign a posted credential as the calling key's issuer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.core.clock import parse_datetime
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import validation
from app.credentials.events import emit_credential_event
from app.credentials.lifecycle import by_document_id
from app.credentials.models import Credential, CredentialStatus
from app.credentials.service import credential_url, refuse_control_characters
from app.crypto.cryptosuites import CRYPTOSUITES, DEFAULT_SUITE_FOR_KEY
from app.crypto.data_integrity import add_proof
from app.crypto.errors import CryptoError
from app.crypto.jws import sign_vc_jwt
from app.errors import BadRequest, Conflict, InvalidInput
from app.issuers import service as issuer_service
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.status import lists
from app.status import service as status_service
from app.status.allocation import ENTRY_TYPE
from app.verification.checks import as_list, check_contexts
from app.verification.structure import is_open_badge

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
JWT_FORMAT = "application/vc+jwt"
LD_FORMATS = ("application/vc", "application/vc+ld+json", "application/ld+json")
ENVELOPED = "EnvelopedVerifiableCredential"


class IssueOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    credentialId: str | None = Field(default=None, max_length=2000)  # noqa: N815 (VC-API name)
    cryptosuite: str | None = Field(default=None, max_length=100)
    format: str | None = Field(default=None, max_length=100)


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


def suites_for(key_type: str) -> list[str]:
    """The Data Integrity cryptosuites a key of this type can produce, the default first."""
    default = DEFAULT_SUITE_FOR_KEY[key_type]
    others = sorted(n for n, s in CRYPTOSUITES.items() if key_type in s.key_types and n != default)
    return [default, *others]


def _cryptosuite(options: IssueOptions, key_type: str) -> str:
    allowed = suites_for(key_type)
    if options.cryptosuite is None:
        return allowed[0]
    if options.cryptosuite not in allowed:
        raise InvalidInput(
            f"options.cryptosuite {options.cryptosuite!r} cannot be made with this issuer's "
            f"{key_type} key; use one of: {', '.join(allowed)}.",
            field="options.cryptosuite",
            extra={"allowed": allowed},
        )
    return options.cryptosuite


def _format(options: IssueOptions) -> str:
    if options.format is None or options.format in LD_FORMATS:
        return "ld"
    if options.format == JWT_FORMAT:
        return "jwt"
    raise InvalidInput(
        f"options.format {options.format!r} is not supported; use {JWT_FORMAT} for an "
        "enveloped VC-JWT, or omit it for a Data Integrity proof.",
        field="options.format",
    )


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


def _own_space(urls: PublicUrls, value: str) -> bool:
    # Scheme and host are case-insensitive; refusing a differently-cased path too is harmless.
    base, candidate = urls.base.lower(), value.strip().lower()
    return candidate == base or candidate.startswith((base + "/", base + "?", base + "#"))


def _check_caller_id(
    session: Session, context: IssuerContext, caller_id: str, *, field: str, urls: PublicUrls
) -> None:
    """A caller-chosen id may not sit in our URL space, nor repeat one of this issuer's ids.

    Ours are minted here (``{PUBLIC_URL}/credentials/{uuid}``): a caller id there would claim
    a page and a lookup key that belong to another credential, maybe another tenant's.
    """
    if _own_space(urls, caller_id):
        raise InvalidInput(
            f"{field} {caller_id!r} is inside this service's own URL space ({urls.base}); "
            "such ids are assigned here. Omit the id to get one, or use your own URL or a "
            "urn:uuid.",
            field=field,
        )
    clash = session.scalar(
        by_document_id(caller_id, context.issuer.id).with_only_columns(Credential.id).limit(1)
    )
    if clash is not None:
        raise Conflict(
            f"This issuer already has a credential with the id {caller_id!r} ({clash}); "
            "credential ids must be unique, or status updates could not tell them apart."
        )


SUPPORTED_PURPOSES = (lists.REVOCATION, lists.SUSPENSION)


def _caller_status(credential: dict[str, Any], version: str) -> tuple[list[Any], bool]:
    """The caller's status entries to keep, and whether a suspension entry was asked for.

    Bitstring entries are replaced by ours (allocated on this issuer's own lists, so that
    ``POST /credentials/status`` can change them and no other credential's bit is reused);
    entries of other types are kept as they are, beside our revocation entry.
    """
    if "credentialStatus" not in credential:
        return [], False
    value = credential["credentialStatus"]
    kept, suspension = [], False
    for position, entry in enumerate(as_list(value)):
        where = "credential.credentialStatus" + (f".{position}" if isinstance(value, list) else "")
        if not (isinstance(entry, dict) and ENTRY_TYPE in as_list(entry.get("type"))):
            kept.append(entry)
            continue
        if version == V1:
            raise InvalidInput(
                f"{ENTRY_TYPE} is a VC DM 2.0 term; issue a VC DM 2.0 credential to give it "
                "a status.",
                field=where,
            )
        purpose = entry.get("statusPurpose")
        if purpose not in SUPPORTED_PURPOSES:
            raise InvalidInput(
                f"statusPurpose {purpose!r} is not one this service manages; use "
                f"{' or '.join(SUPPORTED_PURPOSES)} (the entry is then allocated on the "
                "issuer's own status list).",
                field=f"{where}.statusPurpose",
            )
        index = int(entry["statusListIndex"])  # validation checked it is a decimal string
        if index >= lists.LIST_SIZE:
            raise InvalidInput(
                f"statusListIndex {index} is outside the status list ({lists.LIST_SIZE} entries).",
                field=f"{where}.statusListIndex",
            )
        suspension = suspension or purpose == lists.SUSPENSION
    return kept, suspension


def issue(
    session: Session,
    keyring: KeyRing,
    context: IssuerContext,
    request: IssueRequest,
    *,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> dict[str, Any]:
    """Sign the posted credential; the VC-API answer's ``verifiableCredential``."""
    credential = dict(request.credential)
    refuse_control_characters({"credential": credential})
    version = _check_shape(credential)
    if _issuer_id(credential) != context.did:
        raise BadRequest(
            f"credential.issuer must be {context.did}, the issuer this API key signs for."
        )
    key = context.active_key
    cryptosuite = _cryptosuite(request.options, key.key_type)
    output = _format(request.options)
    credential_id = new_id()
    if "id" in credential:
        if isinstance(credential["id"], str):
            _check_caller_id(session, context, credential["id"], field="credential.id", urls=urls)
    elif request.options.credentialId is not None:
        _check_caller_id(
            session,
            context,
            request.options.credentialId,
            field="options.credentialId",
            urls=urls,
        )
        credential["id"] = request.options.credentialId
    else:
        credential["id"] = credential_url(urls, credential_id)
    if version == V1 and DATA_INTEGRITY_V2 not in credential["@context"]:
        # The v1 context predates DataIntegrityProof; its terms come from this one.
        credential["@context"] = [*credential["@context"], DATA_INTEGRITY_V2]
    validation.refuse_invalid(credential)
    kept, suspendable = _caller_status(credential, version)
    if version == V2:
        ours = status_service.allocate_entries(
            session, context, credential_id=credential_id, suspendable=suspendable,
            urls=urls, now=now,
        )  # fmt: skip
        entries = [*kept, *as_list(ours)]
        credential["credentialStatus"] = entries[0] if len(entries) == 1 else entries
        validation.refuse_invalid(credential)
    if CRYPTOSUITES[cryptosuite].transform == "jcs":
        # JCS signs the JSON as it is: make sure every term means something, as RDFC would.
        contexts = check_contexts(credential)
        if contexts.outcome == "failed":
            raise InvalidInput(
                f"The credential cannot be signed: {contexts.reason}.", field="credential"
            )
    try:
        signed = add_proof(
            credential,
            issuer_service.active_signer(keyring, context),
            cryptosuite=cryptosuite,
            created=now,
            # Open Badges 3.0 wants a proof array; Data Integrity's usual form is one object.
            as_array=is_open_badge(credential),
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
            status=CredentialStatus.active,
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
        details={"via": "vc-api", "id": credential["id"], "cryptosuite": cryptosuite},
    )
    record = session.get(Credential, credential_id)  # from the identity map, no query
    assert record is not None
    emit_credential_event(
        session, record, "credential.issued", issuer_slug=context.issuer.slug, now=now
    )
    if output == "jwt":
        return {"@context": [V2], "type": ENVELOPED, "id": f"data:{JWT_FORMAT},{token}"}
    return signed
