"""Credentials signed by the reference JavaScript stack (@digitalbazaar/vc) verify here."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.verification.service import Verifier
from tests.interop.node import run_node
from tests.verification.conftest import load_vector

pytestmark = pytest.mark.interop

TEMPLATES = [
    "digitalcredentials-vc-test-fixtures/v2-di-didkey-obspec-example.json",
    "digitalcredentials-vc-test-fixtures/v2-di-didkey-minimal-plain-vc.json",
    "digitalcredentials-vc-test-fixtures/v2-di-didkey-complex-issuer.json",
]


def _unsigned(name: str) -> dict[str, Any]:
    credential: dict[str, Any] = load_vector(name)
    credential.pop("proof", None)
    return credential


def _sign(credential: dict[str, Any], seed: str) -> dict[str, Any]:
    result = run_node(
        "sign-di.mjs",
        {
            "credential": credential,
            "seed": seed,
            "setIssuer": True,
            "created": "2026-01-01T00:00:00Z",
        },
    )
    signed: dict[str, Any] = result["signed"]
    return signed


@pytest.mark.parametrize("name", TEMPLATES)
def test_reference_signed_credentials_verify(name: str, offline_verifier: Verifier) -> None:
    signed = _sign(_unsigned(name), seed="11" * 32)

    report = offline_verifier.credential(signed)

    assert report.verified, report.checks
    [proof] = [c for c in report.checks if c.check == "proof"]
    assert proof.reason == "the eddsa-rdfc-2022 signature is valid"


def test_reference_signed_credential_tampered_after_signing_fails(
    offline_verifier: Verifier,
) -> None:
    signed = _sign(_unsigned(TEMPLATES[0]), seed="22" * 32)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"

    report = offline_verifier.credential(tampered)

    assert not report.verified
    assert [c.outcome for c in report.checks if c.check == "proof"] == ["failed"]
