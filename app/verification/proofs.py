"""Proof checks: Data Integrity proofs and proof sets, and whose key signed them (JWTs:
`jwt_proofs.py`).

Pure apart from the injected `KeySource` (the resolver). Policy for proof sets: every proof
we support must verify and at least one must; a proof of a kind we do not implement is
reported as "unsupported" and never counts as valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from app.crypto.cryptosuites import CRYPTOSUITES, ED25519_SIGNATURE_2020
from app.crypto.data_integrity import (
    DATA_INTEGRITY_PROOF,
    PROOF_TRANSFORMATION_ERROR,
    ProofResult,
    list_proofs,
    verify_proof,
)
from app.crypto.rdfc import CanonicalizationLimits
from app.verification.checks import as_list
from app.verification.did_documents import ResolutionError, VerificationMethod
from app.verification.report import CRYPTOGRAPHIC_SECURITY_ERROR, Check

_PURPOSE_WORDS: Final = {
    "assertionMethod": "issuing credentials (assertionMethod)",
    "authentication": "authentication",
}


class KeySource(Protocol):
    def verification_method(self, url: str) -> VerificationMethod: ...
    def issuer_jwks(self, issuer: str) -> list[Mapping[str, Any]]: ...


def proof_label(proof: Mapping[str, Any]) -> str:
    suite = proof.get("cryptosuite")
    return (
        str(suite)
        if proof.get("type") == DATA_INTEGRITY_PROOF and suite
        else str(proof.get("type"))
    )


def is_supported(proof: Any) -> bool:
    if not isinstance(proof, Mapping):
        return False
    if proof.get("type") == ED25519_SIGNATURE_2020:
        return True
    suite = proof.get("cryptosuite")
    return (
        proof.get("type") == DATA_INTEGRITY_PROOF
        and isinstance(suite, str)
        and suite in CRYPTOSUITES
    )


def rdfc_verified(document: Mapping[str, Any], checks: list[Check]) -> bool:
    """Whether a passed proof canonicalized the document with RDFC (in JSON-LD safe mode).

    `check_data_integrity` reports one `proof` check per proof, in order, so they pair up.
    """
    proof_checks = [check for check in checks if check.check == "proof"]
    for proof, check in zip(list_proofs(document), proof_checks, strict=False):
        if check.outcome != "passed" or not is_supported(proof):
            continue
        if proof.get("type") == ED25519_SIGNATURE_2020:
            return True
        if CRYPTOSUITES[proof["cryptosuite"]].transform == "rdfc":
            return True
    return False


def check_binding(method: VerificationMethod, *, owner: Any, purpose: str, role: str) -> Check:
    """The key is the owner's, published by the owner for `purpose`, and not revoked by it."""
    if method.controller != method.document_id:
        reason = f"the key {method.id} names {method.controller or 'no one'} as its controller, "
        reason += f"but it was published by {method.document_id}"
        return Check("key_binding", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR)
    if owner is not None and method.document_id != owner:
        reason = f"the signing key belongs to {method.document_id}, not to the {role} {owner}"
        return Check("key_binding", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR)
    if purpose not in method.relationships:
        reason = f"{method.document_id} does not authorise the key {method.id} for "
        reason += _PURPOSE_WORDS.get(purpose, purpose)
        return Check("key_binding", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR)
    if method.revoked_at is not None:
        when = method.revoked_at.strftime("%Y-%m-%d")
        reason = f"the issuer revoked this signing key on {when}: "
        reason += method.revocation_reason or "no reason given"
        return Check("key_binding", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR)
    return Check(
        "key_binding",
        "passed",
        f"the key {method.id} belongs to the {role} and is authorised for "
        + _PURPOSE_WORDS.get(purpose, purpose),
    )


def _signature_reason(code: str | None, reason: str) -> str:
    if reason == "signature does not match the document":
        return "the signature does not match: the content was changed after signing"
    if code == PROOF_TRANSFORMATION_ERROR:
        return f"the content could not be prepared for signature checking: {reason}"
    return f"the signature is not valid: {reason}"


def check_data_integrity(
    document: Mapping[str, Any],
    keys: KeySource,
    *,
    purpose: str,
    owner: Any,
    role: str = "issuer",
    now: datetime,
    challenge: str | None = None,
    domain: str | None = None,
    limits: CanonicalizationLimits,
    skew: timedelta = timedelta(seconds=300),
) -> list[Check]:
    """One `proof` check per proof (and `key_binding` per verified key)."""
    proofs = list_proofs(document)
    if not proofs:
        return [
            Check(
                "proof", "failed", "it carries no proof (signature)", CRYPTOGRAPHIC_SECURITY_ERROR
            ),
            Check("key_binding", "skipped", "there is no signature to bind to a key"),
        ]
    supported = [p for p in proofs if is_supported(p)]
    labels = ", ".join(sorted({proof_label(p) if isinstance(p, Mapping) else "?" for p in proofs}))
    if not supported:
        reason = f"it is signed with {labels}, which LearnProof does not support, so it "
        reason += "cannot be verified here"
        return [
            Check("proof", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR),
            Check("key_binding", "skipped", "no supported signature"),
        ]
    checks: list[Check] = []
    chain_problem = _chain_problem(proofs)
    if chain_problem:
        checks.append(Check("proof", "failed", chain_problem, CRYPTOGRAPHIC_SECURITY_ERROR))
    proving = _Proving(document, keys, purpose, owner, role, now, challenge, domain, limits, skew)
    if len(proofs) == 1:
        return checks + _one_proof(proving, proofs[0])
    by_owner = False
    for position, proof in enumerate(proofs, start=1):
        prefix = f"proof {position} of {len(proofs)}: "
        if proof not in supported:
            label = proof_label(proof) if isinstance(proof, Mapping) else "an invalid proof"
            reason = f"{prefix}{label} is not supported here and was not checked"
            checks.append(Check("proof", "warning", reason))
            continue
        found, owned = _set_member(proving, proof, prefix)
        checks.extend(found)
        by_owner = by_owner or owned
    if not by_owner:
        reason = (
            f"none of the {len(proofs)} proofs is a valid {_PURPOSE_WORDS.get(purpose, purpose)}"
        )
        reason += f" proof by a key of the {role} {owner}" if owner else " proof"
        checks.append(Check("key_binding", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR))
    return checks


def _chain_problem(proofs: list[Any]) -> str:
    """Why the proofs' ``previousProof`` references are broken (DI §2.1.2), or ""."""
    ids = {p.get("id") for p in proofs if isinstance(p, Mapping) and isinstance(p.get("id"), str)}
    previous: dict[str, list[Any]] = {}
    for proof in proofs:
        if not isinstance(proof, Mapping) or "previousProof" not in proof:
            continue
        wanted = as_list(proof["previousProof"])
        missing = [w for w in wanted if not isinstance(w, str) or w not in ids]
        if not wanted or missing:
            shown = ", ".join(map(str, missing)) or "nothing"
            return f"a proof's previousProof names {shown}, which is not a proof of this document"
        if isinstance(proof.get("id"), str):
            previous[proof["id"]] = wanted
    # A proof that (through others) precedes itself can never have been made in order.
    state: dict[str, int] = {}

    def cyclic(start: str) -> bool:
        # Iterative depth-first search (1 = on the current path, 2 = done): no recursion
        # limit for a long chain.
        stack = [(start, iter(previous.get(start, [])))]
        state[start] = 1
        while stack:
            node, following = stack[-1]
            step = next(following, None)
            if step is None:
                state[node] = 2
                stack.pop()
            elif state.get(step) == 1:
                return True
            elif state.get(step) is None:
                state[step] = 1
                stack.append((step, iter(previous.get(step, []))))
        return False

    if any(state.get(node) is None and cyclic(node) for node in previous):
        return "the proofs' previousProof references form a cycle, so they are no valid chain"
    return ""


@dataclass(frozen=True)
class _Proving:
    """What every proof of one document is checked against."""

    document: Mapping[str, Any]
    keys: KeySource
    purpose: str
    owner: Any
    role: str
    now: datetime
    challenge: str | None
    domain: str | None
    limits: CanonicalizationLimits
    skew: timedelta

    def method(self, proof: Mapping[str, Any], prefix: str) -> VerificationMethod | list[Check]:
        """The proof's verification method, or the checks saying why it could not be had."""
        url = proof.get("verificationMethod")
        try:
            if not isinstance(url, str):
                raise ResolutionError("the proof's verificationMethod is not a URL")
            return self.keys.verification_method(url)
        except ResolutionError as error:
            reason = f"{prefix}the signing key could not be obtained: {error}"
            return [
                Check("proof", "failed", reason, CRYPTOGRAPHIC_SECURITY_ERROR),
                Check("key_binding", "skipped", f"{prefix}the key could not be obtained"),
            ]

    def verify(
        self, proof: Mapping[str, Any], method: VerificationMethod, expected: str
    ) -> ProofResult:
        """The proof checked for the `expected` purpose; the challenge and domain bind only a
        proof made for the purpose asked for."""
        return verify_proof(
            self.document,
            proof,
            method.public_key,
            expected_purpose=expected,
            challenge=self.challenge if expected == self.purpose else None,
            domain=self.domain if expected == self.purpose else None,
            now=self.now,
            limits=self.limits,
            skew=self.skew,
        )


def _set_member(
    proving: _Proving, proof: Mapping[str, Any], prefix: str
) -> tuple[list[Check], bool]:
    """One proof of a proof set: (its checks, whether it is a valid proof by the owner).

    Proofs by others (a co-signer, an endorsing body) are checked against their own
    controller and for the purpose they state; they neither make nor break the owner's.
    """
    method = proving.method(proof, prefix)
    if isinstance(method, list):
        return method, False
    purpose, role = proving.purpose, proving.role
    stated = proof.get("proofPurpose")
    owners = proving.owner is None or method.document_id == proving.owner
    # Each proof is checked for the purpose it states (its key must be authorised for it);
    # only the owner's proof for `purpose` counts as the owner's.
    expected = stated if isinstance(stated, str) else purpose
    result = proving.verify(proof, method, expected)
    who = f"{role} {method.document_id}" if owners else f"co-signer {method.document_id}"
    what = f"{prefix}the {proof_label(proof)} signature by the {who} "
    what += f"(for {_PURPOSE_WORDS.get(expected, expected)})"
    if result.verified:
        proof_check = Check("proof", "passed", f"{what} is valid")
    else:
        reason = f"{what}: " + _signature_reason(result.error_code, result.reason)
        proof_check = Check("proof", "failed", reason, result.error_url)
    binding = check_binding(
        method, owner=method.document_id, purpose=expected, role=role if owners else "co-signer"
    )
    binding = Check(binding.check, binding.outcome, prefix + binding.reason, binding.problem_type)
    valid_owner = owners and expected == purpose and result.verified and binding.outcome == "passed"
    return [proof_check, binding], valid_owner


def _one_proof(proving: _Proving, proof: Mapping[str, Any]) -> list[Check]:
    """The single proof of a document, for the purpose asked for."""
    method = proving.method(proof, "")
    if isinstance(method, list):
        return method
    result = proving.verify(proof, method, proving.purpose)
    if result.verified:
        proof_check = Check("proof", "passed", f"the {proof_label(proof)} signature is valid")
    else:
        reason = _signature_reason(result.error_code, result.reason)
        proof_check = Check("proof", "failed", reason, result.error_url)
    return [
        proof_check,
        check_binding(method, owner=proving.owner, purpose=proving.purpose, role=proving.role),
    ]
