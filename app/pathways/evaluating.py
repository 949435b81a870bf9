"""Evaluation of a pathway over presented credentials: verify each, read what it is worth,
apply the transfer rules in force, and answer in words.

Every credential goes through the same verifier as ``POST /credentials/verify``. Our own
credentials are also looked up in the database, so a revocation counts at the very next
evaluation even while the verifier reuses a status list for a moment. Transfer rules are read
with their credential's status on every evaluation; nothing about an evaluation is cached,
so a revoked rule stops counting at once, everywhere.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements.builder import FIELD_TARGET_TYPE
from app.clr import service as clr_service
from app.core.urls import PublicUrls
from app.credentials import service as credential_service
from app.credentials.models import Credential
from app.credentials.schemas import Recipient
from app.errors import (
    AppError,
    BadRequest,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
)
from app.frameworks import alignment as frameworks_alignment
from app.frameworks import service as frameworks_service
from app.frameworks.equivalence import Relation
from app.pathways import evaluation
from app.pathways.evaluation import Facts, Result, Rule
from app.pathways.models import Pathway, TransferRule
from app.pathways.requirements import Node
from app.pathways.service import RegistryLookups, load_tree, pathway_url
from app.verification.checks import as_list, issuer_id
from app.verification.dependencies import VerificationState
from app.verification.inputs import MAX_DEPTH, MAX_NODES, InputRejected, parse_json
from app.verification.report import Report
from app.verification.service import Verifier, included_credentials

MAX_CREDENTIALS: Final = 100
# Relations strong enough to say "this level is that level" (broad/narrow/related are not).
_EQUIVALENT: Final = frozenset({Relation.exact, Relation.close})


@dataclass(frozen=True)
class Presented:
    """What a request presents: credentials, possibly inside a presentation."""

    credentials: list[Any]
    presentation: Any = None
    signed: bool = False


def read_request(raw: bytes) -> Presented:
    """``{credentials: [...]}``, ``{verifiablePresentation}``, ``{presentation}`` or a bare VP."""
    try:
        body = parse_json(
            raw, max_depth=MAX_DEPTH + 4, max_nodes=MAX_CREDENTIALS * (MAX_NODES // 10)
        )
    except InputRejected as error:
        kind: type[AppError] = PayloadTooLarge if error.status == 413 else BadRequest
        raise kind(error.detail) from None
    if not isinstance(body, dict):
        raise InvalidInput('The body must be {"credentials": [...]}.', field="credentials")
    if "VerifiablePresentation" in as_list(body.get("type")):
        return _presented(body, signed="proof" in body)
    if "verifiablePresentation" in body:
        return _presented(body["verifiablePresentation"], signed=True)
    if "presentation" in body:
        return _presented(body["presentation"], signed=False)
    credentials = body.get("credentials")
    if not isinstance(credentials, list) or not credentials:
        raise InvalidInput(
            'The body must be {"credentials": [...]}, a non-empty list of credentials '
            "(JSON-LD or VC-JWT), or a VerifiablePresentation.",
            field="credentials",
        )
    return Presented(credentials=_bounded(credentials, "credentials"))


def _presented(value: Any, *, signed: bool) -> Presented:
    if not isinstance(value, dict):
        raise InvalidInput("A presentation must be a JSON object.", field="verifiablePresentation")
    credentials = as_list(value.get("verifiableCredential"))
    _bounded(credentials, "verifiablePresentation.verifiableCredential")
    return Presented(credentials=credentials, presentation=value, signed=signed)


def _bounded(credentials: list[Any], field: str) -> list[Any]:
    if len(credentials) > MAX_CREDENTIALS:
        raise InvalidInput(
            f"At most {MAX_CREDENTIALS} credentials are evaluated at once, not {len(credentials)}.",
            field=field,
        )
    return credentials


def take_budget(client: str, state: VerificationState, cost: int) -> None:
    """The verifier's per-client token bucket: evaluation verifies as much as a batch does."""
    wait = state.limiter.take(client, cost=cost)
    if wait:
        raise TooManyRequests(
            f"Too many verifications from {client}; retry in {math.ceil(wait)} s.",
            extra={"retry_after": math.ceil(wait)},
            headers={"Retry-After": str(math.ceil(wait))},
        )


def verify_all(verifier: Verifier, presented: Presented) -> list[Report]:
    if presented.presentation is None:
        return [verifier.credential(item) for item in presented.credentials]
    report, reports = verifier.presentation(
        presented.presentation, challenge=None, domain=None, signed=presented.signed
    )
    failed = [c for c in report.failed if c.check != "credentials"]
    if failed:
        # The presenter's own proof failed: nothing it carries can be taken from it.
        for item in reports:
            item.add(
                "presentation", "failed", f"the presentation did not verify: {failed[0].reason}"
            )
    return reports


class FactsReader:
    """Reads what a verified credential is worth: achievement, levels, field, credits."""

    def __init__(
        self,
        session: Session,
        registry: RegistryLookups,
        public_url: str,
        holder: Recipient | None = None,
    ) -> None:
        self.session = session
        self.holder = holder
        self.registry = registry
        self.public_url = public_url
        self._reach: dict[tuple[str, str], dict[str, int]] = {}

    def reach(self, framework: str, level: str) -> dict[str, int]:
        """Highest ordinal per framework this level reaches, itself and its equivalents."""
        key = (framework, level)
        if key in self._reach:
            return self._reach[key]
        reached: dict[str, int] = {}
        ordinal = self.registry.ordinal(framework, level)
        if ordinal is not None:
            reached[framework] = ordinal
            for found in frameworks_alignment.equivalents(self.session, framework, level):
                if found.relation not in _EQUIVALENT:
                    continue
                other = self.registry.ordinal(found.framework, found.level)
                if other is not None and other > reached.get(found.framework, 0):
                    reached[found.framework] = other
        self._reach[key] = reached
        return reached

    def facts(self, index: int, value: Any, report: Report) -> Facts:
        document = report.credential if isinstance(report.credential, Mapping) else {}
        key = _key(value, document)
        issuer = issuer_id(document)
        issuer = issuer if isinstance(issuer, str) else None
        reason = "verified"
        verified = report.verified
        if not verified:
            failed = report.failed
            reason = "it did not verify: " + (failed[0].reason if failed else "no proof checked")
        else:
            stored = self._stored_status(document)
            if stored is not None:
                verified, reason = False, stored
            elif self.holder is not None:
                problem = clr_service.holder_problem(document, self.holder)
                if problem is not None:
                    verified, reason = False, problem
        trusted = bool(report.issuer and report.issuer.get("trusted"))
        subject = next(
            (
                s
                for s in as_list(document.get("credentialSubject"))
                if isinstance(s, Mapping) and isinstance(s.get("achievement"), Mapping)
            ),
            None,
        )
        if subject is None:
            return Facts(index, key, verified, reason, trusted, issuer)
        achievement: Mapping[str, Any] = subject["achievement"]
        levels: dict[str, int] = {}
        field_code = None
        for alignment in as_list(achievement.get("alignment")):
            if not isinstance(alignment, Mapping):
                continue
            url = alignment.get("targetUrl")
            parsed = (
                frameworks_service.parse_level_url(self.public_url, url)
                if isinstance(url, str)
                else None
            )
            if parsed is not None:
                for framework, ordinal in self.reach(*parsed).items():
                    levels[framework] = max(levels.get(framework, 0), ordinal)
            code = alignment.get("targetCode")
            if alignment.get("targetType") == FIELD_TARGET_TYPE and isinstance(code, str):
                field_code = code
        credits = _number(subject.get("creditsEarned"))
        if credits is None:
            credits = _number(achievement.get("creditsAvailable"))
        ident = achievement.get("id")
        name = achievement.get("name")
        return Facts(
            index,
            key,
            verified,
            reason,
            trusted,
            issuer,
            achievement=ident if isinstance(ident, str) else None,
            achievement_name=name if isinstance(name, str) else None,
            levels=levels,
            isced_f=field_code,
            credits=credits or 0.0,
        )

    def _stored_status(self, document: Mapping[str, Any]) -> str | None:
        """Why one of our own credentials no longer counts, read from the database."""
        ident = document.get("id")
        if (
            not isinstance(ident, str)
            or PublicUrls(self.public_url).parse_credential(ident) is None
        ):
            return None
        try:
            record = credential_service.get_credential(self.session, ident)
        except NotFound:
            return None
        if record.status == "active":
            return None
        why = f": {record.status_reason}" if record.status_reason else ""
        return f"its issuer has {record.status} it{why}"


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def _key(value: Any, document: Mapping[str, Any]) -> str:
    ident = document.get("id")
    if isinstance(ident, str) and ident:
        return ident
    body = {k: v for k, v in document.items() if k != "proof"} if document else value
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"sha256:{digest}"


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
        if status != "active" or rule.valid_from > now:
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
    public_url: str,
    holder: Recipient | None = None,
) -> Evaluation:
    """``holder``: count only credentials naming this recipient (awards need that)."""
    registry = RegistryLookups(session, public_url)
    tree = load_tree(session, pathway, public_url=public_url, registry=registry)
    values, reports, origins = _expanded(presented.credentials, verify_all(verifier, presented))
    reader = FactsReader(session, registry, public_url, holder)
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


def to_json(evaluated: Evaluation, *, public_url: str) -> dict[str, Any]:
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
            "url": pathway_url(public_url, pathway.id),
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
