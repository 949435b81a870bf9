"""What a credential is worth, read from its Open Badges 3.0 fields.

Pure: the achievement, its credits, field of study and alignments. Alignments to our own
framework level pages are enriched through an injected `describe_level` (the frameworks
service), which adds the equivalent levels in other frameworks; alignments to occupations,
industries and ESCO skills we know (ours or anyone's) through an injected `describe_target`
(the vocabularies), which gives "prepares for 计算机软件工程技术人员 (CSCO 2-02-10-03,
digital occupation); industry NAICS 541511 (…)".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from app.verification.checks import as_list
from app.verification.report import Check

LevelLookup = Callable[[str], dict[str, Any] | None]
TargetLookup = Callable[[Mapping[str, Any]], dict[str, Any] | None]
TARGET_KINDS: Final = ("occupation", "industry", "skill")
# Each recognised alignment costs a lookup: a credential gets this many at most.
MAX_RECOGNISED: Final = 50

_ACHIEVEMENT_FIELDS: Final = ("id", "name", "description", "achievementType", "humanCode")
_ALIGNMENT_FIELDS: Final = (
    "targetName",
    "targetFramework",
    "targetCode",
    "targetType",
    "targetUrl",
)


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("@value"), str):
        return str(value["@value"])  # a language-value object
    return None


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _alignment(
    entry: Mapping[str, Any],
    describe_level: LevelLookup | None,
    describe_target: TargetLookup | None = None,
) -> dict[str, Any]:
    aligned = {name: entry[name] for name in _ALIGNMENT_FIELDS if isinstance(entry.get(name), str)}
    url = aligned.get("targetUrl")
    if describe_level is not None and url:
        described = describe_level(url)
        if described is not None:
            aligned["frameworkLevel"] = described
    if describe_target is not None and "frameworkLevel" not in aligned:
        target = describe_target(aligned)
        if target is not None and target.get("kind") in TARGET_KINDS:
            aligned[str(target["kind"])] = target
    return aligned


def _flags(target: Mapping[str, Any]) -> str | None:
    flags = [name for name in ("digital", "green") if target.get(name) is True]
    return f"{' and '.join(flags)} occupation" if flags else None


def prepares_for(alignments: list[Mapping[str, Any]]) -> str | None:
    """'prepares for 计算机软件工程技术人员 (CSCO 2-02-10-03, digital occupation); industry
    NAICS 541511 (Custom Computer Programming Services)', or None."""
    occupations, industries = [], []
    for aligned in alignments:
        if isinstance(aligned.get("occupation"), Mapping):
            target = aligned["occupation"]
            # ESCO codes are long URIs: the name says enough.
            where = "ESCO" if target["scheme"] == "esco" else f"{target['short']} {target['code']}"
            notes = ", ".join(p for p in (where, _flags(target)) if p)
            occupations.append(f"{target['name']} ({notes})")
        elif isinstance(aligned.get("industry"), Mapping):
            target = aligned["industry"]
            industries.append(f"{target['short']} {target['code']} ({target['name']})")
    parts = []
    if occupations:
        parts.append("prepares for " + ", ".join(occupations))
    if industries:
        parts.append(
            ("industry " if len(industries) == 1 else "industries ") + ", ".join(industries)
        )
    return "; ".join(parts) or None


def _amount(value: float | int) -> str:
    return f"{value:g}"


def _credit_unit(meaning: Mapping[str, Any]) -> str:
    """ECTS etc. when an aligned framework of ours names its credit system, else "credits"."""
    for aligned in meaning.get("alignments", []):
        framework = (aligned.get("frameworkLevel") or {}).get("framework") or {}
        if isinstance(framework.get("credit_system"), str) and framework["credit_system"]:
            return str(framework["credit_system"])
    return "credits"


def _statement(meaning: Mapping[str, Any]) -> str:
    parts = []
    achievement = meaning.get("achievement", {})
    if achievement.get("name"):
        kind = achievement.get("achievementType")
        parts.append(f"{achievement['name']}" + (f" ({kind})" if kind else ""))
    for aligned in meaning.get("alignments", []):
        level = aligned.get("frameworkLevel")
        if any(kind in aligned for kind in TARGET_KINDS):
            continue  # said once, in the "prepares for" sentence
        if level and level.get("statement"):
            parts.append(str(level["statement"]))
        elif aligned.get("targetFramework") and aligned.get("targetCode"):
            named = f" ({aligned['targetName']})" if aligned.get("targetName") else ""
            parts.append(f"{aligned['targetFramework']} {aligned['targetCode']}{named}")
    unit = _credit_unit(meaning)
    if meaning.get("creditsEarned") is not None:
        parts.append(f"{_amount(meaning['creditsEarned'])} {unit} earned")
    elif meaning.get("creditsAvailable") is not None:
        parts.append(f"{_amount(meaning['creditsAvailable'])} {unit}")
    if meaning.get("fieldOfStudy") and not any(meaning["fieldOfStudy"] in p for p in parts):
        parts.append(f"field of study: {meaning['fieldOfStudy']}")
    if meaning.get("preparesFor"):
        parts.append(str(meaning["preparesFor"]))
    return "; ".join(parts)


def describe(
    document: Mapping[str, Any],
    describe_level: LevelLookup | None = None,
    describe_target: TargetLookup | None = None,
) -> dict[str, Any] | None:
    """The achievement's meaning, or None when the credential names no achievement."""
    subjects = [s for s in as_list(document.get("credentialSubject")) if isinstance(s, Mapping)]
    subject = next((s for s in subjects if isinstance(s.get("achievement"), Mapping)), None)
    if subject is None:
        return None
    achievement: Mapping[str, Any] = subject["achievement"]
    summary: dict[str, Any] = {
        n: _text(achievement.get(n)) for n in _ACHIEVEMENT_FIELDS if _text(achievement.get(n))
    }
    summary["type"] = [str(t) for t in as_list(achievement.get("type"))]
    meaning: dict[str, Any] = {"achievement": summary}
    for name, value in (
        ("creditsAvailable", _number(achievement.get("creditsAvailable"))),
        ("creditsEarned", _number(subject.get("creditsEarned"))),
        ("fieldOfStudy", _text(achievement.get("fieldOfStudy"))),
    ):
        if value is not None:
            meaning[name] = value
    entries = [e for e in as_list(achievement.get("alignment")) if isinstance(e, Mapping)]
    meaning["alignments"] = [
        _alignment(entry, describe_level, describe_target if index < MAX_RECOGNISED else None)
        for index, entry in enumerate(entries)
    ]
    statement = prepares_for(meaning["alignments"])
    if statement:
        meaning["preparesFor"] = statement
    meaning["statement"] = _statement(meaning)
    return meaning


def meaning_check(meaning: Mapping[str, Any] | None) -> Check:
    if meaning is None:
        return Check(
            "meaning", "skipped", "it names no achievement, so there is no award to describe"
        )
    earned, available = meaning.get("creditsEarned"), meaning.get("creditsAvailable")
    if earned is not None and available is not None and earned > available:
        # LearnProof refuses to issue this; others' credentials may still claim it.
        reason = f"it claims {_amount(earned)} credits earned of {_amount(available)} "
        reason += "available: the credential contradicts itself, so do not rely on the credits"
        return Check("meaning", "warning", reason)
    return Check("meaning", "passed", meaning.get("statement") or "an achievement with no details")
