"""The verification report: every check with its outcome, in words an employer understands.

A credential is verified when no check failed and its proof check passed. Warnings (an
unknown issuer, a status type we cannot read) are reported but do not fail it. The JSON form
follows VCALM's verify response (`verified`, `problemDetails`) and the VC data model's
verification result (`warnings`, `errors` as RFC 9457 problem details).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Outcome = Literal["passed", "failed", "warning", "skipped"]

VCDM: Final = "https://www.w3.org/TR/vc-data-model#"
PARSING_ERROR: Final = VCDM + "PARSING_ERROR"
CRYPTOGRAPHIC_SECURITY_ERROR: Final = VCDM + "CRYPTOGRAPHIC_SECURITY_ERROR"
MALFORMED_VALUE_ERROR: Final = VCDM + "MALFORMED_VALUE_ERROR"
RANGE_ERROR: Final = VCDM + "RANGE_ERROR"
PROOF_VERIFICATION_ERROR: Final = "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
STATUS: Final = "https://www.w3.org/ns/credentials/status-list#"
STATUS_RETRIEVAL_ERROR: Final = STATUS + "STATUS_RETRIEVAL_ERROR"
STATUS_VERIFICATION_ERROR: Final = STATUS + "STATUS_VERIFICATION_ERROR"
STATUS_LIST_LENGTH_ERROR: Final = STATUS + "STATUS_LIST_LENGTH_ERROR"

# Checks the specs give no problem type for are named under our own problem base URL.
_TITLES: Final = {
    "parsing": "Unreadable input",
    "contexts": "Unknown or invalid JSON-LD context",
    "structure": "Not a well-formed credential",
    "proof": "Signature not verified",
    "key_binding": "Signing key not bound to the issuer",
    "validity": "Outside its validity period",
    "status": "Status problem",
    "related_resource": "Related resource does not match its digest",
    "issuer_trust": "Issuer not known",
    "meaning": "Meaning not read",
    "holder": "Presenter not bound to the presentation",
    "credentials": "An included or presented credential did not verify",
    "successor": "Superseded by a corrected credential",
    "limits": "Too much work to verify",
}


@dataclass(frozen=True, slots=True)
class Check:
    check: str
    outcome: Outcome
    reason: str
    problem_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"check": self.check, "outcome": self.outcome, "reason": self.reason}
        if self.problem_type:
            body["problem_type"] = self.problem_type
        return body

    def problem(self, problem_base: str) -> dict[str, Any]:
        """This check as an RFC 9457 problem detail (type is always a URL)."""
        return {
            "type": self.problem_type or f"{problem_base}/verification-{self.check}",
            "title": _TITLES.get(self.check, "Verification problem"),
            "detail": self.reason,
            "check": self.check,
        }


@dataclass
class Report:
    """Checks in the order they ran, plus what was verified and what it means."""

    checks: list[Check] = field(default_factory=list)
    credential: Any = None
    media_type: str | None = None
    meaning: dict[str, Any] | None = None
    issuer: dict[str, Any] | None = None
    # False only for unsigned presentations, whose credentials carry their own proofs.
    require_proof: bool = True
    # A credential of ours that was re-issued: the id of the corrected one.
    successor: str | None = None
    # The reports of the credentials a CLR includes, in order.
    nested: list[Report] = field(default_factory=list)

    def add(
        self, check: str, outcome: Outcome, reason: str, problem_type: str | None = None
    ) -> Check:
        entry = Check(check, outcome, reason, problem_type)
        self.checks.append(entry)
        return entry

    def extend(self, checks: Iterable[Check]) -> None:
        self.checks.extend(checks)

    def outcome_of(self, check: str) -> Outcome | None:
        """The worst outcome among checks of this name (None when it never ran)."""
        outcomes = {c.outcome for c in self.checks if c.check == check}
        order: tuple[Outcome, ...] = ("failed", "warning", "passed", "skipped")
        for worst in order:
            if worst in outcomes:
                return worst
        return None

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.outcome == "failed"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.outcome == "warning"]

    @property
    def verified(self) -> bool:
        # A signature that was never checked never verifies, whatever else passed.
        if self.failed or not self.checks:
            return False
        signed = any(c.check == "proof" and c.outcome == "passed" for c in self.checks)
        return signed or not self.require_proof

    def to_json(self, *, problem_base: str, include_credential: bool = True) -> dict[str, Any]:
        errors = [c.problem(problem_base) for c in self.failed]
        warnings = [c.problem(problem_base) for c in self.warnings]
        body: dict[str, Any] = {
            "verified": self.verified,
            "checks": [c.to_json() for c in self.checks],
            "warnings": warnings,
            "errors": errors,
            "problemDetails": errors + warnings,
        }
        if self.media_type:
            body["mediaType"] = self.media_type
        if self.issuer is not None:
            body["issuer"] = self.issuer
        if self.meaning is not None:
            body["meaning"] = self.meaning
        if self.successor is not None:
            body["successor"] = self.successor
        if include_credential and self.credential is not None:
            body["credential"] = self.credential
        if self.nested:
            body["credentials"] = [
                item.to_json(problem_base=problem_base, include_credential=False)
                for item in self.nested
            ]
        return body


_SYMBOLS: Final = {"passed": "ok  ", "failed": "FAIL", "warning": "warn", "skipped": "skip"}


def render_text(report: Report) -> str:
    """The report in words, one line per check, for the command line."""
    lines = ["VERIFIED" if report.verified else "NOT VERIFIED"]
    if report.issuer and report.issuer.get("id"):
        name = report.issuer.get("name")
        lines.append(f"issuer: {name} ({report.issuer['id']})" if name else report.issuer["id"])
    if report.meaning and report.meaning.get("statement"):
        lines.append(f"meaning: {report.meaning['statement']}")
    lines.extend(f"  [{_SYMBOLS[c.outcome]}] {c.check}: {c.reason}" for c in report.checks)
    for number, item in enumerate(report.nested, start=1):
        verdict = "VERIFIED" if item.verified else "NOT VERIFIED"
        why = f": {item.failed[0].reason}" if item.failed else ""
        lines.append(f"  included credential {number}: {verdict}{why}")
    return "\n".join(lines)
