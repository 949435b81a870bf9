"""Real third-party credentials (tests/vectors/interop/third-party) against their verdicts.

`manifest.json` labels each file; each label requires a particular check to fail (or the
whole report to verify). Where the sources disagree ("disputed"), the verdict we chose is
written down in DISPUTED below, with the reason.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.verification.report import Report
from app.verification.service import Verifier
from app.verification.status_checks import evaluate_status
from tests.verification.conftest import THIRD_PARTY, load_vector

MANIFEST: list[dict[str, Any]] = json.loads((THIRD_PARTY / "manifest.json").read_text())

# The check that must fail for each verdict code (any one of them).
FAILING_CHECK = {
    "invalid-signature": {"proof"},
    "expired": {"validity"},
    "not-yet-valid": {"validity"},
    "revoked": {"status"},
    "malformed": {"contexts", "structure", "proof"},
    "unknown-context": {"contexts"},
    "unsupported-cryptosuite": {"proof"},
    "unsupported-proof": {"proof"},
    "unsupported-format": {"proof"},
    "invalid-key-binding": {"key_binding"},
    "unresolvable-key": {"proof"},
}
# file → (verified?, why we decided so)
DISPUTED = {
    "digitalcredentials-vc-test-fixtures/v2-di-didweb-multikey.json": (
        True,
        "DID documents are read as JSON: a Multikey without the multikey context is accepted",
    ),
    "digitalcredentials-vc-test-fixtures/v1-di-didkey-status-unset.json": (
        False,
        "OB context 3.0.1 is not vendored (fail closed) and its status list is too short",
    ),
    "digitalcredentials-verifier-core/v2-eddsa-didkey-status-unset.json": (
        False,
        "its status list has 100,000 entries: STATUS_LIST_LENGTH_ERROR (BSL §3.2)",
    ),
    "w3c-vc-jose-cose-test-suite/credential-jose-minimal-es256.jwt": (
        True,
        "iat is informational (VC-JOSE-COSE §3.1.3); we never parse it",
    ),
    "w3c-vc-jose-cose-test-suite/credential-issuer-match-eddsa.jwt": (
        True,
        "iat is informational (VC-JOSE-COSE §3.1.3); we never parse it",
    ),
}


def _failed(report: Report) -> set[str]:
    return {check.check for check in report.failed}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"].split("/")[-1] for e in MANIFEST])
def test_manifest_verdicts(entry: dict[str, Any], offline_verifier: Verifier) -> None:
    report = offline_verifier.credential(load_vector(entry["file"]))
    codes = set(entry["expected"])
    failed = _failed(report)

    if entry["file"] in DISPUTED:
        assert report.verified is DISPUTED[entry["file"]][0], report.checks
    elif codes == {"valid"}:
        assert report.verified, report.checks
    else:
        assert not report.verified
    for code in codes - {"valid", "disputed"}:
        assert failed & FAILING_CHECK[code], (code, report.checks)
    assert all(check.reason for check in report.checks)


def test_unresolvable_key_says_why(offline_verifier: Verifier) -> None:
    report = offline_verifier.credential(
        load_vector("1edtech-digital-credentials-public-validator/ob30-simple.json")
    )

    [proof] = [c for c in report.checks if c.check == "proof"]
    assert "could not be obtained" in proof.reason
    assert "https://example.com/issuers/876543" in proof.reason


def test_dcc_status_list_of_another_issuer_cannot_decide(offline_verifier: Verifier) -> None:
    """This fixture's list is signed by another did:key and names itself by another URL.

    It used to reach the length check; a list must now belong to the credential's issuer
    (issue 11), as @digitalbazaar/vc-bitstring-status-list requires by default.
    """
    report = offline_verifier.credential(
        load_vector("digitalcredentials-vc-test-fixtures/v2-di-didkey-revoked.json")
    )

    [status] = [c for c in report.checks if c.check == "status"]
    assert status.outcome == "failed"
    assert "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q" in status.reason
    assert "not by the credential's issuer" in status.reason
    # Its Ed25519Signature2020 proof was checked: ownership comes after verification.
    assert "could not be verified" not in status.reason


DCC_LIST = (
    "digitalcredentials-vc-test-fixtures/served/vc-test-fixtures/statusLists/"
    "didkey-ed25519Signature2020/e5WK8CbZ1GjycuPombrj"
)
ONEEDTECH_LIST = (
    "1edtech-digital-credentials-public-validator/served/1EdTech/"
    "digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/"
    "ob30/bit-string-list/testlist"
)


def _entry(index: int) -> dict[str, Any]:
    return {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": "https://lists.example/1",
    }


@pytest.mark.parametrize(
    ("index", "revoked"), [(2, True), (6, True), (7, False), (8, True), (9, False)]
)
def test_dcc_bits_read_in_rec_order(
    index: int, revoked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the minimum length waived, the bits the fixtures' authors set read as set."""
    monkeypatch.setattr("app.verification.status_checks.MIN_ENTRIES", 100_000)
    status_list = json.loads((THIRD_PARTY / DCC_LIST).read_text())

    check = evaluate_status(_entry(index), status_list, max_bytes=1 << 20)

    assert check.outcome == ("failed" if revoked else "passed")


@pytest.mark.parametrize(
    ("index", "revoked"), [(22, False), (23, True), (24, False), (131_071, False)]
)
def test_1edtech_list_bit_23(index: int, revoked: bool) -> None:
    status_list = json.loads((THIRD_PARTY / ONEEDTECH_LIST).read_text())

    check = evaluate_status(_entry(index), status_list, max_bytes=1 << 20)

    assert check.outcome == ("failed" if revoked else "passed")
    assert check.reason.startswith("revoked") is revoked


def test_index_past_the_end_is_a_range_error() -> None:
    status_list = json.loads((THIRD_PARTY / ONEEDTECH_LIST).read_text())

    check = evaluate_status(_entry(131_072), status_list, max_bytes=1 << 20)

    assert check.outcome == "failed"
    assert check.problem_type is not None
    assert check.problem_type.endswith("#RANGE_ERROR")


def test_status_purpose_must_match_the_list() -> None:
    status_list = json.loads((THIRD_PARTY / ONEEDTECH_LIST).read_text())

    check = evaluate_status({**_entry(1), "statusPurpose": "suspension"}, status_list, 1 << 20)

    assert check.outcome == "failed"
    assert check.problem_type is not None
    assert check.problem_type.endswith("#STATUS_VERIFICATION_ERROR")
