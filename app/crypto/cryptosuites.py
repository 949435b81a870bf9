"""The cryptosuites we implement: what each canonicalizes, hashes and signs.

| suite                | transform | keys          | hash              | spec             |
|----------------------|-----------|---------------|-------------------|------------------|
| eddsa-rdfc-2022      | RDFC-1.0  | Ed25519       | SHA-256           | VC-DI-EDDSA §3.2 |
| eddsa-jcs-2022       | JCS       | Ed25519       | SHA-256           | VC-DI-EDDSA §3.3 |
| ecdsa-rdfc-2019      | RDFC-1.0  | P-256 / P-384 | SHA-256 / SHA-384 | VC-DI-ECDSA §3.2 |
| ecdsa-jcs-2019       | JCS       | P-256 / P-384 | SHA-256 / SHA-384 | VC-DI-ECDSA §3.3 |
| Ed25519Signature2020 | RDFC-1.0  | Ed25519       | SHA-256           | CCG, verify only |

All of them sign `hash(canonical proof configuration) ‖ hash(canonical document)`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from app.core.cache import LruCache
from app.crypto.errors import TransformationError
from app.crypto.jsonld import ShapeReuse, canonize
from app.crypto.keys import PublicKey, key_type_of
from app.crypto.rdfc import CanonicalizationLimits

ED25519_SIGNATURE_2020: Final = "Ed25519Signature2020"
ED25519_2020_CONTEXT: Final = "https://w3id.org/security/suites/ed25519-2020/v1"


@dataclass(frozen=True, slots=True)
class Cryptosuite:
    name: str
    transform: Literal["rdfc", "jcs"]
    family: Literal["eddsa", "ecdsa"]

    @property
    def key_types(self) -> tuple[str, ...]:
        return ("Ed25519",) if self.family == "eddsa" else ("P-256", "P-384")


CRYPTOSUITES: Final[Mapping[str, Cryptosuite]] = {
    suite.name: suite
    for suite in (
        Cryptosuite("eddsa-rdfc-2022", "rdfc", "eddsa"),
        Cryptosuite("eddsa-jcs-2022", "jcs", "eddsa"),
        Cryptosuite("ecdsa-rdfc-2019", "rdfc", "ecdsa"),
        Cryptosuite("ecdsa-jcs-2019", "jcs", "ecdsa"),
    )
}
LEGACY_ED25519_2020: Final = Cryptosuite(ED25519_SIGNATURE_2020, "rdfc", "eddsa")

_HASHES: Final[Mapping[str, str]] = {"Ed25519": "sha256", "P-256": "sha256", "P-384": "sha384"}
_SIGNATURE_HASHES: Final[Mapping[str, hashes.HashAlgorithm]] = {
    "P-256": hashes.SHA256(),
    "P-384": hashes.SHA384(),
}
_SIGNATURE_SIZES: Final[Mapping[str, int]] = {"Ed25519": 64, "P-256": 64, "P-384": 96}


def key_problem(suite: Cryptosuite, public_key: PublicKey) -> str | None:
    """Why `public_key` cannot serve `suite`, or None when it can."""
    try:
        key_type = key_type_of(public_key)
    except ValueError as error:
        return str(error)
    if key_type not in suite.key_types:
        return f"{suite.name} needs a {' or '.join(suite.key_types)} key, not {key_type}"
    return None


def _canonical_bytes(
    suite: Cryptosuite,
    document: Mapping[str, Any],
    limits: CanonicalizationLimits,
    reuse_shape: ShapeReuse | None = None,
) -> bytes:
    if suite.transform == "rdfc":
        text = canonize(document, limits=limits, safe=True, reuse_shape=reuse_shape)
        return text.encode("utf-8")
    try:
        return rfc8785.dumps(document)
    except (rfc8785.CanonicalizationError, TypeError) as error:
        raise TransformationError(f"JCS: {error}") from error


# A batch reuses one or two entries; bounded all the same.
_CONFIG_HASHES: LruCache[tuple[str, str, CanonicalizationLimits, str], bytes] = LruCache(1024)


def _config_hash(
    suite: Cryptosuite, proof_config: Mapping[str, Any], algorithm: str,
    limits: CanonicalizationLimits,
) -> bytes:  # fmt: skip
    """Hash of the canonical proof configuration, memoized by its exact JSON text.

    Every credential of a batch has the same configuration (suite, time, key, purpose,
    @context), and canonicalizing it is about a seventh of the signing work. The key is the
    configuration's JSON text in its own member order, so a hit stands for the very same
    input and returns the bytes a new canonicalization would; configurations that fail are
    never stored.
    """
    try:
        text = json.dumps(proof_config, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return hashlib.new(algorithm, _canonical_bytes(suite, proof_config, limits)).digest()
    key = (suite.name, algorithm, limits, text)
    cached = _CONFIG_HASHES.get(key)
    if cached is None:
        cached = hashlib.new(algorithm, _canonical_bytes(suite, proof_config, limits)).digest()
        _CONFIG_HASHES.put(key, cached)
    return cached


def hash_data(
    suite: Cryptosuite,
    unsecured_document: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    key_type: str,
    limits: CanonicalizationLimits,
    *,
    reuse_shape: ShapeReuse | None = None,
) -> bytes:
    """The bytes to sign: hash of the proof configuration, then hash of the document.

    `reuse_shape`: see `jsonld.canonize`.
    """
    algorithm = _HASHES[key_type]
    config_hash = _config_hash(suite, proof_config, algorithm, limits)
    document_bytes = _canonical_bytes(suite, unsecured_document, limits, reuse_shape)
    return config_hash + hashlib.new(algorithm, document_bytes).digest()


def signature_is_valid(public_key: PublicKey, signature: bytes, data: bytes) -> bool:
    """Ed25519, or ECDSA with the curve's hash over raw r‖s (never DER, never a wrong size)."""
    key_type = key_type_of(public_key)
    if len(signature) != _SIGNATURE_SIZES.get(key_type, -1):
        return False
    try:
        if isinstance(public_key, Ed25519PublicKey):
            public_key.verify(signature, data)
            return True
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            half = len(signature) // 2
            r = int.from_bytes(signature[:half], "big")
            s = int.from_bytes(signature[half:], "big")
            der = encode_dss_signature(r, s)
            public_key.verify(der, data, ec.ECDSA(_SIGNATURE_HASHES[key_type]))
            return True
    except InvalidSignature:
        return False
    return False


# What each signing key type signs Data Integrity proofs with: the suite OB 3.0 conformance
# requires for Ed25519, and the P-256 suite for issuers that chose ES256 keys.
DEFAULT_SUITE_FOR_KEY: dict[str, str] = {"Ed25519": "eddsa-rdfc-2022", "P-256": "ecdsa-rdfc-2019"}
