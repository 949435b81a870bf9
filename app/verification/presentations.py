"""Verification of a presentation: its structure, the holder's proof (when signed), then every
credential it carries, each with its own report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.verification.checks import as_list, check_contexts
from app.verification.proofs import check_data_integrity, rdfc_verified
from app.verification.report import PARSING_ERROR, Check, Report
from app.verification.structure import check_structure

if TYPE_CHECKING:
    from app.verification.service import Verifier


def check_presentation(
    verifier: Verifier,
    value: Any,
    report: Report,
    challenge: str | None,
    domain: str | None,
    signed: bool,
) -> list[Report]:
    """The presentation's checks into `report`; a report per credential it carries."""
    if not isinstance(value, Mapping):
        report.add("parsing", "failed", "a presentation must be a JSON object", PARSING_ERROR)
        return []
    report.media_type = "application/vp"
    report.credential = value
    report.add("parsing", "passed", "a JSON-LD presentation")
    contexts_at = len(report.checks)
    report.extend(check_structure(value, kind="presentation"))
    holder = value.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    proofs: list[Check] = []
    if signed:
        proofs = check_data_integrity(
            value,
            verifier.resolver,
            purpose="authentication",
            owner=holder_id,
            role="holder",
            now=verifier.now,
            challenge=challenge,
            domain=domain,
            limits=verifier.limits.canonicalization(quads_factor=5),
            skew=verifier.skew,
        )
    terms_checked = rdfc_verified(value, proofs)
    report.checks.insert(contexts_at, check_contexts(value, terms_checked=terms_checked))
    report.extend(proofs)
    if signed:
        if challenge is None:
            reason = "no challenge was given, so this presentation may be a replay"
            report.add("proof", "warning", reason)
    else:
        report.add("proof", "skipped", "an unsigned presentation: only its credentials count")
    presented = as_list(value.get("verifiableCredential"))
    credentials = [verifier.credential(item) for item in presented]
    spent = next((c for r in credentials for c in r.checks if c.check == "limits"), None)
    if spent is not None:
        report.add("limits", "failed", spent.reason)
    bad = [i for i, r in enumerate(credentials, start=1) if not r.verified]
    if not credentials:
        report.add("credentials", "skipped", "it presents no credentials")
    elif bad:
        first = credentials[bad[0] - 1].failed
        why = first[0].reason if first else "it did not verify"
        reason = f"{len(bad)} of {len(credentials)} presented credentials did not verify "
        reason += f"(credential {bad[0]}: {why})"
        report.add("credentials", "failed", reason)
    else:
        report.add("credentials", "passed", f"all {len(credentials)} presented credentials verify")
    return credentials
