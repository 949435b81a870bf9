"""The verification report in plain words, for the pages.

Pages verify in-process with the same ``Verifier`` as ``POST /credentials/verify`` (the
verification package's ``VerifierDep``): our own issuers' keys and status lists come from
the database, anything else over the SSRF-safe fetcher. Here the report becomes short
sentences an employer can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from app.verification.report import Report
from app.verification.service import Verifier

_LABELS: Final = {
    "parsing": "Readable credential",
    "contexts": "Known vocabulary",
    "structure": "Well-formed credential",
    "schema": "Open Badges schema",
    "proof": "Issuer's digital signature",
    "key_binding": "Signing key belongs to the issuer",
    "validity": "Validity dates",
    "status": "Not revoked or suspended",
    "issuer_trust": "Issuer",
    "meaning": "What it certifies",
    "internal": "Verification service",
}
_OUTCOMES: Final = {
    "passed": "Passed",
    "failed": "Failed",
    "warning": "Warning",
    "skipped": "Not checked",
}


@dataclass(frozen=True)
class CheckView:
    label: str
    outcome: str
    outcome_label: str
    reason: str


@dataclass(frozen=True)
class VerificationView:
    verified: bool
    checks: list[CheckView]
    # The registered name only: a name an unknown issuer gives itself is `issuer_claimed_name`,
    # shown as a claim, so that "Issuer uni-a" from any did:key never reads like our uni-a.
    issuer_name: str | None
    issuer_id: str | None
    issuer_registered: bool
    issuer_claimed_name: str | None
    meaning: str | None
    credential: Any


def verify(verifier: Verifier, value: Any) -> VerificationView:
    """Verify a credential (JSON-LD object or VC-JWT string); never raises."""
    return view(verifier.credential(value))


def view(report: Report) -> VerificationView:
    issuer = report.issuer or {}
    registered = bool(issuer.get("registered"))
    name = issuer.get("name") if isinstance(issuer.get("name"), str) else None
    meaning = report.meaning or {}
    statement = meaning.get("statement")
    return VerificationView(
        verified=report.verified,
        checks=[
            CheckView(
                label=_LABELS.get(check.check, check.check.replace("_", " ").capitalize()),
                outcome=check.outcome,
                outcome_label=_OUTCOMES.get(check.outcome, check.outcome),
                reason=_sentence(check.reason),
            )
            for check in report.checks
        ],
        issuer_name=name if registered else None,
        issuer_id=issuer.get("id") if isinstance(issuer.get("id"), str) else None,
        issuer_registered=registered,
        issuer_claimed_name=None if registered else name,
        meaning=statement if isinstance(statement, str) and statement else None,
        credential=report.credential,
    )


def _sentence(reason: str) -> str:
    """Reasons are written as clauses ("its signature verifies"); pages show sentences."""
    text = reason.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
