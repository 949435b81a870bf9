"""Issue 11 item 6: a status list decides only for credentials of its own issuer, at its URL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.core.urls import PublicUrls
from app.crypto.data_integrity import add_proof
from app.crypto.keys import generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner
from app.status.bitstring import Bitstring
from app.verification.service import Verifier
from tests.conftest import TEST_PUBLIC_URL
from tests.verification.conftest import FakeWeb

LIST_URL = "https://lists.example/status/1"
SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def _signer() -> LocalSigner:
    key = generate_private_key("Ed25519")
    did = did_key_for(key.public_key())
    return LocalSigner(key, f"{did}#{did.removeprefix('did:key:')}")


def _did(signer: LocalSigner) -> str:
    return signer.key_id.split("#")[0]


def _status_list(signer: LocalSigner, list_id: str) -> dict[str, Any]:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": _did(signer),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{list_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": Bitstring().encode(),
        },
    }
    return add_proof(document, signer, created=SIGNED_AT)


def _credential(signer: LocalSigner, list_url: str = LIST_URL) -> dict[str, Any]:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:8c4a1d0e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": _did(signer),
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
        "credentialStatus": {
            "id": f"{list_url}#7",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": list_url,
        },
    }
    return add_proof(document, signer, created=SIGNED_AT)


def _status(verifier: Verifier, credential: dict[str, Any]) -> Any:
    report = verifier.credential(credential)
    [status] = [c for c in report.checks if c.check == "status"]
    return status


def test_own_list_decides(offline_verifier: Verifier, fake_web: FakeWeb) -> None:
    issuer_a = _signer()
    fake_web.add_json("lists.example", "/status/1", _status_list(issuer_a, LIST_URL))

    assert _status(offline_verifier, _credential(issuer_a)).outcome == "passed"


def test_another_issuers_list_is_refused(offline_verifier: Verifier, fake_web: FakeWeb) -> None:
    """B's credential pointing at A's list verified: anyone's list could clear anyone."""
    issuer_a, issuer_b = _signer(), _signer()
    fake_web.add_json("lists.example", "/status/1", _status_list(issuer_a, LIST_URL))

    status = _status(offline_verifier, _credential(issuer_b))

    assert status.outcome == "failed"
    assert f"issued by {_did(issuer_a)}" in status.reason
    assert f"not by the credential's issuer {_did(issuer_b)}" in status.reason


def test_list_naming_another_url_is_refused(offline_verifier: Verifier, fake_web: FakeWeb) -> None:
    issuer_a = _signer()
    other = "https://lists.example/status/2"
    fake_web.add_json("lists.example", "/status/1", _status_list(issuer_a, other))

    status = _status(offline_verifier, _credential(issuer_a))

    assert status.outcome == "failed"
    assert f"names itself {other!r}" in status.reason


def test_a_budget_cut_during_the_list_check_is_not_remembered(
    offline_verifier: Verifier, fake_web: FakeWeb
) -> None:
    """Otherwise one request out of budget would fail everyone's status for five minutes."""
    from app.core import budget as work_budget

    issuer_a = _signer()
    fake_web.add_json("lists.example", "/status/1", _status_list(issuer_a, LIST_URL))
    credential = _credential(issuer_a)
    budget = work_budget.WorkBudget(cpu_seconds=60, wall_seconds=60)
    fetch = offline_verifier.resolver.status_list

    def fetch_then_cancel(url: str) -> Any:
        document = fetch(url)
        budget.cancel()
        return document

    offline_verifier.resolver.status_list = fetch_then_cancel  # type: ignore[method-assign]
    cut = work_budget.run_within(budget, lambda: offline_verifier.credential(credential))
    offline_verifier.resolver.status_list = fetch  # type: ignore[method-assign]

    assert [c.check for c in cut.failed] == ["limits"]
    assert _status(offline_verifier, credential).outcome == "passed"


def test_our_issuer_b_cannot_borrow_our_issuer_as_list(world: Any, app: Any) -> None:
    """The same rule for lists we publish ourselves: B's credential on A's list fails."""
    from app.issuers import service as issuer_service
    from tests.support.issuers import create_issuer

    a_credential = world.issue()["credential"]
    b = create_issuer(world.client, world.admin, slug="uni-b", name="University B")
    with app.state.sessionmaker() as session:
        context = issuer_service.load_context(session, "uni-b", urls=PublicUrls(TEST_PUBLIC_URL))
        b_signer = issuer_service.active_signer(app.state.keyring, context)
    forged = {k: v for k, v in a_credential.items() if k != "proof"}
    forged["issuer"] = {**forged["issuer"], "id": b["did"], "name": "University B"}
    signed = add_proof(forged, b_signer, created=SIGNED_AT)

    response = world.client.post("/credentials/verify", json={"verifiableCredential": signed})

    checks = {c["check"]: c for c in response.json()["checks"]}
    assert checks["proof"]["outcome"] == "passed"
    assert checks["status"]["outcome"] == "failed"
    assert f"not by the credential's issuer {b['did']}" in checks["status"]["reason"]
    assert world.issuer["did"] in checks["status"]["reason"]
