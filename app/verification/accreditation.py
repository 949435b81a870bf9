"""The `accreditation` check: may this issuer award what this credential claims?

Pure apart from the injected ordinal lookup. A credential's claims (framework levels, ISCED-F
field, achievement type, the jurisdictions of its frameworks, its validFrom) are compared with
the limits of every accreditation the issuer holds from a trusted accrediting body. One
accreditation that covers everything passes the check and is named; otherwise the check fails
naming each limit that failed (level above the maximum, field outside the accredited fields,
type or jurisdiction not covered, accreditation not valid at validFrom, accreditation revoked).
An issuer without any accreditation gets a warning: most issuers are not accredited, which is
not a fault of the credential. Modelled on the accreditation check of Europass Digital
Credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.clock import parse_datetime
from app.verification.report import Check

OrdinalLookup = Callable[[str, str], int | None]


@dataclass(frozen=True)
class LevelClaim:
    framework: str
    level: str
    ordinal: int
    jurisdiction: str | None = None


@dataclass(frozen=True)
class Claims:
    levels: Sequence[LevelClaim] = ()
    isced_f: str | None = None
    achievement_type: str | None = None
    valid_from: datetime | None = None


@dataclass(frozen=True)
class AccreditationView:
    id: str
    url: str
    accreditor: str
    accreditor_name: str
    limits: dict[str, Any]
    valid_from: datetime
    valid_until: datetime | None
    revoked: bool = False
    problems: list[str] = field(default_factory=list)
    # An external body's credential: the verifier checks it before the limits are compared.
    credential: Mapping[str, Any] | None = None


def claims_from(meaning: Mapping[str, Any], document: Mapping[str, Any]) -> Claims:
    """What the credential claims, from its described meaning and its validFrom."""
    levels, isced = [], None
    for aligned in meaning.get("alignments", []):
        described = aligned.get("frameworkLevel")
        if isinstance(described, Mapping):
            framework, level = described.get("framework", {}), described.get("level", {})
            levels.append(
                LevelClaim(
                    str(framework.get("code")),
                    str(level.get("code")),
                    int(level.get("ordinal", 0)),
                    framework.get("jurisdiction"),
                )
            )
        elif aligned.get("targetFramework") == "ISCED-F 2013" and isced is None:
            isced = aligned.get("targetCode")
    stated = document.get("validFrom") or document.get("issuanceDate")
    try:
        valid_from = parse_datetime(stated) if isinstance(stated, str) else None
    except ValueError:
        valid_from = None
    kind = meaning.get("achievement", {}).get("achievementType")
    return Claims(
        levels=levels,
        isced_f=isced if isinstance(isced, str) else None,
        achievement_type=kind if isinstance(kind, str) else None,
        valid_from=valid_from,
    )


def _describe(accreditation: AccreditationView) -> str:
    return f"accreditation {accreditation.url} by {accreditation.accreditor_name}"


def _level_problems(
    accreditation: AccreditationView, claims: Claims, ordinal: OrdinalLookup
) -> list[str]:
    limits = accreditation.limits.get("frameworks")
    if not limits:
        return []
    problems = []
    maxima = {entry["framework"]: entry["max_level"] for entry in limits}
    for claim in claims.levels:
        if claim.framework not in maxima:
            accredited = ", ".join(sorted(maxima))
            problems.append(
                f"it claims {claim.framework} level {claim.level}, but the issuer is accredited "
                f"for {accredited} only"
            )
            continue
        highest = ordinal(claim.framework, maxima[claim.framework])
        if highest is not None and claim.ordinal > highest:
            problems.append(
                f"the issuer is accredited up to {claim.framework} level "
                f"{maxima[claim.framework]} but the credential claims {claim.framework} "
                f"level {claim.level}"
            )
    return problems


def problems_of(
    accreditation: AccreditationView, claims: Claims, ordinal: OrdinalLookup
) -> list[str]:
    """Every limit of ``accreditation`` that the claims break."""
    problems = list(accreditation.problems)
    if accreditation.revoked:
        problems.append(f"{_describe(accreditation)} has been revoked")
    at = claims.valid_from
    if at is not None and (
        at < accreditation.valid_from
        or (accreditation.valid_until is not None and at > accreditation.valid_until)
    ):
        until = accreditation.valid_until.isoformat() if accreditation.valid_until else "open"
        problems.append(
            f"the accreditation is valid from {accreditation.valid_from.isoformat()} until "
            f"{until}, not at the credential's validFrom {at.isoformat()}"
        )
    problems += _level_problems(accreditation, claims, ordinal)
    prefixes = accreditation.limits.get("isced_f")
    if prefixes and claims.isced_f and not any(claims.isced_f.startswith(p) for p in prefixes):
        problems.append(
            f"its field ISCED-F {claims.isced_f} is outside the accredited fields "
            f"{', '.join(prefixes)}"
        )
    types = accreditation.limits.get("qualification_types")
    if types and claims.achievement_type not in types:
        problems.append(
            f"its type {claims.achievement_type or '(none)'} is not an accredited qualification "
            f"type ({', '.join(types)})"
        )
    jurisdictions = accreditation.limits.get("jurisdiction")
    if jurisdictions:
        for claim in claims.levels:
            if claim.jurisdiction not in jurisdictions:
                problems.append(
                    f"the jurisdiction {claim.jurisdiction} of {claim.framework} is outside the "
                    f"accredited jurisdictions {', '.join(jurisdictions)}"
                )
    return problems


def check(
    accreditations: Sequence[AccreditationView], claims: Claims, ordinal: OrdinalLookup
) -> tuple[Check, list[dict[str, Any]]]:
    """The check and, for the report, each accreditation considered with its problems."""
    if not accreditations:
        reason = "the issuer holds no accreditation from an accrediting body this service trusts"
        return Check("accreditation", "warning", reason), []
    considered = []
    for accreditation in accreditations:
        problems = problems_of(accreditation, claims, ordinal)
        considered.append(
            {
                "id": accreditation.id,
                "url": accreditation.url,
                "accreditor": accreditation.accreditor,
                "accreditor_name": accreditation.accreditor_name,
                "limits": accreditation.limits,
                "problems": problems,
            }
        )
        if not problems:
            reason = f"{_describe(accreditation)} covers what it claims"
            return Check("accreditation", "passed", reason), considered
    first = considered[0]
    reason = f"accreditation {first['url']} by {first['accreditor_name']}: " + "; ".join(
        first["problems"]
    )
    if len(considered) > 1:
        reason += f" (and {len(considered) - 1} other accreditation(s) do not cover it either)"
    return Check("accreditation", "failed", reason), considered
