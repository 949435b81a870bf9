"""Pure: does a set of verified credentials meet a pathway, and with how many credits?

Rules of counting (they make the answer independent of input order and monotone: adding a
verified credential never lowers it):

- A credential counts only when it verified, is trusted (its issuer is ours or on the trust
  list, or a transfer rule of this pathway covers it), and is relevant (it satisfies some
  requirement, or a transfer rule gives it a value).
- A credential may satisfy several requirements (it can be both EQF 5 and ISCED-F 0613), but
  its credits are added once. Under transfer rules it is worth the largest value one of them
  gives it; otherwise its ``creditsEarned``, else its achievement's ``creditsAvailable``.
- The same credential presented twice (same ``id``, say as JSON-LD and as a VC-JWT) adds its
  credits once, the most any copy is worth. Distinct credentials count separately, even for
  the same achievement: merging them would let one more input lower the total.
- ``{credits: N}`` and ``min_credits`` compare with the total counted credits.
Totals never depend on position; only which of two copies is listed as "counted once" does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.pathways.requirements import Node


@dataclass(frozen=True)
class Facts:
    """What one input credential says, after verification.

    ``key`` identifies the credential (its ``id``, or a digest when it has none); ``levels``
    maps each framework to the highest level ordinal it reaches there, directly or through
    equivalences.
    """

    index: int
    key: str
    verified: bool
    reason: str  # why it failed verification, when it did
    trusted: bool
    issuer: str | None
    achievement: str | None = None
    achievement_name: str | None = None
    levels: Mapping[str, int] = field(default_factory=dict)
    isced_f: str | None = None
    credits: float = 0.0


@dataclass(frozen=True)
class Rule:
    """A transfer rule in force: credentials matching ``source_*`` are worth ``credits``."""

    id: str
    issuer: str
    credits: float
    achievement: str | None = None
    framework: str | None = None
    ordinal: int | None = None
    isced_f: str | None = None
    requirement: str | None = None  # the name of the requirement it satisfies

    def covers(self, facts: Facts) -> bool:
        if facts.issuer != self.issuer:
            return False
        if self.achievement is not None and facts.achievement != self.achievement:
            return False
        if self.framework is not None and facts.levels.get(self.framework, 0) < (self.ordinal or 0):
            return False
        return self.isced_f is None or (facts.isced_f or "").startswith(self.isced_f)


@dataclass
class Outcome:
    index: int
    key: str
    counted: bool
    credits: float
    reason: str
    satisfies: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)


@dataclass
class Result:
    met: bool
    credits: float
    min_credits: float | None
    requirements: dict[str, Any]
    missing: list[dict[str, Any]]
    credentials: list[Outcome]
    rules: list[dict[str, Any]]


def leaf_matches(node: Node, facts: Facts) -> bool:
    if node.achievement is not None:
        return facts.achievement == node.achievement.url
    if node.level is not None:
        return facts.levels.get(node.level.framework, 0) >= node.level.ordinal
    if node.isced_f is not None:
        return (facts.isced_f or "").startswith(node.isced_f)
    return False


def evaluate(
    tree: Node, facts: Sequence[Facts], rules: Iterable[Rule], *, min_credits: float | None
) -> Result:
    rules = sorted(rules, key=lambda r: r.id)
    leaves = [node for node in tree.walk() if not node.is_group and node.kind != "credits"]
    outcomes = {f.index: Outcome(f.index, f.key, False, 0.0, f.reason) for f in facts}

    # 1. Trust and relevance of each verified input.
    relevant: list[tuple[Facts, list[Rule], list[str]]] = []
    for f in facts:
        if not f.verified:
            continue
        matched_rules = [rule for rule in rules if rule.covers(f)]
        outcome = outcomes[f.index]
        if not (f.trusted or matched_rules):
            outcome.reason = (
                f"its issuer {f.issuer} is not trusted here: it is not registered with this "
                "service, not on its trust list, and no transfer rule of this pathway names it"
            )
            continue
        satisfied = [node.path for node in leaves if leaf_matches(node, f)]
        for rule in matched_rules:
            path = _path_of(tree, rule.requirement) if rule.requirement is not None else None
            if path is not None and path not in satisfied:
                satisfied.append(path)
        if not satisfied and not matched_rules:
            outcome.reason = "it satisfies no requirement of this pathway"
            continue
        relevant.append((f, matched_rules, satisfied))

    # 2. Credits: each credential (by key) adds the most any of its copies is worth, once.
    def worth(item: tuple[Facts, list[Rule], list[str]]) -> float:
        return max((r.credits for r in item[1]), default=item[0].credits)

    best: dict[str, tuple[Facts, list[Rule], list[str]]] = {}
    for item in relevant:
        current = best.get(item[0].key)
        if current is None or worth(item) > worth(current):
            best[item[0].key] = item
    total = 0.0
    per_rule: dict[str, list[str]] = {rule.id: [] for rule in rules}
    rule_credits: dict[str, float] = {rule.id: 0.0 for rule in rules}
    for item in relevant:
        f, matched_rules, satisfied = item
        outcome = outcomes[f.index]
        outcome.counted = True
        outcome.satisfies = satisfied
        outcome.rules = [r.id for r in matched_rules]
        chosen = best[f.key]
        if chosen is not item:
            outcome.reason = (
                f"the same credential as input {chosen[0].index + 1}, whose credits count once"
            )
            continue
        outcome.credits = worth(item)
        total += outcome.credits
        if matched_rules:
            rule = max(matched_rules, key=lambda r: (r.credits, r.id))
            per_rule[rule.id].append(f.key)
            rule_credits[rule.id] += rule.credits
            outcome.reason = f"counted at {rule.credits:g} credits under transfer rule {rule.id}"
        else:
            outcome.reason = "counted"

    # 4. The tree.
    satisfied_by: dict[str, list[str]] = {}
    for f, _, satisfied in relevant:
        for path in satisfied:
            satisfied_by.setdefault(path, []).append(f.key)
    report, met_tree = _judge(tree, satisfied_by, total)
    credits_ok = min_credits is None or total >= min_credits
    missing = _missing(tree, report)
    if not credits_ok and min_credits is not None:
        missing.append(
            {
                "path": "min_credits",
                "text": f"{min_credits - total:g} more credits ({total:g} of {min_credits:g})",
            }
        )
    return Result(
        met=met_tree and credits_ok,
        credits=total,
        min_credits=min_credits,
        requirements=report,
        missing=missing,
        credentials=[outcomes[f.index] for f in facts],
        rules=[
            {
                "id": rule.id,
                "credits": rule_credits[rule.id],
                "credentials": sorted(per_rule[rule.id]),
            }
            for rule in rules
        ],
    )


def _path_of(tree: Node, name: str) -> str | None:
    return next((node.path for node in tree.walk() if node.name == name), None)


def _judge(
    node: Node, satisfied_by: Mapping[str, list[str]], total: float
) -> tuple[dict[str, Any], bool]:
    body: dict[str, Any] = {"path": node.path, "kind": node.kind, "text": node.text()}
    if node.name:
        body["name"] = node.name
    direct = sorted(set(satisfied_by.get(node.path, [])))
    if not node.is_group:
        if node.kind == "credits":
            ok = total >= (node.credits or 0)
            body["credits"] = {"needed": node.credits, "counted": total}
        else:
            ok = bool(direct)
        body.update(met=ok, satisfied_by=direct)
        return body, ok
    judged = [_judge(member, satisfied_by, total) for member in node.members]
    count = sum(1 for _, ok in judged if ok)
    ok = count >= node.at_least or bool(direct)  # a rule may satisfy a named group whole
    body.update(
        met=ok,
        satisfied_by=direct,
        needed=node.at_least,
        satisfied=count,
        of=[member for member, _ in judged],
    )
    return body, ok


def _missing(node: Node, report: Mapping[str, Any]) -> list[dict[str, Any]]:
    if report["met"]:
        return []
    if not node.is_group:
        return [{"path": node.path, "text": node.label()}]
    if node.kind == "all":
        found: list[dict[str, Any]] = []
        for member, member_report in zip(node.members, report["of"], strict=True):
            found.extend(_missing(member, member_report))
        return found
    short = node.at_least - report["satisfied"]
    options = [
        member.label()
        for member, member_report in zip(node.members, report["of"], strict=True)
        if not member_report["met"]
    ]
    text = node.name or f"{short} more of: {'; '.join(options)}"
    return [{"path": node.path, "text": text}]
