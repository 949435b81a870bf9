"""Status lists of other issuers, fetched from the (fake) web: BSL §3.2 step by step."""

from __future__ import annotations

from typing import Any

import pytest

from app.crypto.data_integrity import add_proof
from app.crypto.jws import sign_vc_jwt
from app.crypto.signer import LocalSigner
from app.status.bitstring import Bitstring
from app.verification.report import (
    STATUS_LIST_LENGTH_ERROR,
    STATUS_RETRIEVAL_ERROR,
    STATUS_VERIFICATION_ERROR,
    Report,
)
from app.verification.service import Verifier
from tests.support.remote_status import LIST_URL, NOW, V2, did_key_signer
from tests.verification.conftest import FakeWeb


def _status_list(issuer: str, *, revoked: int, length: int = 131_072) -> dict[str, Any]:
    bits = Bitstring(length)
    bits.set(revoked, True)
    return {
        "@context": [V2],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
        },
    }


def _credential(signer: LocalSigner, issuer: str, index: int) -> dict[str, Any]:
    return add_proof(
        {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": {
                "id": f"{LIST_URL}#{index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(index),
                "statusListCredential": LIST_URL,
            },
        },
        signer,
        created=NOW,
    )


def _status(report: Report) -> tuple[str, str, str | None]:
    [check] = [c for c in report.checks if c.check == "status"]
    return check.outcome, check.reason, check.problem_type


@pytest.fixture
def issuer() -> tuple[str, LocalSigner]:
    return did_key_signer()


@pytest.mark.parametrize("form", ["json", "jwt"])
@pytest.mark.parametrize(("index", "revoked"), [(4242, True), (4243, False)])
def test_remote_list_bit_decides(
    form: str,
    index: int,
    revoked: bool,
    issuer: tuple[str, LocalSigner],
    fake_web: FakeWeb,
    offline_verifier: Verifier,
) -> None:
    did, signer = issuer
    status_list = _status_list(did, revoked=4242)
    if form == "json":
        fake_web.add_json("status.example", "/lists/1", add_proof(status_list, signer, created=NOW))
    else:
        token = sign_vc_jwt(status_list, signer, issued_at=NOW)
        fake_web.add(
            "status.example", "/lists/1", token.encode(), {"content-type": "application/vc+jwt"}
        )

    report = offline_verifier.credential(_credential(signer, did, index))

    assert report.verified is not revoked, report.checks
    outcome, reason, _ = _status(report)
    assert outcome == ("failed" if revoked else "passed")
    assert reason.startswith("revoked" if revoked else "not revoked")


def test_list_fetched_once_and_verified_once(
    issuer: tuple[str, LocalSigner], fake_web: FakeWeb, offline_verifier: Verifier
) -> None:
    did, signer = issuer
    fake_web.add_json(
        "status.example",
        "/lists/1",
        add_proof(_status_list(did, revoked=1), signer, created=NOW),
        **{"cache-control": "max-age=120"},
    )

    for index in (10, 11, 12):
        assert offline_verifier.credential(_credential(signer, did, index)).verified

    assert len(fake_web.requests) == 1
    assert len(offline_verifier.status_cache._entries) == 1


def test_unsigned_or_forged_list_is_a_verification_error(
    issuer: tuple[str, LocalSigner], fake_web: FakeWeb, offline_verifier: Verifier
) -> None:
    did, signer = issuer
    _, forger = did_key_signer()
    forged = add_proof(_status_list(did, revoked=1), forger, created=NOW)
    fake_web.add_json("status.example", "/lists/1", forged)

    report = offline_verifier.credential(_credential(signer, did, 5))

    outcome, reason, problem = _status(report)
    assert outcome == "failed"
    assert problem == STATUS_VERIFICATION_ERROR
    assert "not to the issuer" in reason


def test_short_list_is_a_length_error(
    issuer: tuple[str, LocalSigner], fake_web: FakeWeb, offline_verifier: Verifier
) -> None:
    did, signer = issuer
    short = add_proof(_status_list(did, revoked=1, length=8192), signer, created=NOW)
    fake_web.add_json("status.example", "/lists/1", short)

    _, _, problem = _status(offline_verifier.credential(_credential(signer, did, 5)))

    assert problem == STATUS_LIST_LENGTH_ERROR


def test_missing_list_is_a_retrieval_error(
    issuer: tuple[str, LocalSigner], offline_verifier: Verifier
) -> None:
    did, signer = issuer

    outcome, reason, problem = _status(offline_verifier.credential(_credential(signer, did, 5)))

    assert outcome == "failed"
    assert problem == STATUS_RETRIEVAL_ERROR
    assert "404" in reason


def test_trusted_issuers_from_settings(issuer: tuple[str, LocalSigner], fetcher: Any) -> None:
    from app.verification.resolver import Resolver

    did, signer = issuer
    document = add_proof(
        {"@context": [V2], "type": ["VerifiableCredential"], "issuer": did,
         "credentialSubject": {"id": "did:example:x"}},
        signer,
        created=NOW,
    )  # fmt: skip

    trusted = Verifier(resolver=Resolver(fetcher), now=NOW, trusted_issuers=(did,))
    unknown = Verifier(resolver=Resolver(fetcher), now=NOW)

    assert trusted.credential(document).outcome_of("issuer_trust") == "passed"
    assert unknown.credential(document).outcome_of("issuer_trust") == "warning"
    assert unknown.credential(document).verified
