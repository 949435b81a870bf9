"""Verification of credentials and presentations: runs every check and builds the report.

The same code verifies our own credentials and anyone else's; only key and status list
retrieval differ (see `resolver.py`). Checks run in a fixed order and later ones still run
when an earlier one fails, so the report names every problem (VCALM asks for all of them).
Nothing here raises for bad input: an unexpected error becomes a failed check.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from app.core import budget as work_budget
from app.status.bitstring import DEFAULT_MAX_DECODED_BYTES
from app.verification import accreditation as accreditation_checks
from app.verification import meaning as meaning_module
from app.verification.checks import (
    as_list,
    check_contexts,
    check_issuer_trust,
    check_validity,
    issuer_id,
)
from app.verification.credential_input import ENVELOPED, CredentialInput, read_credential
from app.verification.did_documents import ResolutionError
from app.verification.jwt_proofs import check_jwt
from app.verification.limits import VerifyLimits
from app.verification.presentations import check_presentation
from app.verification.proofs import check_data_integrity, rdfc_verified
from app.verification.related import check_related_resources
from app.verification.report import (
    MALFORMED_VALUE_ERROR,
    PARSING_ERROR,
    STATUS_RETRIEVAL_ERROR,
    STATUS_VERIFICATION_ERROR,
    Check,
    Report,
)
from app.verification.resolver import Resolver
from app.verification.status_cache import StatusListCache
from app.verification.status_checks import (
    STATUS_ENTRY,
    evaluate_status,
    list_ownership_problem,
    status_entry_problem,
)
from app.verification.structure import check_structure

log = logging.getLogger("learnproof.verification")

# A Comprehensive Learner Record carries credentials with their own proofs; each is verified,
# within a budget per Verifier (one per request), so a batch of records stays bounded.
MAX_NESTED_CREDENTIALS = 100
NESTING_TYPES = frozenset({"ClrCredential"})


@dataclass
class Verifier:
    """What one verification needs: where keys come from, the time, and the policy."""

    resolver: Resolver
    now: datetime
    skew: timedelta = timedelta(seconds=300)
    trusted_issuers: Sequence[str] = ()
    status_cache: StatusListCache = field(default_factory=StatusListCache)
    max_list_bytes: int = DEFAULT_MAX_DECODED_BYTES
    nested_budget: int = MAX_NESTED_CREDENTIALS
    # Tighter than the signing defaults: untrusted input must fail fast, and a real
    # credential canonicalizes in milliseconds with a few hundred quads.
    limits: VerifyLimits = field(default_factory=VerifyLimits)

    def credential(
        self, value: Any, *, check_status: bool = True, check_nested: bool = True
    ) -> Report:
        """Verify one credential (JSON-LD object, VC-JWT string or envelope); never raises.

        A CLR's included credentials are verified too, one report each (not CLRs in CLRs).
        """
        report = Report()
        try:
            if (budget := work_budget.current()) is not None:
                budget.check_now()
            parsed = read_credential(value, max_nodes=self.limits.max_json_values)
            self._credential(parsed, report, check_status)
            if check_status and check_nested and isinstance(report.credential, Mapping):
                self._nested(report.credential, report)
        except work_budget.WorkLimitExceeded as spent:
            report.add("limits", "failed", f"not verified: {spent.reason}")
        except Exception:  # noqa: BLE001 - the report must survive any bug in a check
            log.exception("verification stopped by an unexpected error")
            report.add("internal", "failed", "an unexpected error stopped the verification")
        return report

    def _credential(self, parsed: CredentialInput, report: Report, check_status: bool) -> None:
        report.media_type = parsed.media_type
        if parsed.kind == "unreadable" or parsed.document is None:
            report.add("parsing", "failed", parsed.problem, PARSING_ERROR)
            if parsed.unsupported:
                report.add("proof", "failed", f"unsupported format: {parsed.problem}")
            return
        document = parsed.document
        report.credential = document
        report.add("parsing", "passed", _describe_input(parsed))
        contexts_at = len(report.checks)
        report.extend(check_structure(document))
        if parsed.kind == "jwt":
            if "vc" in document or "vp" in document:
                reason = "its JWT payload carries 'vc'/'vp' claims, which VC-JOSE-COSE forbids"
                report.add("structure", "failed", reason, MALFORMED_VALUE_ERROR)
            proofs = check_jwt(
                parsed, self.resolver, now=self.now, skew=self.skew, purpose="assertionMethod"
            )
        else:
            proofs = check_data_integrity(
                document,
                self.resolver,
                purpose="assertionMethod",
                owner=issuer_id(document),
                now=self.now,
                limits=self.limits.canonicalization(),
                skew=self.skew,
            )
        terms_checked = parsed.kind == "json-ld" and rdfc_verified(document, proofs)
        contexts = check_contexts(document, terms_checked=terms_checked, jwt=parsed.kind == "jwt")
        report.checks.insert(contexts_at, contexts)
        report.extend(proofs)
        report.checks.append(check_validity(document, now=self.now, skew=self.skew))
        if check_status:
            report.extend(check_related_resources(document, self.resolver.resource))
            self._prefetch(document)
            report.extend(self._status(document))
            self._successor(document, report)
            self._issuer_and_meaning(document, report)

    def _prefetch(self, document: Mapping[str, Any]) -> None:
        credential_id = document.get("id")
        if not isinstance(credential_id, str):
            return
        entries = as_list(document.get("credentialStatus"))
        urls = [e.get("statusListCredential") for e in entries if isinstance(e, Mapping)]
        self.resolver.prefetch(credential_id, [url for url in urls if isinstance(url, str)])

    def _successor(self, document: Mapping[str, Any], report: Report) -> None:
        """A re-issued credential of ours names the corrected one that replaced it."""
        credential_id = document.get("id")
        if not isinstance(credential_id, str):
            return
        successor = self.resolver.successor_of(credential_id)
        if successor is not None:
            report.successor = successor
            reason = f"the issuer replaced it with a corrected credential: {successor}"
            report.add("successor", "warning", reason)

    def _nested(self, document: Mapping[str, Any], report: Report) -> None:
        if not NESTING_TYPES & set(map(str, as_list(document.get("type")))):
            return
        items = included_credentials(document)
        if not items:
            report.add("credentials", "skipped", "it includes no credentials")
            return
        if len(items) > self.nested_budget:
            reason = f"it includes {len(items)} credentials and this request may verify only "
            reason += f"{self.nested_budget} more included credentials, so none was verified"
            report.add("credentials", "failed", reason)
            return
        self.nested_budget -= len(items)
        report.nested = [self.credential(item, check_nested=False) for item in items]
        bad = [i for i, r in enumerate(report.nested, start=1) if not r.verified]
        if bad:
            first = report.nested[bad[0] - 1].failed
            why = first[0].reason if first else "it did not verify"
            reason = f"{len(bad)} of {len(items)} included credentials did not verify "
            reason += f"(credential {bad[0]}: {why})"
            report.add("credentials", "failed", reason)
        else:
            report.add("credentials", "passed", f"all {len(items)} included credentials verify")

    def _issuer_and_meaning(self, document: Mapping[str, Any], report: Report) -> None:
        issuer = issuer_id(document)
        registered = isinstance(issuer, str) and self.resolver.owns(issuer)
        own_name = self.resolver.issuer_name(issuer) if registered else None
        report.checks.append(
            check_issuer_trust(
                issuer, own_name=own_name, registered=registered, trusted=self.trusted_issuers
            )
        )
        stated = document.get("issuer")
        name = stated.get("name") if isinstance(stated, Mapping) else None
        report.issuer = {
            "id": issuer,
            "name": own_name or (name if isinstance(name, str) else None),
            "registered": own_name is not None,
            "trusted": report.outcome_of("issuer_trust") == "passed",
        }
        own = self.resolver.own
        report.meaning = meaning_module.describe(
            document, self._level_lookup(), own.describe_target if own is not None else None
        )
        report.checks.append(meaning_module.meaning_check(report.meaning))
        report.checks.append(self._accreditation(issuer, document, report))

    def _accreditation(self, issuer: Any, document: Mapping[str, Any], report: Report) -> Check:
        own = self.resolver.own
        if report.meaning is None:
            return Check("accreditation", "skipped", "it names no achievement to be accredited for")
        if own is None or not isinstance(issuer, str):
            reason = "accreditations are known only to a verifier with the registry's database"
            return Check("accreditation", "skipped", reason)
        held = own.accreditations(issuer)
        if held is None:
            reason = "this service trusts no accrediting body, so accreditation is not checked"
            return Check("accreditation", "skipped", reason)
        check, considered = accreditation_checks.check(
            [self._verified(view) for view in held],
            accreditation_checks.claims_from(report.meaning, document),
            own.level_ordinal,
        )
        if report.issuer is not None:
            report.issuer["accreditations"] = considered
        return check

    def _verified(
        self, view: accreditation_checks.AccreditationView
    ) -> accreditation_checks.AccreditationView:
        """An external body's accreditation, with its own verification folded in."""
        if view.credential is None:
            return view
        # It names no achievement, so its own accreditation check is skipped: no recursion.
        report = self.credential(view.credential)
        if report.verified:
            return view
        if report.outcome_of("status") == "failed":
            return replace(view, revoked=True)
        why = report.failed[0].reason if report.failed else "it did not verify"
        problem = f"the accreditation credential does not verify: {why}"
        return replace(view, problems=[problem])

    def _level_lookup(self) -> meaning_module.LevelLookup | None:
        own = self.resolver.own
        if own is None:
            return None

        def lookup(url: str) -> dict[str, Any] | None:
            level = own.level_of(url)
            return own.describe_level(*level) if level is not None else None

        return lookup

    def _status(self, document: Mapping[str, Any]) -> list[Check]:
        entries = as_list(document.get("credentialStatus"))
        if not entries:
            return [Check("status", "skipped", "it has no status entry, so it cannot be revoked")]
        checks = []
        for entry in entries:
            kind = entry.get("type") if isinstance(entry, Mapping) else None
            if isinstance(entry, Mapping) and kind != STATUS_ENTRY:
                reason = f"its status of type {kind!r} was not checked: only {STATUS_ENTRY} "
                reason += "is supported"
                checks.append(Check("status", "warning", reason))
                continue
            problem = status_entry_problem(entry)
            if problem:
                checks.append(Check("status", "failed", problem, MALFORMED_VALUE_ERROR))
                continue
            checks.append(self._one_status(entry, issuer_id(document)))
        return checks

    def _one_status(self, entry: Mapping[str, Any], issuer: Any) -> Check:
        url = entry["statusListCredential"]
        try:
            status_list = self.resolver.status_list(url)
        except ResolutionError as error:
            reason = f"the status list could not be retrieved: {error}"
            return Check("status", "failed", reason, STATUS_RETRIEVAL_ERROR)
        digest = hashlib.sha256(
            json.dumps(status_list, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        known, failure = self.status_cache.get((url, digest))
        if not known:
            failure = self._verify_status_list(status_list)
            self.status_cache.put((url, digest), failure)
        if failure is not None:
            return failure
        document = status_list if isinstance(status_list, Mapping) else _jwt_payload(status_list)
        problem = list_ownership_problem(document, url, issuer)
        if problem:
            return Check("status", "failed", problem, STATUS_VERIFICATION_ERROR)
        return evaluate_status(
            entry, document, self.max_list_bytes, decode=self.status_cache.decoded
        )

    def _verify_status_list(self, status_list: Any) -> Check | None:
        """None when the list credential verifies; else the failed status check."""
        report = self.credential(status_list, check_status=False)
        spent = next((c for c in report.checks if c.check == "limits"), None)
        if spent is not None:
            # This request ran out of budget: nothing to remember about the list itself.
            raise work_budget.WorkLimitExceeded(spent.reason.removeprefix("not verified: "))
        if report.verified and report.credential is not None:
            return None
        first = report.failed[0].reason if report.failed else "it carries no valid proof"
        reason = f"the status list could not be verified ({first})"
        return Check("status", "failed", reason, STATUS_VERIFICATION_ERROR)

    def presentation(
        self, value: Any, *, challenge: str | None, domain: str | None, signed: bool = True
    ) -> tuple[Report, list[Report]]:
        """Verify a presentation's proof and holder, then every credential it carries."""
        report = Report(require_proof=signed)
        credentials: list[Report] = []
        try:
            credentials = check_presentation(self, value, report, challenge, domain, signed)
        except work_budget.WorkLimitExceeded as spent:
            report.add("limits", "failed", f"not verified: {spent.reason}")
        except Exception:  # noqa: BLE001 - the report must survive any bug in a check
            log.exception("presentation verification stopped by an unexpected error")
            report.add("internal", "failed", "an unexpected error stopped the verification")
        return report, credentials


def included_credentials(document: Mapping[str, Any]) -> list[Any]:
    """The credentials a CLR's subject carries (``verifiableCredential``), in order."""
    return [
        item
        for subject in as_list(document.get("credentialSubject"))
        if isinstance(subject, Mapping)
        for item in as_list(subject.get("verifiableCredential"))
    ]


def _describe_input(parsed: CredentialInput) -> str:
    if parsed.kind == "jwt":
        header = parsed.header or {}
        where = " in an EnvelopedVerifiableCredential" if parsed.envelope == ENVELOPED else ""
        return f"a VC-JWT (typ {header.get('typ')!r}, alg {header.get('alg')!r}){where}"
    return "a JSON-LD credential"


def _jwt_payload(token: Any) -> Mapping[str, Any]:
    parsed = read_credential(token)
    return parsed.document or {}
