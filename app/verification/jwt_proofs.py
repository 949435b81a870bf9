"""Proof checks of VC-JOSE-COSE JWTs: the signature, and whose key made it (a DID's
verification method, or a key in the issuer's JWT metadata).

Pure apart from the injected `KeySource` (the resolver), like `proofs.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from app.crypto.errors import KeyFormatError
from app.crypto.jws import verify_jws
from app.crypto.keys import PublicKey, public_key_from_jwk
from app.verification.checks import as_list, issuer_id
from app.verification.credential_input import CredentialInput
from app.verification.did_documents import ResolutionError, VerificationMethod, split_url
from app.verification.proofs import KeySource, check_binding
from app.verification.report import CRYPTOGRAPHIC_SECURITY_ERROR, Check

JWT_ALGORITHMS: Final = ("EdDSA", "ES256", "RS256")


def _jwt_owner(payload: Mapping[str, Any]) -> Any:
    if "VerifiablePresentation" in as_list(payload.get("type")):
        holder = payload.get("holder")
        return holder.get("id") if isinstance(holder, Mapping) else holder
    return issuer_id(payload)


class _JwtKeys:
    """The key lookup handed to `verify_jws`; remembers where the key came from."""

    def __init__(self, keys: KeySource) -> None:
        self.keys = keys
        self.method: VerificationMethod | None = None
        self.jwks_source: str | None = None
        self.error: str | None = None

    def __call__(self, header: Mapping[str, Any], payload: Mapping[str, Any]) -> PublicKey:
        try:
            return self._lookup(header, payload)
        except ResolutionError as error:
            self.error = str(error)
            raise

    def _lookup(self, header: Mapping[str, Any], payload: Mapping[str, Any]) -> PublicKey:
        kid, owner = header.get("kid"), _jwt_owner(payload)
        if not isinstance(owner, str) or not owner:
            raise ResolutionError("the JWT names no issuer")
        if isinstance(kid, str) and kid.startswith("#"):
            kid = owner + kid
        if isinstance(kid, str) and kid.startswith("did:"):
            if split_url(kid)[0] != owner:
                raise ResolutionError(f"kid {kid} is not a key of {owner}")
            self.method = self.keys.verification_method(kid)
            return self.method.public_key
        if kid is None and owner.startswith("did:key:"):
            self.method = self.keys.verification_method(owner)
            return self.method.public_key
        if owner.startswith("did:"):
            raise ResolutionError(f"the JWT header has no kid naming a key of {owner}")
        matching = [k for k in self.keys.issuer_jwks(owner) if kid is None or k.get("kid") == kid]
        if len(matching) != 1:
            raise ResolutionError(f"{owner} publishes no single key with kid {kid!r}")
        try:
            key = public_key_from_jwk(matching[0])
        except KeyFormatError as error:
            raise ResolutionError(f"the issuer's key {kid!r} is unusable: {error}") from None
        self.jwks_source = owner
        return key


def check_jwt(
    parsed: CredentialInput, keys: KeySource, *, now: datetime, skew: timedelta, purpose: str
) -> list[Check]:
    """`proof` and `key_binding` checks of a VC-JOSE-COSE compact JWS."""
    header, payload = parsed.header or {}, parsed.document or {}
    if "vc" in payload and str(header.get("typ", "JWT")).lower() in ("jwt", "application/jwt"):
        reason = "this is a VC DM 1.1 JWT (the credential sits in a 'vc' claim); LearnProof "
        reason += "verifies VC-JOSE-COSE JWTs, whose payload is the credential itself"
        return [
            Check("proof", "failed", f"unsupported format: {reason}", CRYPTOGRAPHIC_SECURITY_ERROR),
            Check("key_binding", "skipped", "unsupported format"),
        ]
    lookup = _JwtKeys(keys)
    result = verify_jws(
        parsed.token or "", lookup, allowed_algs=JWT_ALGORITHMS, now=now, leeway=skew
    )
    alg = header.get("alg")
    if result.verified:
        proof_check = Check("proof", "passed", f"the JWT signature ({alg}) is valid")
    else:
        reason = f"the JWT is not valid: {result.reason}"
        proof_check = Check("proof", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR)
    role = "holder" if purpose == "authentication" else "issuer"
    if lookup.method is not None:
        binding = check_binding(
            lookup.method, owner=_jwt_owner(payload), purpose=purpose, role=role
        )
    elif lookup.jwks_source is not None:
        reason = f"the key {header.get('kid')} is published in the JWT issuer metadata of "
        binding = Check("key_binding", "passed", reason + lookup.jwks_source)
    elif lookup.error is not None:
        reason = f"no key of the {role} could be used: {lookup.error}"
        binding = Check("key_binding", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR)
    else:
        binding = Check("key_binding", "skipped", "the JWT was refused before its key was sought")
    return [proof_check, binding]
