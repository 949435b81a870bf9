"""What a credential is worth, read from its Open Badges 3.0 fields.

Pure: the achievement, its credits, field of study and alignments. Alignments to our own
framework level pages are enriched through an injected `describe_level` (the frameworks
service), which adds the equivalent levels in other frameworks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from app.verification.checks import as_list
from app.verification.report import Check

LevelLookup = Callable[[str], dict[str, Any] | None]

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


def _alignment(entry: Mapping[str, Any], describe_level: LevelLookup | None) -> dict[str, Any]:
    aligned = {name: entry[name] for name in _ALIGNMENT_FIELDS if isinstance(entry.get(name), str)}
    url = aligned.get("targetUrl")
    if describe_level is not None and url:
        described = describe_level(url)
        if described is not None:
            aligned["frameworkLevel"] = described
    return aligned


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
    return "; ".join(parts)


def describe(
    document: Mapping[str, Any], describe_level: LevelLookup | None = None
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
    meaning["alignments"] = [
        _alignment(entry, describe_level)
        for entry in as_list(achievement.get("alignment"))
        if isinstance(entry, Mapping)
    ]
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
