"""Proof sets and chains (VC Data Integrity §2.1.2): every proof must hold, one must be the
issuer's; co-signers are checked against their own controllers and named in the report."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from app.crypto.data_integrity import add_proof
from app.crypto.keys import generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner
from tests.credentials.factories import World
from tests.interop.node import run_node

pytestmark = pytest.mark.usefixtures("verification_state")
CREATED = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def _cosigner(key_type: str = "Ed25519") -> LocalSigner:
    key = generate_private_key(key_type)
    did = did_key_for(key.public_key())
    return LocalSigner(key, f"{did}#{did.removeprefix('did:key:')}")


def _verify(world: World, credential: Any) -> dict[str, Any]:
    response = world.client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert response.status_code in (200, 422), response.text
    body: dict[str, Any] = response.json()
    return body


def _checks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [c for c in body["checks"] if c["check"] == name]


def test_a_co_signed_credential_verifies_and_names_the_co_signer(world: World) -> None:
    issued = world.issue()["credential"]
    signer = _cosigner()
    co_signed = add_proof(issued, signer, created=CREATED)
    assert len(co_signed["proof"]) == 2

    body = _verify(world, co_signed)

    assert body["verified"] is True, body["errors"]
    proofs = _checks(body, "proof")
    assert [c["outcome"] for c in proofs] == ["passed", "passed"]
    assert world.issuer["did"] in proofs[0]["reason"]
    assert "co-signer" in proofs[1]["reason"]
    assert signer.key_id.split("#")[0] in proofs[1]["reason"]
    assert "assertionMethod" in proofs[1]["reason"]


def test_one_bad_proof_fails_the_set(world: World) -> None:
    issued = world.issue()["credential"]
    co_signed = add_proof(issued, _cosigner(), created=CREATED)
    broken = copy.deepcopy(co_signed)
    broken["proof"][1]["proofValue"] = broken["proof"][0]["proofValue"]
    assert _verify(world, broken)["verified"] is False
    issuer_broken = copy.deepcopy(co_signed)
    issuer_broken["proof"][0]["proofValue"] = issuer_broken["proof"][1]["proofValue"]
    assert _verify(world, issuer_broken)["verified"] is False


def test_co_signers_alone_are_not_the_issuer(world: World) -> None:
    issued = world.issue()["credential"]
    unsigned = {k: v for k, v in issued.items() if k != "proof"}
    two = add_proof(add_proof(unsigned, _cosigner(), created=CREATED), _cosigner(), created=CREATED)
    body = _verify(world, two)
    assert body["verified"] is False
    [failed] = [c for c in _checks(body, "key_binding") if c["outcome"] == "failed"]
    assert "none of the 2 proofs" in failed["reason"]
    assert world.issuer["did"] in failed["reason"]


def test_a_proof_chain_verifies_and_a_broken_chain_fails(world: World) -> None:
    issued = world.issue()["credential"]
    unsigned = {k: v for k, v in issued.items() if k != "proof"}
    # Unsigned issuer-less parts are fine here: the chain is what is under test.
    base = add_proof(unsigned, _cosigner(), created=CREATED, proof_id="urn:uuid:proof-1")
    chained = add_proof(
        base, _cosigner(), created=CREATED, proof_id="urn:uuid:proof-2",
        previous_proof="urn:uuid:proof-1",
    )  # fmt: skip
    endorsed = add_proof(chained, _cosigner(), created=CREATED)
    body = _verify(world, endorsed)
    proofs = _checks(body, "proof")
    assert [c["outcome"] for c in proofs] == ["passed", "passed", "passed"], proofs

    missing = copy.deepcopy(chained)
    missing["proof"][1]["previousProof"] = "urn:uuid:nowhere"
    reasons = [c["reason"] for c in _checks(_verify(world, missing), "proof")]
    assert any("urn:uuid:nowhere" in r for r in reasons)

    cycle = copy.deepcopy(chained)
    cycle["proof"][0]["previousProof"] = "urn:uuid:proof-2"
    cycled = _verify(world, cycle)
    assert cycled["verified"] is False
    assert any("cycle" in c["reason"] for c in _checks(cycled, "proof"))

    dropped = copy.deepcopy(chained)
    dropped["proof"] = [dropped["proof"][1]]
    assert _verify(world, dropped)["verified"] is False


@pytest.mark.interop
def test_a_co_signature_by_the_reference_stack_is_verified(world: World, now: datetime) -> None:
    issued = world.issue()["credential"]
    # Signed at the test clock's time: a proof from the verifier's future is refused.
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    co_signed = run_node("sign-di.mjs", {"credential": issued, "created": created})["signed"]
    assert len(co_signed["proof"]) == 2
    body = _verify(world, co_signed)
    assert body["verified"] is True, body["errors"]
    assert "co-signer" in _checks(body, "proof")[1]["reason"]


@pytest.mark.parametrize(
    "previous", [{"a": 1}, [[]], [None], "", [], 5, ["urn:uuid:proof-1", {"x": 1}]]
)
def test_hostile_previous_proof_values_fail_cleanly(world: World, previous: Any) -> None:
    issued = world.issue()["credential"]
    co_signed = add_proof(issued, _cosigner(), created=CREATED)
    co_signed["proof"][1]["previousProof"] = previous
    response = world.client.post("/credentials/verify", json={"verifiableCredential": co_signed})
    assert response.status_code == 422, response.text
    assert response.json()["verified"] is False
    assert not any(c["check"] == "internal" for c in response.json()["checks"])


def test_a_long_chain_is_checked_without_recursion(world: World) -> None:
    issued = world.issue()["credential"]
    proofs = [
        {**issued["proof"][0], "id": f"urn:p:{n}", "previousProof": f"urn:p:{n + 1}"}
        for n in range(3000)
    ]
    proofs[-1]["previousProof"] = "urn:p:0"
    from app.verification.proofs import _chain_problem

    assert "cycle" in _chain_problem(proofs)
    proofs[-1].pop("previousProof")
    assert _chain_problem(proofs) == ""
