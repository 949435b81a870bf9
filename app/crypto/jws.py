"""VC-JOSE-COSE: a credential secured as a compact JWS (`typ: vc+jwt`).

The payload is the credential itself (VC-JOSE-COSE §3.1.1) plus `iss`, `jti`, `sub` and `iat`.
Verification takes the key from a caller-supplied lookup (by `kid` / `iss`) and never from
the token: `jwk`, `jku`, `x5u`, `x5c` headers are refused outright, as are `none`, HMAC and
`crit`. Signing goes through a `Signer`, so keys need not live in this process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from app.crypto.encoding import b64url_decode, b64url_encode
from app.crypto.errors import EncodingError, KeyFormatError, ProofGenerationError
from app.crypto.keys import PublicKey, key_type_of
from app.crypto.signer import Signer

KeyLookup = Callable[[Mapping[str, Any], Mapping[str, Any]], PublicKey | None]

DEFAULT_ALGORITHMS: Final = ("EdDSA", "ES256", "ES384", "RS256")
# The key type each algorithm needs, so a key can never be used with a foreign algorithm.
_ALGORITHM_KEYS: Final[Mapping[str, str]] = {
    "EdDSA": "Ed25519",
    "ES256": "P-256",
    "ES384": "P-384",
    "RS256": "RSA",
    "RS384": "RSA",
    "RS512": "RSA",
    "PS256": "RSA",
    "PS384": "RSA",
    "PS512": "RSA",
}
_KEY_SOURCE_HEADERS: Final = ("jwk", "jku", "x5u", "x5c")
_MEDIA_TYPES: Final[Mapping[str, str]] = {"vc+jwt": "vc", "vp+jwt": "vp", "jwt": ""}
_TYPES: Final[Mapping[str, str]] = {"vc": "VerifiableCredential", "vp": "VerifiablePresentation"}


@dataclass(frozen=True, slots=True)
class JwsResult:
    """Outcome of `verify_jws`; `payload` is only set when the token verified."""

    verified: bool
    reason: str = ""
    header: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] | None = None
    media_type: str | None = None  # "application/vc" or "application/vp"


class _Refused(Exception):
    pass


def _issuer_id(document: Mapping[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _json_segment(value: Mapping[str, Any]) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def sign_vc_jwt(
    credential: Mapping[str, Any],
    signer: Signer,
    *,
    issued_at: datetime,
    typ: str = "vc+jwt",
) -> str:
    """Compact JWS of `credential` with `iss`, `jti`, `sub` and `iat` added.

    Header: `alg` (EdDSA or ES256, from the signer's key), `typ`, `kid` = `signer.key_id`.
    Raises `ProofGenerationError` when the credential cannot be expressed this way.
    """
    if typ.lower().removeprefix("application/") not in _MEDIA_TYPES:
        raise ProofGenerationError(f"typ {typ!r} is not vc+jwt, vp+jwt or JWT")
    if issued_at.tzinfo is None:
        raise ProofGenerationError("issued_at must be timezone-aware")
    if "vc" in credential or "vp" in credential:
        raise ProofGenerationError("VC-JOSE-COSE forbids 'vc' and 'vp' claims in the payload")
    issuer = _issuer_id(credential)
    if not isinstance(issuer, str) or not issuer:
        raise ProofGenerationError("the credential needs an issuer id")
    claims: dict[str, Any] = {"iss": issuer, "iat": int(issued_at.timestamp())}
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    clashes = [name for name in claims if name in credential and credential[name] != claims[name]]
    if clashes:
        raise ProofGenerationError(f"the credential already holds conflicting {clashes}")

    header = {"alg": signer.jws_algorithm, "typ": typ, "kid": signer.key_id}
    signing_input = f"{_json_segment(header)}.{_json_segment({**credential, **claims})}"
    signature = signer.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def _decode_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(segment))
    except (EncodingError, ValueError):
        raise _Refused(f"the JWS {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise _Refused(f"the JWS {what} is not a JSON object")
    return value


def _check_header(header: Mapping[str, Any], allowed_algs: Sequence[str]) -> str:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none" or alg.upper().startswith("HS"):
        raise _Refused(f"alg {alg!r} is refused: only asymmetric signatures are accepted")
    if alg not in allowed_algs or alg not in _ALGORITHM_KEYS:
        raise _Refused(f"alg {alg!r} is not allowed (allowed: {', '.join(allowed_algs)})")
    embedded = [name for name in _KEY_SOURCE_HEADERS if name in header]
    if embedded:
        raise _Refused(f"key-carrying headers {embedded} are refused; keys come from kid/iss")
    if "crit" in header:
        raise _Refused("no JWS extensions are understood, so 'crit' is refused")
    typ = header.get("typ")
    if typ is not None and (
        not isinstance(typ, str) or typ.lower().removeprefix("application/") not in _MEDIA_TYPES
    ):
        raise _Refused(f"typ {typ!r} is not vc+jwt, vp+jwt or JWT")
    return alg


def _check_claims(
    header: Mapping[str, Any], payload: Mapping[str, Any], now: datetime, leeway: timedelta
) -> str:
    if "vc" in payload or "vp" in payload:
        raise _Refused("'vc' and 'vp' claims are forbidden (VC-JOSE-COSE §3.1.3)")
    declared = _MEDIA_TYPES[str(header.get("typ", "jwt")).lower().removeprefix("application/")]
    types = payload.get("type")
    types = types if isinstance(types, list) else [types]
    kinds = [kind for kind, name in _TYPES.items() if name in types]
    if len(kinds) != 1 or (declared and kinds != [declared]):
        raise _Refused("the payload is not the verifiable credential or presentation its typ says")
    owner = _issuer_id(payload) if kinds == ["vc"] else payload.get("holder")
    owner = owner.get("id") if isinstance(owner, Mapping) else owner
    if "iss" in payload and owner is not None and payload["iss"] != owner:
        raise _Refused(f"iss {payload['iss']!r} differs from the {kinds[0]} issuer/holder")
    if "jti" in payload and "id" in payload and payload["jti"] != payload["id"]:
        raise _Refused("jti differs from id")
    subject = payload.get("credentialSubject")
    if "sub" in payload and isinstance(subject, Mapping) and "id" in subject:
        if payload["sub"] != subject["id"]:
            raise _Refused("sub differs from credentialSubject.id")
    # iat is informational and the W3C samples carry it as an ISO string: never parsed.
    for claim in ("exp", "nbf"):
        value = payload.get(claim)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise _Refused(f"{claim} is not a NumericDate")
    timestamp = now.timestamp()
    if "exp" in payload and timestamp > payload["exp"] + leeway.total_seconds():
        raise _Refused("the JWS has expired (exp)")
    if "nbf" in payload and timestamp < payload["nbf"] - leeway.total_seconds():
        raise _Refused("the JWS is not valid yet (nbf)")
    return f"application/{kinds[0]}"


def _check_key(alg: str, key: PublicKey) -> None:
    try:
        key_type = key_type_of(key)
    except KeyFormatError as error:
        raise _Refused(str(error)) from None
    if key_type != _ALGORITHM_KEYS[alg]:
        raise _Refused(f"alg {alg} cannot be verified with a {key_type} key")
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
        raise _Refused("RSA keys under 2048 bits are refused")


def verify_jws(
    token: str,
    key_lookup: KeyLookup,
    *,
    allowed_algs: Sequence[str] = DEFAULT_ALGORITHMS,
    now: datetime | None = None,
    leeway: timedelta = timedelta(seconds=60),
) -> JwsResult:
    """Verify a compact JWS VC/VP (VC-JOSE-COSE) and check its registered claims.

    `key_lookup(header, unverified_payload)` returns the issuer's public key for that `kid` /
    `iss`, or None; it may raise `LookupError` or `ValueError`, reported as a failure.
    `now` (default: the current time) is compared with `exp`/`nbf`.
    """
    header: dict[str, Any] = {}
    try:
        if not isinstance(token, str) or token.count(".") != 2:
            raise _Refused("not a compact JWS (three dot-separated parts)")
        header_segment, payload_segment, _ = token.split(".")
        header = _decode_segment(header_segment, "header")
        alg = _check_header(header, allowed_algs)
        unverified = _decode_segment(payload_segment, "payload")
        try:
            key = key_lookup(dict(header), unverified)
        except (LookupError, ValueError) as error:
            raise _Refused(f"no key for kid {header.get('kid')!r}: {error}") from None
        if key is None:
            raise _Refused(f"no key for kid {header.get('kid')!r}")
        _check_key(alg, key)
        try:
            jwt.PyJWS().decode_complete(token, key=key, algorithms=[alg])
        except jwt.InvalidSignatureError:
            raise _Refused("the signature does not match") from None
        except jwt.PyJWTError as error:
            raise _Refused(f"invalid JWS: {error}") from None
        media_type = _check_claims(header, unverified, now or datetime.now(UTC), leeway)
    except _Refused as refusal:
        return JwsResult(verified=False, reason=str(refusal), header=header)
    return JwsResult(verified=True, header=header, payload=unverified, media_type=media_type)
