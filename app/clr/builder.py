"""Pure: the unsigned ``ClrCredential`` (1EdTech CLR 2.0) around credentials that keep their
own proofs. Time, ids and the status entry come in as arguments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from app.core.clock import isoformat_z
from app.credentials.builder import Subject

CLR_CONTEXT: Final = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CONTEXTS: Final = (
    "https://www.w3.org/ns/credentials/v2",
    CLR_CONTEXT,
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    # Defines 1EdTechJsonSchemaValidator2019, the type of credentialSchema below.
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
)
CLR_SCHEMA: Final = {
    "id": "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
ASSOCIATION_TYPES: Final = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)


def achievements_of(credentials: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The achievements the credentials award, each once (by id), in order."""
    found: dict[str, dict[str, Any]] = {}
    for credential in credentials:
        subjects = credential.get("credentialSubject")
        for subject in subjects if isinstance(subjects, list) else [subjects]:
            achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
            if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
                found.setdefault(achievement["id"], dict(achievement))
    return list(found.values())


def build_clr(
    *,
    credential_url: str,
    issuer: dict[str, Any],
    subject: Subject,
    name: str,
    credentials: Sequence[Mapping[str, Any]],
    associations: Sequence[Mapping[str, str]],
    valid_from: datetime,
    credential_status: dict[str, Any] | list[dict[str, Any]],
) -> dict[str, Any]:
    clr_subject: dict[str, Any] = {"type": ["ClrSubject"]}
    if subject.did:
        clr_subject["id"] = subject.did
    if subject.email_hash:
        clr_subject["identifier"] = [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": subject.email_hash,
                "identityType": "emailAddress",
                "salt": subject.salt,
            }
        ]
    achievements = achievements_of(credentials)
    if achievements:
        clr_subject["achievement"] = achievements
    clr_subject["verifiableCredential"] = [dict(credential) for credential in credentials]
    if associations:
        clr_subject["association"] = [
            {"type": "Association", **dict(association)} for association in associations
        ]
    return {
        "@context": list(CONTEXTS),
        "id": credential_url,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
        "issuer": issuer,
        "validFrom": isoformat_z(valid_from),
        "credentialSubject": clr_subject,
        "credentialStatus": credential_status,
        "credentialSchema": [dict(CLR_SCHEMA)],
    }
