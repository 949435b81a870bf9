"""The verification report in plain words, for the pages.

Pages verify in-process with the same ``Verifier`` as ``POST /credentials/verify`` (the
verification package's ``VerifierDep``): our own issuers' keys and status lists come from
the database, anything else over the SSRF-safe fetcher. Here the report becomes short
sentences an employer can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from app.verification import meaning as meaning_module
from app.verification.report import Report
from app.verification.service import Verifier
from app.vocabularies import recognition

_LABELS: Final = {
    "parsing": "Readable credential",
    "contexts": "Known vocabulary",
    "structure": "Well-formed credential",
    "schema": "Open Badges schema",
    "proof": "Issuer's digital signature",
    "key_binding": "Signing key belongs to the issuer",
    "validity": "Validity dates",
    "related_resource": "Linked files unchanged",
    "status": "Not revoked or suspended",
    "issuer_trust": "Issuer",
    "meaning": "What it certifies",
    "successor": "Replaced",
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
    prepares_for: str | None = None


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
        prepares_for=_text(meaning.get("preparesFor")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def prepares_for(session: Session, public_url: str, document: Mapping[str, Any]) -> str | None:
    """The "prepares for …" sentence of a stored credential (for the PDF, which has no report)."""
    described = meaning_module.describe(
        document, None, lambda entry: recognition.recognise(session, public_url, entry)
    )
    return _text((described or {}).get("preparesFor"))


def _sentence(reason: str) -> str:
    """Reasons are written as clauses ("its signature verifies"); pages show sentences."""
    text = reason.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
