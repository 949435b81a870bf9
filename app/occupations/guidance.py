"""Guidance: which occupations a holder's verified credentials lead to, and what is missing.

Every credential goes through the same ``Verifier`` as ``POST /credentials/verify``; only a
credential that verifies (signature, key, dates, revocation and suspension status) counts.
The others are listed with the first reason they failed. From the counted credentials'
meaning we gather occupations, industries, ESCO skills, levels and fields, then:

- an ESCO occupation whose essential skills are loaded is covered by the share of those
  skills the holder shows (``essential_skills``), and each missing skill points at the
  public achievements here that teach it;
- any other occupation a credential aligns to is covered by that ``alignment``;
- occupations that achievements in the holder's industries prepare for are offered as
  ``related_industry`` (coverage 0: nothing shown yet, but the same industry).

Work is bounded: at most ``MAX_CREDENTIALS`` per request, a time budget after which the
remaining credentials are reported as not checked, and capped result lists.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.achievements import service as achievement_service
from app.achievements.models import Achievement
from app.core.urls import PublicUrls
from app.errors import BadRequest, InvalidInput, PayloadTooLarge
from app.occupations.schemas import (
    Coverage,
    CredentialCount,
    GuidanceFilter,
    GuidanceRead,
    OccupationGuidance,
    SkillRead,
)
from app.occupations.service import achievement_refs
from app.verification.credential_input import MAX_DEPTH, MAX_NODES, InputRejected, parse_json
from app.verification.report import Report
from app.vocabularies import service as vocabulary_service
from app.vocabularies.models import VocabularyConcept

MAX_CREDENTIALS: Final = 20
TIME_BUDGET_SECONDS: Final = 10.0
MAX_OCCUPATIONS: Final = 50
MAX_GAP_ACHIEVEMENTS: Final = 5
MAX_SKILLS_LOOKED_UP: Final = 200
MAX_INDUSTRIES: Final = 10
MAX_INDUSTRY_ACHIEVEMENTS: Final = 20

Verify = Callable[[Any], Report]


@dataclass
class Holder:
    """What the counted credentials show."""

    occupations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    aligned_by: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    industries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    skills: dict[str, str] = field(default_factory=dict)  # ESCO URI → name
    skill_names: list[str] = field(default_factory=list)
    levels: list[dict[str, Any]] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    credits: float = 0.0
    achievement_ids: set[str] = field(default_factory=set)


def read_request(raw: bytes) -> tuple[list[Any], GuidanceFilter]:
    """``{credentials: [...], filter?: {digital?, green?, scheme?}}``, bounded before use."""
    try:
        body = parse_json(raw, max_depth=MAX_DEPTH + 3, max_nodes=MAX_CREDENTIALS * MAX_NODES)
    except InputRejected as error:
        raise (PayloadTooLarge if error.status == 413 else BadRequest)(error.detail) from None
    credentials = body.get("credentials") if isinstance(body, dict) else None
    if not isinstance(credentials, list) or not credentials:
        raise InvalidInput(
            'The body must be {"credentials": [...], "filter": {...}} with at least one '
            "credential (JSON-LD object or VC-JWT string).",
            field="credentials",
        )
    if len(credentials) > MAX_CREDENTIALS:
        raise InvalidInput(
            f"Guidance takes at most {MAX_CREDENTIALS} credentials per request, "
            f"not {len(credentials)}.",
            field="credentials",
        )
    unknown = sorted(set(body) - {"credentials", "filter"})
    if unknown:
        raise InvalidInput(f"Unknown member '{unknown[0]}'.", field=unknown[0])
    try:
        stated = body.get("filter")
        wanted = GuidanceFilter.model_validate({} if stated is None else stated)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in ("filter", *first["loc"]))
        raise InvalidInput(f"{where}: {first['msg']}", field=where) from None
    if wanted.scheme is not None and wanted.scheme not in vocabulary_service.OCCUPATION_SCHEMES:
        schemes = ", ".join(vocabulary_service.OCCUPATION_SCHEMES)
        raise InvalidInput(
            f"Unknown occupation scheme '{wanted.scheme}': use one of {schemes}.",
            field="filter.scheme",
        )
    return credentials, wanted


def _credential_id(report: Report, index: int) -> str:
    document = report.credential
    value = document.get("id") if isinstance(document, dict) else None
    return value if isinstance(value, str) and len(value) <= 500 else f"#{index + 1}"


def _why_not(report: Report) -> str:
    failed = report.failed
    return f"not verified: {failed[0].reason}" if failed else "not verified"


def check_credentials(
    verify: Verify, credentials: Sequence[Any], *, clock: Callable[[], float] = time.monotonic
) -> tuple[list[CredentialCount], list[tuple[str, dict[str, Any]]]]:
    """Verify each credential within the time budget: the counts and the counted meanings."""
    started = clock()
    counts, counted = [], []
    for index, credential in enumerate(credentials):
        if clock() - started > TIME_BUDGET_SECONDS:
            counts.append(
                CredentialCount(
                    id=f"#{index + 1}",
                    counted=False,
                    reason="not checked: this request's time budget was spent; "
                    "send fewer credentials per request",
                )
            )
            continue
        report = verify(credential)
        ident = _credential_id(report, index)
        if not report.verified:
            counts.append(CredentialCount(id=ident, counted=False, reason=_why_not(report)))
        elif report.meaning is None:
            reason = "verified, but it names no achievement, so it shows nothing to build on"
            counts.append(CredentialCount(id=ident, counted=True, reason=reason))
        else:
            counts.append(CredentialCount(id=ident, counted=True, reason="verified"))
            counted.append((ident, report.meaning))
    return counts, counted


def gather(counted: Sequence[tuple[str, dict[str, Any]]]) -> Holder:
    holder = Holder()
    for ident, meaning in counted:
        achievement = meaning.get("achievement") or {}
        if isinstance(achievement.get("id"), str):
            holder.achievement_ids.add(achievement["id"])
        credits = meaning.get("creditsEarned", meaning.get("creditsAvailable"))
        if isinstance(credits, int | float):
            holder.credits += float(credits)
        if isinstance(meaning.get("fieldOfStudy"), str):
            holder.fields.append(meaning["fieldOfStudy"])
        for aligned in meaning.get("alignments", []):
            if "occupation" in aligned:
                target = aligned["occupation"]
                key = (target["scheme"], target["code"])
                holder.occupations[key] = target
                holder.aligned_by.setdefault(key, []).append(ident)
            elif "industry" in aligned:
                target = aligned["industry"]
                holder.industries.setdefault((target["scheme"], target["code"]), target)
            elif "skill" in aligned:
                holder.skills[aligned["skill"]["code"]] = aligned["skill"]["name"]
            elif "frameworkLevel" in aligned:
                holder.levels.append(
                    {k: aligned.get(k) for k in ("targetName", "targetCode", "targetFramework")}
                )
            elif aligned.get("targetType") == "ceasn:Competency" and aligned.get("targetName"):
                holder.skill_names.append(str(aligned["targetName"]))
    return holder


@dataclass
class _Candidate:
    target: vocabulary_service.Target
    coverage: Coverage
    aligned_by: list[str]
    close_gaps: list[Achievement]


def _passes(target: vocabulary_service.Target, wanted: GuidanceFilter) -> bool:
    concept = target.concept
    return (
        (wanted.scheme is None or concept.scheme == wanted.scheme)
        and (wanted.digital is None or concept.digital == wanted.digital)
        and (wanted.green is None or concept.green == wanted.green)
    )


def _skill_read(concept: VocabularyConcept) -> SkillRead:
    return SkillRead(
        code=concept.code,
        name=concept.name,
        relation_type="essential",
        digital=concept.digital,
        green=concept.green,
    )


def _by_skills(
    session: Session, holder: Holder, target: vocabulary_service.Target, aligned_by: list[str]
) -> _Candidate | None:
    essential = [
        skill
        for skill, relation in vocabulary_service.skills_of(session, "esco", target.concept.code)
        if relation == "essential"
    ]
    if not essential:
        return None
    covered = [s for s in essential if s.code in holder.skills]
    missing = [s for s in essential if s.code not in holder.skills]
    # One query for all missing skills; a few more than shown, as held ones are dropped.
    gaps = (
        achievement_service.aligned_to(
            session, "skill", "esco", [s.code for s in missing], limit=2 * MAX_GAP_ACHIEVEMENTS
        )
        if missing
        else []
    )
    coverage = Coverage(
        basis="essential_skills",
        ratio=round(len(covered) / len(essential), 4),
        essential_total=len(essential),
        covered=[_skill_read(s) for s in covered],
        missing=[_skill_read(s) for s in missing],
    )
    return _Candidate(target, coverage, aligned_by, gaps)


def _candidates(session: Session, holder: Holder, wanted: GuidanceFilter) -> list[_Candidate]:
    """Filtered as they are found, so the caps count only occupations the holder asked for."""
    found: dict[tuple[str, str], _Candidate] = {}
    for key in list(holder.occupations)[:MAX_OCCUPATIONS]:
        target = vocabulary_service.find(session, "occupation", *key)
        if target is None or not _passes(target, wanted):
            continue
        aligned_by = holder.aligned_by.get(key, [])
        candidate = _by_skills(session, holder, target, aligned_by) if key[0] == "esco" else None
        if candidate is None:
            candidate = _Candidate(target, Coverage(basis="alignment", ratio=1.0), aligned_by, [])
        found[key] = candidate
    skill_codes = list(holder.skills)[:MAX_SKILLS_LOOKED_UP]
    for code in vocabulary_service.occupations_needing(
        session, "esco", skill_codes, limit=MAX_OCCUPATIONS
    ):
        if ("esco", code) in found:
            continue
        target = vocabulary_service.find(session, "occupation", "esco", code)
        passes = target is not None and _passes(target, wanted)
        candidate = _by_skills(session, holder, target, []) if target and passes else None
        if candidate is not None:
            found[("esco", code)] = candidate
    for scheme, code in list(holder.industries)[:MAX_INDUSTRIES]:
        for record in achievement_service.aligned_to(
            session, "industry", scheme, code, limit=MAX_INDUSTRY_ACHIEVEMENTS
        ):
            for ref in achievement_service.target_refs(session, record, "occupation"):
                key = (ref["scheme"], ref["code"])
                if key in found or len(found) >= 2 * MAX_OCCUPATIONS:
                    if key in found and found[key].coverage.basis == "related_industry":
                        found[key].close_gaps.append(record)
                    continue
                target = vocabulary_service.find(session, "occupation", *key)
                if target is not None and _passes(target, wanted):
                    coverage = Coverage(basis="related_industry", ratio=0.0)
                    found[key] = _Candidate(target, coverage, [], [record])
    return list(found.values())


def _order(candidate: _Candidate) -> tuple[float, int, str]:
    direct = 0 if candidate.aligned_by else 1
    return (-candidate.coverage.ratio, direct, candidate.target.concept.name)


def guide(
    session: Session,
    verify: Verify,
    credentials: Sequence[Any],
    *,
    wanted: GuidanceFilter,
    urls: PublicUrls,
) -> GuidanceRead:
    counts, counted = check_credentials(verify, credentials)
    holder = gather(counted)
    candidates = sorted(_candidates(session, holder, wanted), key=_order)
    occupations = []
    for candidate in candidates[:MAX_OCCUPATIONS]:
        read = vocabulary_service.read(urls, candidate.target)
        gaps = [r for r in _dedupe(candidate.close_gaps) if not _held(holder, r)]
        occupations.append(
            OccupationGuidance(
                scheme=read.scheme,
                code=read.code,
                name=read.name,
                name_en=read.name_en,
                framework=read.framework,
                digital=read.digital,
                green=read.green,
                url=read.url,
                coverage=candidate.coverage,
                aligned_by=candidate.aligned_by,
                close_gaps=achievement_refs(session, urls, gaps[:MAX_GAP_ACHIEVEMENTS]),
            )
        )
    return GuidanceRead(
        occupations=occupations,
        industries=list(holder.industries.values())[:MAX_OCCUPATIONS],
        profile={
            "levels": holder.levels[:50],
            "fields": sorted(set(holder.fields))[:50],
            "skills": sorted(set(holder.skills.values()) | set(holder.skill_names))[:200],
            "credits": holder.credits,
        },
        credentials=counts,
    )


def _dedupe(records: list[Achievement]) -> list[Achievement]:
    return list({record.id: record for record in records}.values())


def _held(holder: Holder, record: Achievement) -> bool:
    """A credential the holder already has for this very achievement closes no gap."""
    return any(ident.endswith(f"/achievements/{record.id}") for ident in holder.achievement_ids)
