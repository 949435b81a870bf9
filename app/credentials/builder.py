"""Pure: the unsigned OpenBadgeCredential for one award. Time and ids come in as arguments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.clock import isoformat_z

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    # Defines 1EdTechJsonSchemaValidator2019, the type of credentialSchema below.
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
OB_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}


@dataclass(frozen=True)
class Subject:
    name: str | None
    did: str | None
    email_hash: str | None
    salt: str | None


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``sha256$`` + hex SHA-256 of the normalised email and salt."""
    normalised = email.strip().lower()
    return "sha256$" + hashlib.sha256((normalised + salt).encode()).hexdigest()


def build_credential(
    *,
    credential_url: str,
    issuer: dict[str, Any],
    achievement: dict[str, Any],
    subject: Subject,
    valid_from: datetime,
    valid_until: datetime | None,
    credential_status: dict[str, Any] | list[dict[str, Any]],
    results: list[dict[str, Any]],
    credits_earned: float | None,
    evidence: list[dict[str, Any]],
) -> dict[str, Any]:
    credential_subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if subject.did:
        credential_subject["id"] = subject.did
    if subject.name:
        credential_subject["name"] = subject.name
    if subject.email_hash:
        credential_subject["identifier"] = [
            {
                "type": "IdentityObject",
                "hashed": True,
                "identityHash": subject.email_hash,
                "identityType": "emailAddress",
                "salt": subject.salt,
            }
        ]
    credential_subject["achievement"] = achievement
    if results:
        credential_subject["result"] = results
    if credits_earned is not None:
        credential_subject["creditsEarned"] = credits_earned
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement["name"],
        "issuer": issuer,
        "validFrom": isoformat_z(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = isoformat_z(valid_until)
    credential["credentialSubject"] = credential_subject
    if evidence:
        credential["evidence"] = evidence
    credential["credentialStatus"] = credential_status
    credential["credentialSchema"] = [dict(OB_SCHEMA)]
    return credential
