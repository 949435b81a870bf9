"""VC Data Integrity 1.0: add and verify `DataIntegrityProof`s (and legacy Ed25519Signature2020).

Pure functions: inputs are never mutated, time is passed in, keys are resolved by the caller
(the verification method URL is in `proof["verificationMethod"]`). Verification returns a
`ProofResult` naming the DI §4.7 error; it raises only for programming errors.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from app.crypto.control_characters import find_control_characters
from app.crypto.cryptosuites import (
    CRYPTOSUITES,
    ED25519_2020_CONTEXT,
    ED25519_SIGNATURE_2020,
    LEGACY_ED25519_2020,
    Cryptosuite,
    hash_data,
    key_problem,
    signature_is_valid,
)
from app.crypto.encoding import b58_encode
from app.crypto.errors import EncodingError, ProofGenerationError, TransformationError
from app.crypto.keys import PublicKey, key_type_of
from app.crypto.multikey import multibase_decode
from app.crypto.rdfc import DEFAULT_LIMITS, CanonicalizationLimits
from app.crypto.signer import Signer

DATA_INTEGRITY_PROOF: Final = "DataIntegrityProof"

PARSING_ERROR: Final = "PARSING_ERROR"
PROOF_VERIFICATION_ERROR: Final = "PROOF_VERIFICATION_ERROR"
PROOF_TRANSFORMATION_ERROR: Final = "PROOF_TRANSFORMATION_ERROR"
INVALID_DOMAIN_ERROR: Final = "INVALID_DOMAIN_ERROR"
INVALID_CHALLENGE_ERROR: Final = "INVALID_CHALLENGE_ERROR"

# DI §4.7 defines its codes under the security vocabulary; PARSING_ERROR is the VCDM's (§7.2).
ERROR_URLS: Final[Mapping[str, str]] = {
    PARSING_ERROR: "https://www.w3.org/TR/vc-data-model#PARSING_ERROR",
    **{
        code: f"https://w3id.org/security#{code}"
        for code in (
            "PROOF_GENERATION_ERROR",
            PROOF_VERIFICATION_ERROR,
            PROOF_TRANSFORMATION_ERROR,
            INVALID_DOMAIN_ERROR,
            INVALID_CHALLENGE_ERROR,
        )
    },
}

_DATE_TIME_STAMP = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


@dataclass(frozen=True, slots=True)
class ProofResult:
    """Outcome of verifying one proof.

    `supported` is False when we do not implement the proof type or cryptosuite: such a proof
    is never valid here, but it is not evidence of tampering either.
    """

    verified: bool
    cryptosuite: str | None
    verification_method: str | None = None
    supported: bool = True
    error_code: str | None = None
    error_url: str | None = None
    reason: str = ""


class _Failure(Exception):
    def __init__(self, code: str, reason: str, *, supported: bool = True) -> None:
        super().__init__(reason)
        self.code, self.reason, self.supported = code, reason, supported


def list_proofs(document: Mapping[str, Any]) -> list[Any]:
    """The proofs of a secured document, whether `proof` is one object or a set."""
    proof = document.get("proof") if isinstance(document, Mapping) else None
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _xsd_date_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ProofGenerationError("proof times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_date_time(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or not _DATE_TIME_STAMP.match(value):
        raise _Failure(PROOF_VERIFICATION_ERROR, f"proof {name} is not an XML Schema dateTimeStamp")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise _Failure(PROOF_VERIFICATION_ERROR, f"proof {name} is not a valid date") from None


def _json_copy(value: Any) -> Any:
    """`copy.deepcopy` for JSON values, several times faster; anything else goes to deepcopy.

    Unlike deepcopy it does not keep two references to one object shared in the copy, which
    JSON cannot express anyway.
    """
    kind = type(value)
    if kind is dict:
        return {key: _json_copy(item) for key, item in value.items()}
    if kind is list:
        return [_json_copy(item) for item in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document without `proof`, copied at the top level only.

    Nested values stay shared with `document`: canonicalization and JCS only read them, and
    the callers here only ever replace top-level members of the copy.
    """
    return {key: value for key, value in document.items() if key != "proof"}


def _proof_config(
    suite: Cryptosuite, options: Mapping[str, Any], unsecured: dict[str, Any]
) -> dict[str, Any]:
    """Proof options as signed: without proofValue, carrying the document's @context.

    For JCS suites the proof's own @context, when present, is authoritative (EDDSA §3.3.2
    step 4): it replaces the document's, which may only have been extended after signing.
    """
    config = {key: value for key, value in options.items() if key != "proofValue"}
    if suite.transform == "jcs" and "@context" in config:
        signed_context = _as_list(config["@context"])
        if _as_list(unsecured.get("@context"))[: len(signed_context)] != signed_context:
            raise _Failure(
                PROOF_VERIFICATION_ERROR, "document @context does not start with proof @context"
            )
        unsecured["@context"] = config["@context"]
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    else:
        config.pop("@context", None)
    return config


def add_proof(
    document: Mapping[str, Any],
    signer: Signer,
    *,
    cryptosuite: str = "eddsa-rdfc-2022",
    proof_purpose: str = "assertionMethod",
    created: datetime,
    challenge: str | None = None,
    domain: str | None = None,
    as_array: bool = True,
    limits: CanonicalizationLimits = DEFAULT_LIMITS,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
) -> dict[str, Any]:
    """A copy of `document` secured with a new DataIntegrityProof by `signer`.

    `proof_id` names the new proof; `previous_proof` makes it part of a proof chain (DI
    §2.1.2): the named existing proofs are then signed along with the document.

    Existing proofs are kept (a proof set) and the new one is appended; otherwise `proof` is a
    one-element array when `as_array` (as OB 3.0 does), else a single object. Documents with
    control characters are refused, and RDFC suites also refuse terms the contexts do not
    define. Raises `ProofGenerationError` or `TransformationError` (incl. JSON-LD errors).
    """
    suite = CRYPTOSUITES.get(cryptosuite)
    if suite is None:
        raise ProofGenerationError(f"unsupported cryptosuite {cryptosuite!r}")
    if signer.key_type not in suite.key_types:
        raise ProofGenerationError(f"{cryptosuite} cannot be produced by a {signer.key_type} key")
    if not isinstance(document, Mapping) or "@context" not in document:
        raise ProofGenerationError("the document must be a JSON-LD object with an @context")
    options: dict[str, Any] = {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": cryptosuite,
        "created": _xsd_date_time(created),
        "verificationMethod": signer.key_id,
        "proofPurpose": proof_purpose,
    }
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    if proof_id is not None:
        options["id"] = proof_id
    if previous_proof is not None:
        options["previousProof"] = previous_proof

    # One private copy is both signed and returned, so what we sign is what we hand back.
    unsecured = _json_copy(_unsecured(document))
    bad_paths = find_control_characters(unsecured) + find_control_characters(options, "$.proof")
    if bad_paths:
        raise ProofGenerationError(
            "control characters are not allowed in a credential; found at " + ", ".join(bad_paths)
        )
    config = _proof_config(suite, options, unsecured)
    signed_part = unsecured
    if previous_proof is not None:
        signed_part = dict(unsecured)
        try:
            _with_previous_proofs(signed_part, options, list_proofs(document))
        except _Failure as failure:
            raise ProofGenerationError(failure.reason) from None
    data = hash_data(suite, signed_part, config, signer.key_type, limits, reuse_shape="signing")

    proof = dict(options)
    if suite.transform == "jcs":
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    proof["proofValue"] = "z" + b58_encode(signer.sign(data))

    secured = dict(unsecured)
    existing = copy.deepcopy(list_proofs(document))
    if existing:
        secured["proof"] = [*existing, proof]
    else:
        secured["proof"] = [proof] if as_array else proof
    return secured


def _suite_of(proof: Mapping[str, Any]) -> Cryptosuite:
    for member in ("type", "verificationMethod", "proofPurpose"):
        if not isinstance(proof.get(member), str):
            raise _Failure(PROOF_VERIFICATION_ERROR, f"proof {member} is missing or not a string")
    if proof["type"] == ED25519_SIGNATURE_2020:
        return LEGACY_ED25519_2020
    if proof["type"] != DATA_INTEGRITY_PROOF:
        raise _Failure(
            PROOF_VERIFICATION_ERROR, f"unsupported proof type {proof['type']!r}", supported=False
        )
    name = proof.get("cryptosuite")
    suite = CRYPTOSUITES.get(name) if isinstance(name, str) else None
    if suite is None:
        raise _Failure(
            PROOF_VERIFICATION_ERROR, f"unsupported cryptosuite {name!r}", supported=False
        )
    return suite


def _check_options(
    proof: Mapping[str, Any],
    expected_purpose: str,
    challenge: str | None,
    domain: str | None,
    now: datetime,
    skew: timedelta | None,
) -> None:
    if proof["proofPurpose"] != expected_purpose:
        raise _Failure(
            PROOF_VERIFICATION_ERROR,
            f"proof purpose is {proof['proofPurpose']!r}, expected {expected_purpose!r}",
        )
    if domain is not None and domain not in _as_list(proof.get("domain")):
        raise _Failure(INVALID_DOMAIN_ERROR, f"proof domain does not match {domain!r}")
    if challenge is not None and proof.get("challenge") != challenge:
        raise _Failure(INVALID_CHALLENGE_ERROR, "proof challenge does not match")
    if "created" in proof:
        created = _parse_date_time(proof["created"], "created")
        # A proof from the future was made with a wrong clock or to outlive a key's
        # revocation; beyond the allowed skew it is refused (None: not checked, e.g. vectors).
        if skew is not None and created > now + skew:
            raise _Failure(
                PROOF_VERIFICATION_ERROR,
                f"proof created {proof['created']} is in the future (more than "
                f"{int(skew.total_seconds())} s ahead of this verifier's clock)",
            )
    if "expires" in proof and _parse_date_time(proof["expires"], "expires") < now:
        raise _Failure(PROOF_VERIFICATION_ERROR, "proof has expired")


def _with_previous_proofs(
    unsecured: dict[str, Any], proof: Mapping[str, Any], all_proofs: Sequence[Any]
) -> None:
    """Proof chains (DI §4.5): the referenced earlier proofs are part of what was signed."""
    wanted = _as_list(proof["previousProof"])
    matching = [p for p in all_proofs if isinstance(p, Mapping) and p.get("id") in wanted]
    if not wanted or len(matching) != len(set(map(str, wanted))):
        raise _Failure(PROOF_VERIFICATION_ERROR, "previousProof names a proof that is not present")
    unsecured["proof"] = copy.deepcopy(matching)


def _check_signature(
    suite: Cryptosuite,
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: PublicKey,
    limits: CanonicalizationLimits,
) -> None:
    problem = key_problem(suite, public_key)
    if problem:
        raise _Failure(PROOF_VERIFICATION_ERROR, problem)
    if suite is LEGACY_ED25519_2020 and ED25519_2020_CONTEXT not in _as_list(
        document.get("@context")
    ):
        raise _Failure(PROOF_VERIFICATION_ERROR, f"the @context lacks {ED25519_2020_CONTEXT}")
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        raise _Failure(PROOF_VERIFICATION_ERROR, "proofValue must be base58btc multibase ('z…')")
    try:
        signature = multibase_decode(proof_value)
    except EncodingError as error:
        raise _Failure(PROOF_VERIFICATION_ERROR, f"proofValue: {error}") from None

    unsecured = _unsecured(document)
    if "previousProof" in proof:
        _with_previous_proofs(unsecured, proof, list_proofs(document))
    config = _proof_config(suite, proof, unsecured)
    try:
        data = hash_data(
            suite, unsecured, config, key_type_of(public_key), limits, reuse_shape="verifying"
        )
    except TransformationError as error:
        raise _Failure(PROOF_TRANSFORMATION_ERROR, str(error)) from None
    if not signature_is_valid(public_key, signature, data):
        raise _Failure(PROOF_VERIFICATION_ERROR, "signature does not match the document")


def verify_proof(
    document: Mapping[str, Any],
    proof: Any,
    public_key: PublicKey,
    *,
    expected_purpose: str,
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    limits: CanonicalizationLimits = DEFAULT_LIMITS,
    skew: timedelta | None = None,
) -> ProofResult:
    """Verify one proof of `document` (taken from `list_proofs`) with the resolved key.

    `document` may carry its proofs or not; they are removed before hashing. `now` (default:
    the current time) rejects proofs past their `expires`, and, given a `skew`, proofs
    `created` further than `skew` after it.
    """
    cryptosuite = verification_method = None
    try:
        if not isinstance(document, Mapping) or not isinstance(proof, Mapping):
            raise _Failure(PARSING_ERROR, "document and proof must be JSON objects")
        cryptosuite = proof.get("cryptosuite") or proof.get("type")
        verification_method = proof.get("verificationMethod")
        suite = _suite_of(proof)
        _check_options(proof, expected_purpose, challenge, domain, now or datetime.now(UTC), skew)
        _check_signature(suite, document, proof, public_key, limits)
    except _Failure as failure:
        return ProofResult(
            verified=False,
            cryptosuite=cryptosuite if isinstance(cryptosuite, str) else None,
            verification_method=(
                verification_method if isinstance(verification_method, str) else None
            ),
            supported=failure.supported,
            error_code=failure.code,
            error_url=ERROR_URLS[failure.code],
            reason=failure.reason,
        )
    return ProofResult(
        verified=True, cryptosuite=cryptosuite, verification_method=verification_method
    )
