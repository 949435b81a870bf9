"""What a lint says: findings with JSON paths and severities, sorted and capped; and the
registry view a lint checks against."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from app.frameworks import meta

Severity = Literal["error", "warning"]
_MAX_FINDINGS = 500


@dataclass(frozen=True)
class Finding:
    path: str
    severity: Severity
    message: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class StatedLink:
    framework: str
    level: str
    target_framework: str
    target_level: str
    relation: str


@dataclass(frozen=True)
class RegistryView:
    """What the registry knows: ``(framework, level) -> ordinal`` and the stated linkages."""

    ordinals: Mapping[tuple[str, str], int] = field(default_factory=dict)
    stated: Sequence[StatedLink] = ()
    # When true, targets the registry does not know are errors (imports); a bare document
    # check without the registry cannot tell, so it stays silent about them.
    knows_targets: bool = False

    def knows(self, framework: str) -> bool:
        return any(key[0] == framework for key in self.ordinals)


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def over_budget(doc: object, budget: Mapping[str, int]) -> list[Finding]:
    if not isinstance(doc, dict):
        return []
    return [
        Finding(f"$.{key}", "error", f"has {len(doc[key])} items; at most {limit} are allowed")
        for key, limit in budget.items()
        if isinstance(doc.get(key), list) and len(doc[key]) > limit
    ]


def from_message(message: str) -> Finding:
    path, _, problem = message.partition(": ")
    return Finding(path, "error", problem)


def _path_key(path: str) -> tuple[tuple[int, int, str], ...]:
    parts: list[meta.PathPart] = []
    for token in path.lstrip("$").replace("[", ".[").split("."):
        if not token:
            continue
        if token.startswith("[") and token.endswith("]") and token[1:-1].isdigit():
            parts.append(int(token[1:-1]))
        else:
            parts.append(token)
    return meta.sort_key(parts)


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    unique = list(dict.fromkeys(findings))
    unique.sort(key=lambda finding: (_path_key(finding.path), finding.severity))
    return unique[:_MAX_FINDINGS]
