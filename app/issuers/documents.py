"""Public documents of an issuer: did:web DID document, JWKS and the OB 3.0 Profile."""

from __future__ import annotations

from typing import Any

from app.issuers.models import Issuer, KeyStatus, SigningKey

DID_CONTEXTS = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/jwk/v1",
]
PROFILE_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
JWS_ALGORITHMS = {"Ed25519": "EdDSA", "P-256": "ES256"}


def multikey_vm_id(did: str, key: SigningKey) -> str:
    return f"{did}#{key.fragment}"


def jwk_vm_id(did: str, key: SigningKey) -> str:
    return f"{did}#{key.fragment}-jwk"


def published_keys(keys: list[SigningKey]) -> list[SigningKey]:
    """Active and retired keys stay published so old credentials verify; revoked ones go."""
    return [k for k in keys if k.status != KeyStatus.revoked]


def did_document(did: str, keys: list[SigningKey]) -> dict[str, Any]:
    methods: list[dict[str, Any]] = []
    referenced: list[str] = []
    for key in published_keys(keys):
        methods.append(
            {
                "id": multikey_vm_id(did, key),
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": key.public_multikey,
            }
        )
        methods.append(
            {
                "id": jwk_vm_id(did, key),
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": dict(key.public_jwk),
            }
        )
        referenced += [multikey_vm_id(did, key), jwk_vm_id(did, key)]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": referenced,
        "authentication": referenced,
    }


def jwks(did: str, keys: list[SigningKey]) -> dict[str, Any]:
    entries = []
    for key in published_keys(keys):
        entry = dict(key.public_jwk)
        entry.update(kid=jwk_vm_id(did, key), use="sig", alg=JWS_ALGORITHMS[key.key_type])
        entries.append(entry)
    return {"keys": entries}


def profile_document(issuer: Issuer, did: str) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "@context": PROFILE_CONTEXTS,
        "id": did,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
    }
    if issuer.description:
        profile["description"] = issuer.description
    if issuer.image:
        profile["image"] = {"id": issuer.image, "type": "Image"}
    return profile
