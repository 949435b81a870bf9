"""Multi-bit status (BSL §2.1, §3.2): statusSize > 1, statusMessage, statusReference."""

from __future__ import annotations

from typing import Any

import pytest

from app.crypto.data_integrity import add_proof
from app.crypto.signer import LocalSigner
from app.status.bitstring import Bitstring
from app.verification.service import Verifier
from app.verification.status_checks import evaluate_status, status_entry_problem
from tests.support.remote_status import LIST_URL, NOW, V2, did_key_signer
from tests.verification.conftest import FakeWeb

MESSAGES = [
    {"status": "0x0", "message": "valid"},
    {"status": "0x1", "message": "under review"},
    {"status": "0x2", "message": "superseded"},
    {"status": "0x3", "message": "withdrawn"},
]
REFERENCE = "https://status.example/what-the-values-mean"


def _entry(index: int, purpose: str = "message", **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{LIST_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
        "statusSize": 2,
        "statusMessage": MESSAGES,
        "statusReference": REFERENCE,
        **extra,
    }


def _list(issuer: str, values: dict[int, int], purpose: str = "message") -> dict[str, Any]:
    bits = Bitstring(131_072 * 2)
    for index, value in values.items():
        bits.set(index * 2, bool(value & 2))
        bits.set(index * 2 + 1, bool(value & 1))
    return {
        "@context": [V2],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode(),
        },
    }


@pytest.mark.parametrize(("value", "message"), [(0, "valid"), (2, "superseded"), (3, "withdrawn")])
def test_the_message_for_the_value_found_is_reported(value: int, message: str) -> None:
    check = evaluate_status(_entry(7), _list("did:example:x", {7: value}), 10_000_000)
    assert check.outcome == "passed"
    assert hex(value) in check.reason
    assert message in check.reason
    assert REFERENCE in check.reason


def test_a_value_the_messages_do_not_describe_is_a_warning() -> None:
    duplicate = [*MESSAGES[:3], {"status": "0x0", "message": "dup"}]
    entry = _entry(7, statusMessage=duplicate)
    assert "listed twice" in status_entry_problem(entry)
    partial = {**_entry(7), "statusSize": 1, "statusMessage": [MESSAGES[0]]}
    assert status_entry_problem(partial) == ""
    status_list = _list("did:example:x", {})
    bits = Bitstring(131_072)
    bits.set(7, True)
    status_list["credentialSubject"]["encodedList"] = bits.encode()
    check = evaluate_status(partial, status_list, 10_000_000)
    assert check.outcome == "warning"
    assert "does not describe" in check.reason


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"statusMessage": MESSAGES[:3]}, "needs 4 statusMessage entries"),
        ({"statusMessage": [*MESSAGES[:3], {"status": "0x4", "message": "x"}]}, "does not fit"),
        ({"statusMessage": [*MESSAGES[:3], {"status": "3", "message": "x"}]}, "hexadecimal"),
        ({"statusMessage": [*MESSAGES[:3], {"status": "0x3"}]}, "no message"),
        ({"statusSize": 0}, "between 1 and 16"),
        ({"statusSize": True}, "between 1 and 16"),
    ],
)
def test_malformed_multi_bit_entries_are_named(changes: dict[str, Any], problem: str) -> None:
    assert problem in status_entry_problem({**_entry(1), **changes})


def test_multi_bit_revocation_reads_every_bit() -> None:
    entry = _entry(9, purpose="revocation")
    revoked = evaluate_status(entry, _list("did:x", {9: 1}, "revocation"), 10_000_000)
    assert revoked.outcome == "failed"
    assert "under review" in revoked.reason
    fine = evaluate_status(entry, _list("did:x", {8: 3, 10: 3}, "revocation"), 10_000_000)
    assert fine.outcome == "passed"


def test_a_short_multi_bit_list_is_a_length_error() -> None:
    status_list = _list("did:x", {})
    bits = Bitstring(131_072)  # enough bits for 131,072 one-bit entries, half as many two-bit
    status_list["credentialSubject"]["encodedList"] = bits.encode()
    check = evaluate_status(_entry(1), status_list, 10_000_000)
    assert check.outcome == "failed"
    assert "65536 entries" in check.reason


def test_a_remote_multi_bit_list_end_to_end(fake_web: FakeWeb, offline_verifier: Verifier) -> None:
    did, signer = did_key_signer()
    fake_web.add_json(
        "status.example", "/lists/1", add_proof(_list(did, {42: 2}), signer, created=NOW)
    )
    credential = _credential(signer, did, _entry(42))
    report = offline_verifier.credential(credential)
    assert report.verified, report.checks
    [status] = [c for c in report.checks if c.check == "status"]
    assert "superseded" in status.reason
    assert REFERENCE in status.reason


def _credential(signer: LocalSigner, issuer: str, entry: dict[str, Any]) -> dict[str, Any]:
    return add_proof(
        {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": entry,
        },
        signer,
        created=NOW,
    )
