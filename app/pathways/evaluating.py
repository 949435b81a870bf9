"""Evaluation of a pathway over presented credentials: verify each, read what it is worth,
apply the transfer rules in force, and answer in words.

Every credential goes through the same verifier as ``POST /credentials/verify``. Our own
credentials are also looked up in the database, so a revocation counts at the very next
evaluation even while the verifier reuses a status list for a moment. Transfer rules are read
with their credential's status on every evaluation; nothing about an evaluation is cached,
so a revoked rule stops counting at once, everywhere.

What a request presents is read in ``presenting.py``; what each credential is worth in
``facts.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.urls import PublicUrls
from app.credentials.models import Credential, CredentialStatus
from app.credentials.schemas import Recipient
from app.pathways import evaluation
from app.pathways.evaluation import Facts, Result, Rule
from app.pathways.facts import FactsReader
from app.pathways.models import Pathway, TransferRule
from app.pathways.presenting import Presented, verify_all
from app.pathways.requirements import Node
from app.pathways.service import RegistryLookups, load_tree, pathway_url
from app.verification.report import Report
from app.verification.service import Verifier, included_credentials


def rules_in_force(
    session: Session, pathway: Pathway, registry: RegistryLookups, *, now: datetime
) -> list[Rule]:
    """The pathway's transfer rules whose credential is active and whose window is open."""
    rows = session.execute(
        select(TransferRule, Credential.status)
        .join(Credential, Credential.id == TransferRule.credential_id)
        .where(TransferRule.pathway_id == pathway.id)
        .order_by(TransferRule.id)
    ).all()
    rules = []
    for rule, status in rows:
        if status != CredentialStatus.active or rule.valid_from > now:
            continue
        if rule.valid_until is not None and rule.valid_until <= now:
            continue
        ordinal = (
            registry.ordinal(rule.source_framework, rule.source_level)
            if rule.source_framework and rule.source_level
            else None
        )
        rules.append(
            Rule(
                id=rule.id,
                issuer=rule.source_issuer,
                credits=rule.credits,
                achievement=rule.source_achievement,
                framework=rule.source_framework,
                ordinal=ordinal,
                isced_f=rule.source_isced_f,
                requirement=rule.requirement,
            )
        )
    return rules


@dataclass(frozen=True)
class Evaluation:
    pathway: Pathway
    tree: Node
    result: Result
    facts: list[Facts]
    reports: list[Report]
    inputs: list[Any]
    # Per evaluated item: (index of the request's input, number inside a CLR input or None).
    origins: list[tuple[int, int | None]]


def evaluate(
    session: Session,
    verifier: Verifier,
    pathway: Pathway,
    presented: Presented,
    *,
    now: datetime,
    urls: PublicUrls,
    holder: Recipient | None = None,
) -> Evaluation:
    """``holder``: count only credentials naming this recipient (awards need that)."""
    registry = RegistryLookups(session, urls)
    tree = load_tree(session, pathway, urls=urls, registry=registry)
    values, reports, origins = _expanded(presented.credentials, verify_all(verifier, presented))
    reader = FactsReader(session, registry, urls, holder)
    facts = [
        reader.facts(index, value, report)
        for index, (value, report) in enumerate(zip(values, reports, strict=True))
    ]
    rules = rules_in_force(session, pathway, registry, now=now)
    result = evaluation.evaluate(tree, facts, rules, min_credits=pathway.min_credits)
    return Evaluation(pathway, tree, result, facts, reports, values, origins)


def _expanded(
    values: list[Any], reports: list[Report]
) -> tuple[list[Any], list[Report], list[tuple[int, int | None]]]:
    """Inputs followed, for a verified learner record (CLR), by the credentials it includes:
    those were verified with it, each on its own, and count like any other input."""
    out_values: list[Any] = []
    out_reports: list[Report] = []
    origins: list[tuple[int, int | None]] = []
    for index, (value, report) in enumerate(zip(values, reports, strict=True)):
        out_values.append(value)
        out_reports.append(report)
        origins.append((index, None))
        if report.verified and report.nested and isinstance(report.credential, Mapping):
            items = included_credentials(report.credential)
            for number, (item, inner) in enumerate(zip(items, report.nested, strict=True), start=1):
                out_values.append(item)
                out_reports.append(inner)
                origins.append((index, number))
    return out_values, out_reports, origins


def summary(pathway_name: str, result: Result) -> str:
    """One sentence a learner understands."""
    if result.min_credits is not None:
        amount = f"{result.credits:g} of {result.min_credits:g} credits"
    else:
        amount = f"{result.credits:g} credits"
    if result.met:
        return f"meets {pathway_name}: {amount}"
    missing = "; ".join(item["text"] for item in result.missing)
    return f"counts toward {pathway_name}: {amount}; still missing: {missing}"


def to_json(evaluated: Evaluation, *, urls: PublicUrls) -> dict[str, Any]:
    result = evaluated.result
    pathway = evaluated.pathway
    facts = {f.index: f for f in evaluated.facts}
    records = {origin[0] for origin in evaluated.origins if origin[1] is not None}
    credentials = []
    for outcome in result.credentials:
        f = facts[outcome.index]
        source, number = evaluated.origins[outcome.index]
        if number is None and source in records and not outcome.counted:
            outcome.reason = "a learner record: the credentials it includes count one by one"
        entry: dict[str, Any] = {
            "index": outcome.index,
            "input": source,
            "included": number,
            "id": outcome.key,
            "counted": outcome.counted,
            "credits": outcome.credits,
            "reason": outcome.reason,
            "verified": f.verified,
            "issuer": f.issuer,
            "trusted": f.trusted,
            "achievement": f.achievement,
            "achievement_name": f.achievement_name,
            "satisfies": outcome.satisfies,
            "rules": outcome.rules,
        }
        credentials.append(entry)
    tree = result.requirements
    return {
        "pathway": {
            "id": pathway.id,
            "name": pathway.name,
            "url": pathway_url(urls, pathway.id),
            "target_achievement_url": pathway.target_achievement_url,
        },
        "met": result.met,
        "credits": result.credits,
        "min_credits": result.min_credits,
        "summary": summary(pathway.name, result),
        "requirements": tree["of"] if evaluated.tree.kind == "all" and "of" in tree else [tree],
        "missing": result.missing,
        "credentials": credentials,
        "rules": result.rules,
    }


def counted_inputs(evaluated: Evaluation) -> list[tuple[Any, Facts, float]]:
    """The inputs that counted (one per key), with the credits each added."""
    by_index = {outcome.index: outcome for outcome in evaluated.result.credentials}
    found: dict[str, tuple[Any, Facts, float]] = {}
    for f, value in zip(evaluated.facts, evaluated.inputs, strict=True):
        outcome = by_index[f.index]
        if outcome.counted and f.key not in found:
            found[f.key] = (value, f, outcome.credits)
    return [found[key] for key in sorted(found)]
