"""Accreditation: trusted accrediting bodies issue signed accreditation credentials to issuers.

An accrediting body is a registered issuer whose DID the operator trusts (through
``LEARNPROOF_TRUSTED_ACCREDITORS`` or ``POST /v1/accreditors``). Its accreditation of an issuer
(``limits``: frameworks with a maximum level, ISCED-F prefixes, qualification types,
jurisdictions; a validity period) is published as a credential it signs, with a revocation
entry, at ``/accreditations/{id}``. Verification reads them back by the accredited DID.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accreditation.models import Accreditation, TrustedAccreditor
from app.accreditation.schemas import (
    AccreditationCreate,
    AccreditationRead,
    AccreditorCreate,
    AccreditorRead,
)
from app.audit import service as audit_service
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import service as credential_service
from app.credentials import vc_api
from app.credentials.models import Credential, CredentialStatus
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.frameworks import service as framework_service
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.issuers.signing import KeyRing

V2: Final = "https://www.w3.org/ns/credentials/v2"
# Our accreditation terms, defined inline so the signature covers every one of them.
ACCREDITATION_CONTEXT: Final = {"@vocab": "urn:learnproof:vocab:accreditation#"}
CREDENTIAL_TYPE: Final = "AccreditationCredential"


@dataclass(frozen=True)
class HeldAccreditation:
    """An accreditation as verification needs it."""

    id: str
    accreditor: str
    accreditor_name: str
    limits: dict[str, Any]
    valid_from: datetime
    valid_until: datetime | None
    revoked: bool
    # An external body's credential, to be verified (status included) whenever it is used.
    credential: dict[str, Any] | None = None


def trusted_accreditors(session: Session, configured: Sequence[str]) -> list[AccreditorRead]:
    stored = session.scalars(select(TrustedAccreditor).order_by(TrustedAccreditor.did))
    found = [AccreditorRead(did=row.did, name=row.name, source="api") for row in stored]
    known = {row.did for row in found}
    found += [AccreditorRead(did=did, name=did, source="setting") for did in configured]
    return [a for a in found if a.source == "api" or a.did not in known]


def add_accreditor(
    session: Session, body: AccreditorCreate, *, actor: str, now: datetime
) -> AccreditorRead:
    if session.get(TrustedAccreditor, body.did) is not None:
        raise Conflict(f"{body.did} is already a trusted accreditor.")
    session.add(TrustedAccreditor(did=body.did, name=body.name, created_at=now))
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"{body.did} is already a trusted accreditor.") from None
    audit_service.record(
        session, actor=actor, action="accreditor.trusted", now=now, details=body.model_dump()
    )
    return AccreditorRead(did=body.did, name=body.name, source="api")


def create_accreditation(
    session: Session,
    keyring: KeyRing,
    slug: str,
    body: AccreditationCreate,
    *,
    actor: str,
    now: datetime,
    urls: PublicUrls,
    configured: Sequence[str],
) -> AccreditationRead:
    """Issue an accreditation as the accrediting body ``slug`` (which must be trusted)."""
    context = issuer_service.load_context(session, slug, urls=urls)
    if context.did not in {a.did for a in trusted_accreditors(session, configured)}:
        raise Forbidden(
            f"Issuer '{slug}' ({context.did}) is not a trusted accrediting body; the operator "
            "adds it with POST /v1/accreditors or LEARNPROOF_TRUSTED_ACCREDITORS."
        )
    if body.accredited_issuer == context.did:
        raise InvalidInput("An accrediting body cannot accredit itself.", field="accredited_issuer")
    if body.valid_until is not None and body.valid_until <= body.valid_from:
        raise InvalidInput("valid_until must be after valid_from.", field="valid_until")
    limits = body.limits.model_dump(exclude_none=True)
    for index, limit in enumerate(body.limits.frameworks or []):
        framework_service.get_level(
            session, limit.framework, limit.max_level, field=f"limits.frameworks[{index}]"
        )
    for index, prefix in enumerate(body.limits.isced_f or []):
        framework_service.get_isced_field(session, prefix, field=f"limits.isced_f[{index}]")
    credential: dict[str, Any] = {
        "@context": [V2, ACCREDITATION_CONTEXT],
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": context.did,
        "validFrom": _iso(body.valid_from),
        "name": f"Accreditation of {body.accredited_issuer} by {context.issuer.name}",
        "credentialSubject": {
            "id": body.accredited_issuer,
            "type": "AccreditedIssuer",
            "accreditation": _limits_json(limits),
        },
    }
    if body.valid_until is not None:
        credential["validUntil"] = _iso(body.valid_until)
    signed = vc_api.issue(
        session,
        keyring,
        context,
        vc_api.IssueRequest(credential=credential),
        now=now,
        actor=actor,
        urls=urls,
    )
    row = Accreditation(
        id=new_id(),
        accreditor_issuer_id=context.issuer.id,
        accreditor_did=context.did,
        accredited_issuer=body.accredited_issuer,
        limits=limits,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        credential_id=str(signed["id"]).rsplit("/", 1)[-1],
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="accreditation.issued",
        now=now,
        issuer_slug=slug,
        details={"accreditation": row.id, "accredited_issuer": body.accredited_issuer},
    )
    return _read(session, row, urls)


def read_accreditation(
    session: Session, accreditation_id: str, *, urls: PublicUrls
) -> AccreditationRead:
    row = session.get(Accreditation, accreditation_id)
    if row is None:
        raise NotFound(f"No accreditation has the id '{accreditation_id}'.")
    return _read(session, row, urls)


def list_accreditations(
    session: Session, slug: str, *, urls: PublicUrls
) -> list[AccreditationRead]:
    issuer = issuer_service.get_issuer(session, slug)
    rows = session.scalars(
        select(Accreditation)
        .where(Accreditation.accreditor_issuer_id == issuer.id)
        .order_by(Accreditation.created_at, Accreditation.id)
    )
    return [_read(session, row, urls) for row in rows]


def held_by(session: Session, did: str, configured: Sequence[str]) -> list[HeldAccreditation]:
    """Accreditations of ``did`` issued by accrediting bodies trusted now, oldest first."""
    trusted = {a.did: a.name for a in trusted_accreditors(session, configured)}
    rows = session.execute(
        select(Accreditation, Credential.status, Issuer.name)
        .outerjoin(Credential, Accreditation.credential_id == Credential.id)
        .outerjoin(Issuer, Accreditation.accreditor_issuer_id == Issuer.id)
        .where(Accreditation.accredited_issuer == did)
        .order_by(Accreditation.created_at, Accreditation.id)
        .limit(100)
    )
    return [
        HeldAccreditation(
            id=row.id,
            accreditor=row.accreditor_did,
            accreditor_name=issuer_name or trusted[row.accreditor_did],
            limits=row.limits,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            revoked=status == CredentialStatus.revoked,
            credential=row.document,
        )
        for row, status, issuer_name in rows
        if row.accreditor_did in trusted
    ]


def register_external(
    session: Session,
    credential: object,
    *,
    actor: str,
    now: datetime,
    urls: PublicUrls,
    configured: Sequence[str],
) -> AccreditationRead:
    """Register an accreditation credential signed by an external trusted body.

    Only its shape is checked here; its proof and status are verified each time a
    verification relies on it, so a later revocation by that body is seen.
    """
    if not isinstance(credential, dict):
        raise InvalidInput("credential must be a JSON object.", field="credential")
    types = credential.get("type")
    if not isinstance(types, list) or CREDENTIAL_TYPE not in types:
        raise InvalidInput(
            f"credential.type must include {CREDENTIAL_TYPE}.", field="credential.type"
        )
    if "proof" not in credential:
        raise InvalidInput("The credential carries no proof.", field="credential.proof")
    issuer = credential.get("issuer")
    did = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(did, str) or not did.startswith("did:"):
        raise InvalidInput("credential.issuer must be a DID.", field="credential.issuer")
    if urls.parse_issuer_did(did) is not None:
        raise InvalidInput(
            "Accreditations by this service's issuers are made with "
            "POST /v1/issuers/{slug}/accreditations.",
            field="credential.issuer",
        )
    trusted = {a.did: a.name for a in trusted_accreditors(session, configured)}
    if did not in trusted:
        raise Forbidden(f"{did} is not a trusted accrediting body.")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or not isinstance(subject.get("id"), str):
        raise InvalidInput(
            "credentialSubject.id must name the accredited issuer.",
            field="credential.credentialSubject",
        )
    try:
        body = AccreditationCreate.model_validate(
            {
                "accredited_issuer": subject["id"],
                "limits": _limits_from_json(subject.get("accreditation", {})),
                "valid_from": credential.get("validFrom"),
                "valid_until": credential.get("validUntil"),
            }
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(
            f"The accreditation cannot be read: {where}: {first['msg']}", field="credential"
        ) from None
    row = Accreditation(
        id=new_id(),
        accreditor_issuer_id=None,
        accreditor_did=did,
        accredited_issuer=body.accredited_issuer,
        limits=body.limits.model_dump(exclude_none=True),
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        credential_id=None,
        document=credential,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="accreditation.registered",
        now=now,
        details={"accreditation": row.id, "accreditor": did, "accredited_issuer": subject["id"]},
    )
    return _read(session, row, urls)


def _limits_from_json(value: object) -> object:
    if not isinstance(value, dict):
        return value
    names = {"iscedF": "isced_f", "qualificationTypes": "qualification_types"}
    limits: dict[str, Any] = {names.get(str(key), str(key)): item for key, item in value.items()}
    frameworks = limits.get("frameworks")
    if isinstance(frameworks, list):
        limits["frameworks"] = [
            {"framework": f.get("framework"), "max_level": f.get("maxLevel")}
            if isinstance(f, dict)
            else f
            for f in frameworks
        ]
    return limits


def _read(session: Session, row: Accreditation, urls: PublicUrls) -> AccreditationRead:
    if row.credential_id is None:
        document = row.document or {}
        status, credential_id = "external", None
    else:
        credential = credential_service.get_credential(session, row.credential_id)
        document, status, credential_id = credential.document, credential.status, credential.id
    return AccreditationRead(
        id=row.id,
        url=urls.accreditation(row.id),
        accreditor=row.accreditor_did,
        accredited_issuer=row.accredited_issuer,
        limits=row.limits,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        status=status,
        credential_id=credential_id,
        credential=document,
    )


def _limits_json(limits: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "frameworks" in limits:
        out["frameworks"] = [
            {"framework": f["framework"], "maxLevel": f["max_level"]} for f in limits["frameworks"]
        ]
    if "isced_f" in limits:
        out["iscedF"] = limits["isced_f"]
    if "qualification_types" in limits:
        out["qualificationTypes"] = limits["qualification_types"]
    if "jurisdiction" in limits:
        out["jurisdiction"] = limits["jurisdiction"]
    return out


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
