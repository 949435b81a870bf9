"""Mapping checks, for a framework's linkages and a report's level table alike.

- a mapping must not cross: when level i is below level j, i's target must not be above j's;
- ``exactMatch`` is symmetric (and transitive), so a level exactly matches at most one level
  of a given framework, and no level of that framework may be claimed by two; a linkage the
  other framework states back must say the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.frameworks import meta
from app.frameworks.findings import Finding, RegistryView, StatedLink


@dataclass(frozen=True)
class LevelMapping:
    index: int
    framework: str
    level: str
    target_framework: str
    target_level: str
    relation: str


def mapping_findings(doc: dict[str, Any], registry: RegistryView) -> list[Finding]:
    code, levels, linkages = doc.get("code"), doc.get("levels"), doc.get("linkages")
    if not isinstance(code, str) or not isinstance(linkages, list) or not isinstance(levels, list):
        return []
    ordinals = dict(registry.ordinals)
    ordinals.update(
        {
            (code, level["code"]): level["ordinal"]
            for level in levels
            if isinstance(level, dict)
            and isinstance(level.get("code"), str)
            and meta.is_int(level.get("ordinal"))
        }
    )
    mappings = [
        LevelMapping(
            index,
            code,
            link["level"],
            link["target_framework"],
            link["target_level"],
            link["relation"],
        )
        for index, link in enumerate(linkages)
        if isinstance(link, dict)
        and all(
            isinstance(link.get(k), str)
            for k in ("level", "target_framework", "target_level", "relation")
        )
    ]
    findings: list[Finding] = []
    if registry.knows_targets:
        for mapping in mappings:
            if mapping.target_framework == code:
                continue
            if not registry.knows(mapping.target_framework):
                path = f"$.linkages[{mapping.index}].target_framework"
                message = f"no framework has code {mapping.target_framework!r}"
                findings.append(Finding(path, "error", message))
            elif (mapping.target_framework, mapping.target_level) not in ordinals:
                path = f"$.linkages[{mapping.index}].target_level"
                message = f"{mapping.target_level!r} is not a level of {mapping.target_framework!r}"
                findings.append(Finding(path, "error", message))
    findings += crossings(mappings, ordinals, "$.linkages")
    findings += exact_symmetry(mappings, registry.stated, "$.linkages")
    return findings


def crossings(
    mappings: Sequence[LevelMapping], ordinals: Mapping[tuple[str, str], int], prefix: str
) -> list[Finding]:
    """Level i < j mapped to targets a > b, found in one sorted pass per target framework."""
    findings: list[Finding] = []
    by_target: dict[str, list[tuple[int, int, LevelMapping]]] = {}
    for mapping in mappings:
        source = ordinals.get((mapping.framework, mapping.level))
        target = ordinals.get((mapping.target_framework, mapping.target_level))
        if source is not None and target is not None:
            by_target.setdefault(mapping.target_framework, []).append((source, target, mapping))
    for items in by_target.values():
        items.sort(key=lambda item: (item[0], item[1], item[2].index))
        highest: tuple[int, LevelMapping] | None = None  # over strictly lower source levels
        position = 0
        while position < len(items):
            source = items[position][0]
            group = [item for item in items[position:] if item[0] == source]
            for _source, target, mapping in group:
                if highest is not None and target < highest[0]:
                    other = highest[1]
                    message = (
                        f"crossing mapping: level {mapping.level!r} is above level "
                        f"{other.level!r} but maps to {mapping.target_framework} level "
                        f"{mapping.target_level!r}, below {other.target_level!r} "
                        f"({prefix}[{other.index}])"
                    )
                    findings.append(Finding(f"{prefix}[{mapping.index}]", "error", message))
            for _source, target, mapping in group:
                if highest is None or target > highest[0]:
                    highest = (target, mapping)
            position += len(group)
    return findings


def exact_symmetry(
    mappings: Sequence[LevelMapping], stated: Iterable[StatedLink], prefix: str
) -> list[Finding]:
    findings: list[Finding] = []
    claimed_by_source: dict[tuple[str, str], LevelMapping] = {}
    claimed_target: dict[tuple[str, str], LevelMapping] = {}
    exact = [mapping for mapping in mappings if mapping.relation == "exactMatch"]
    for mapping in exact:
        source_key = (mapping.level, mapping.target_framework)
        target_key = (mapping.target_framework, mapping.target_level)
        path = f"{prefix}[{mapping.index}]"
        if source_key in claimed_by_source:
            first = claimed_by_source[source_key]
            message = (
                f"exactMatch is symmetric and transitive: level {mapping.level!r} cannot exactly "
                f"match both {first.target_level!r} and {mapping.target_level!r} of "
                f"{mapping.target_framework} ({prefix}[{first.index}])"
            )
            findings.append(Finding(path, "error", message))
        elif target_key in claimed_target:
            first = claimed_target[target_key]
            message = (
                f"exactMatch is symmetric and transitive: {mapping.target_framework} level "
                f"{mapping.target_level!r} cannot exactly match both {first.level!r} and "
                f"{mapping.level!r} ({prefix}[{first.index}])"
            )
            findings.append(Finding(path, "error", message))
        claimed_by_source.setdefault(source_key, mapping)
        claimed_target.setdefault(target_key, mapping)
    back = {
        (link.framework, link.level, link.target_framework): link
        for link in stated
        if link.relation == "exactMatch"
    }
    for mapping in exact:
        reverse = back.get((mapping.target_framework, mapping.target_level, mapping.framework))
        if reverse is not None and reverse.target_level != mapping.level:
            message = (
                f"exactMatch is not symmetric: {mapping.target_framework} states its level "
                f"{mapping.target_level!r} exactly matches level {reverse.target_level!r}, "
                f"not {mapping.level!r}"
            )
            findings.append(Finding(f"{prefix}[{mapping.index}]", "error", message))
    return findings
