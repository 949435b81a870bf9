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

from app.core.urls import PublicUrls
from app.errors import AppError
from app.frameworks import alignment as framework_alignment
from app.verification import meaning as meaning_module
from app.verification.report import Report
from app.verification.service import Verifier
from app.vocabularies import recognition
from app.web.i18n import N_
from app.web.i18n import gettext as _
from app.web.reasons import flags, statement, translate

_LABELS: Final = {
    "parsing": N_("Readable credential"),
    "contexts": N_("Known vocabulary"),
    "structure": N_("Well-formed credential"),
    "schema": N_("Open Badges schema"),
    "proof": N_("Issuer's digital signature"),
    "key_binding": N_("Signing key belongs to the issuer"),
    "validity": N_("Validity dates"),
    "related_resource": N_("Linked files unchanged"),
    "status": N_("Not revoked or suspended"),
    "issuer_trust": N_("Issuer"),
    "meaning": N_("What it certifies"),
    "accreditation": N_("Accreditation"),
    "successor": N_("Replaced"),
    "internal": N_("Verification service"),
}
_OUTCOMES: Final = {
    "passed": N_("Passed"),
    "failed": N_("Failed"),
    "warning": N_("Warning"),
    "skipped": N_("Not checked"),
    "claimed": N_("Claimed, not verified"),
}
# Checks that only read the credential's own claims: without a valid signature bound to the
# issuer's key, anyone could have written them, so they are never shown as "Passed".
_CLAIM_CHECKS: Final = frozenset({"issuer_trust", "meaning", "accreditation"})
_CREDENTIAL_TYPES: Final = frozenset({"VerifiableCredential", "EnvelopedVerifiableCredential"})
_NOT_A_CREDENTIAL: Final = N_(
    "This is JSON, but not a credential: its type does not include VerifiableCredential."
)


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
    # The reason of the first failure, in one sentence; None when verified.
    headline: str | None = None
    # The signature verified with a key bound to the issuer: only then are claims facts.
    authentic: bool = False


def verify(verifier: Verifier, value: Any) -> VerificationView:
    """Verify a credential (JSON-LD object or VC-JWT string); never raises."""
    return view(verifier.credential(value))


def view(report: Report) -> VerificationView:
    issuer = report.issuer or {}
    registered = bool(issuer.get("registered"))
    name = issuer.get("name") if isinstance(issuer.get("name"), str) else None
    meaning = report.meaning or {}
    said = meaning.get("statement")
    authentic = (
        report.outcome_of("proof") == "passed" and report.outcome_of("key_binding") != "failed"
    )
    not_a_credential = _not_a_credential(report)
    checks = []
    for check in report.checks:
        outcome: str = check.outcome
        # The meaning check's reason is the statement of what the credential certifies.
        translated = (
            statement(check.reason) if check.check == "meaning" else translate(check.reason)
        )
        # English clauses get a capital; a translation may start with an identifier.
        reason = _sentence(translated, capital=translated == check.reason)
        if check.check == "parsing" and not_a_credential:
            outcome, reason = "failed", _(_NOT_A_CREDENTIAL)
        elif check.check in _CLAIM_CHECKS and outcome == "passed" and not authentic:
            outcome = "claimed"
        checks.append(
            CheckView(
                label=_(_LABELS.get(check.check, check.check.replace("_", " ").capitalize())),
                outcome=outcome,
                outcome_label=_(_OUTCOMES.get(outcome, outcome)),
                reason=reason,
            )
        )
    failed = [check for check in checks if check.outcome == "failed"]
    verified = report.verified and not not_a_credential
    # A registered issuer's name is shown as such only when the signature proves it is theirs.
    known = registered and authentic
    return VerificationView(
        verified=verified,
        checks=checks,
        issuer_name=name if known else None,
        issuer_id=issuer.get("id") if isinstance(issuer.get("id"), str) else None,
        issuer_registered=known,
        issuer_claimed_name=None if known else name,
        meaning=statement(said) if isinstance(said, str) and said else None,
        credential=report.credential,
        prepares_for=flags(_text(meaning.get("preparesFor")) or "") or None,
        headline=None if verified else (failed[0].reason if failed else _(_UNVERIFIED)),
        authentic=authentic,
    )


_UNVERIFIED: Final = N_("It carries no signature that could be verified.")


def _not_a_credential(report: Report) -> bool:
    """Readable JSON whose type does not say it is a credential (a random JSON file)."""
    document = report.credential
    if not isinstance(document, Mapping) or report.outcome_of("parsing") != "passed":
        return False
    types = document.get("type")
    named = {types} if isinstance(types, str) else set(types) if isinstance(types, list) else set()
    return not (named & _CREDENTIAL_TYPES) and "vct" not in document


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class PrintedMeaning:
    """What the PDF certificate says a stored credential is worth (it has no report)."""

    linkages: tuple[str, ...] = ()
    prepares_for: str | None = None


def printed_meaning(
    session: Session, urls: PublicUrls, document: Mapping[str, Any]
) -> PrintedMeaning:
    """The levels with their equivalents ("… equals Level 6 (EQF)") and "prepares for …",
    read the way the verifier reads them for the credential page."""

    def level(url: str) -> dict[str, Any] | None:
        found = urls.parse_level(url)
        if found is None:
            return None
        try:
            return framework_alignment.describe_alignment(session, *found)
        except AppError:  # a level removed since issuance: the printed name is all there is
            return None

    described = meaning_module.describe(
        document, level, lambda entry: recognition.recognise(session, urls, entry)
    )
    alignments = (described or {}).get("alignments", [])
    linkages = tuple(
        statement(str(aligned["frameworkLevel"]["statement"]))
        for aligned in alignments
        if isinstance(aligned.get("frameworkLevel"), Mapping)
        and aligned["frameworkLevel"].get("statement")
    )
    prepares_for = _text((described or {}).get("preparesFor"))
    return PrintedMeaning(linkages, statement(prepares_for) if prepares_for else None)


def _sentence(reason: str, *, capital: bool = True) -> str:
    """Reasons are written as clauses ("its signature verifies"); pages show sentences."""
    text = reason.strip()
    if not text:
        return ""
    if capital:
        text = text[0].upper() + text[1:]
    if text.endswith((".", "!", "?", "。", "！", "？")):
        return text
    return text + _(".")
