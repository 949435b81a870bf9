"""Fill a served worker's process-wide caches before it takes its first request.

The first credential a process signs or verifies processes every vendored JSON-LD context,
builds the JSON Schema validators and the canonicalization template of its shape; a worker
paid that on its first request (with the pools' first connections, about a third of that
request: README "Figures", afternoon). Here one sample credential, shaped as the service
builds them, is checked, signed both ways and verified both ways with a throw-away key,
before the worker serves and before its start-up heap is frozen, so what it fills is frozen
with the rest.

It is also a self-test: a process that cannot verify what it has just signed refuses to
start rather than issue credentials nobody can verify.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core.urls import PublicUrls
from app.credentials import validation
from app.credentials.builder import Subject, build_credential, identity_hash
from app.crypto.cryptosuites import DEFAULT_SUITE_FOR_KEY
from app.crypto.data_integrity import add_proof, list_proofs, verify_proof
from app.crypto.jws import sign_vc_jwt, verify_jws
from app.crypto.keys import generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner
from app.verification.structure import check_structure


class WarmUpFailed(RuntimeError):
    """The sample credential did not verify: this process would issue broken credentials."""


def warm_caches(urls: PublicUrls, now: datetime) -> None:
    """Check, sign and verify one sample credential; raise `WarmUpFailed` if it fails."""
    private_key = generate_private_key("Ed25519")
    public_key = private_key.public_key()
    did = did_key_for(public_key)
    signer = LocalSigner(private_key, f"{did}#{did.removeprefix('did:key:')}")
    unsigned = _sample(urls, did, now)
    validation.refuse_invalid(unsigned)
    signed = add_proof(unsigned, signer, cryptosuite=DEFAULT_SUITE_FOR_KEY["Ed25519"], created=now)
    proofs = list_proofs(signed)
    proof = (
        verify_proof(signed, proofs[0], public_key, expected_purpose="assertionMethod", now=now)
        if proofs
        else None
    )
    token = sign_vc_jwt(unsigned, signer, issued_at=now)
    jwt = verify_jws(token, lambda _header, _payload: public_key, now=now)
    failed = [check for check in check_structure(signed) if check.outcome == "failed"]
    if proof is None or not proof.verified or not jwt.verified or failed:
        reasons = [
            "no proof" if proof is None else proof.reason,
            jwt.reason,
            *(check.reason for check in failed),
        ]
        raise WarmUpFailed(
            "the start-up self-test could not verify a credential it had just signed: "
            + "; ".join(reason for reason in reasons if reason)
        )


def _sample(urls: PublicUrls, did: str, now: datetime) -> dict[str, Any]:
    """An unsigned credential with every part a single issuance usually has: an achievement
    with a framework level and a skill, a hashed email, a result, credits and a status."""
    base = urls.base
    achievement_url = urls.achievement("warm-up", "1")
    status_url = urls.status_list("warm-up", "1")
    achievement = {
        "id": achievement_url,
        "type": ["Achievement"],
        "name": "Warm-up",
        "description": "A credential signed and verified once at start-up.",
        "criteria": {"narrative": "None."},
        "achievementType": "Certificate",
        "creditsAvailable": 5,
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": "EQF level 5",
                "targetCode": "5",
                "targetFramework": "European Qualifications Framework",
                "targetType": "ext:QualificationFrameworkLevel",
                "targetUrl": urls.level("eqf", "5"),
            },
            {
                "type": ["Alignment"],
                "targetName": "Warming up",
                "targetType": "ceasn:Competency",
                "targetUrl": f"{achievement_url}#skill-1",
            },
        ],
    }
    return build_credential(
        credential_url=urls.credential("warm-up"),
        issuer={"id": did, "type": ["Profile"], "name": "Warm-up", "url": base},
        achievement=achievement,
        subject=Subject(
            name="Warm-up",
            did=None,
            email_hash=identity_hash("warm-up@example.org", "00"),
            salt="00",
        ),
        valid_from=now,
        valid_until=None,
        credential_status={
            "id": f"{status_url}#0",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "0",
            "statusListCredential": status_url,
        },
        results=[{"type": ["Result"], "status": "Completed"}],
        credits_earned=5,
        evidence=[],
    )
