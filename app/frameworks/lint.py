"""Lint of framework documents and referencing reports: findings with JSON paths and severities.

Pure: what the registry already knows (level ordinals of other frameworks, linkages they
state) comes in as a ``RegistryView``. Errors make a document unacceptable; warnings are worth
a look but do not block an import.

Mapping checks, for linkages and for a report's level table alike:
- a mapping must not cross: when level i is below level j, i's target must not be above j's;
- ``exactMatch`` is symmetric (and transitive), so a level exactly matches at most one level
  of a given framework, and no level of that framework may be claimed by two; a linkage the
  other framework states back must say the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from jsonschema import Draft202012Validator

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


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def is_report(doc: object) -> bool:
    return isinstance(doc, dict) and ("level_table" in doc or "criteria" in doc)


# Array sizes checked before anything else: a schema walk over a document far beyond them
# would cost seconds to say only that it is too big.
_FRAMEWORK_BUDGET = {"levels": 64, "domains": 32, "linkages": 1000, "sub_frameworks": 32}
_REPORT_BUDGET = {"criteria": 64, "level_table": 256}


def _over_budget(doc: object, budget: Mapping[str, int]) -> list[Finding]:
    if not isinstance(doc, dict):
        return []
    return [
        Finding(f"$.{key}", "error", f"has {len(doc[key])} items; at most {limit} are allowed")
        for key, limit in budget.items()
        if isinstance(doc.get(key), list) and len(doc[key]) > limit
    ]


def lint(doc: object, registry: RegistryView | None = None) -> list[Finding]:
    """Findings for a framework document (version 1 or 2) or a referencing report."""
    if is_report(doc):
        return report_findings(doc, registry)
    return framework_findings(doc, registry)


def framework_findings(doc: object, registry: RegistryView | None = None) -> list[Finding]:
    registry = registry or RegistryView()
    too_big = _over_budget(doc, _FRAMEWORK_BUDGET)
    if too_big:
        return too_big
    if meta.is_v1(doc):
        v1_errors = meta.validate_framework_document(doc)
        findings = [_from_message(message) for message in v1_errors]
        if v1_errors:
            return findings
        assert isinstance(doc, dict)
        notice = "a version 1 document: it is accepted and upgraded to version 2 on import"
        findings.append(Finding("$", "warning", notice))
        return _sorted(findings + _mapping_findings(meta.upgrade_v1(doc), registry))
    raw: list[tuple[tuple[meta.PathPart, ...], str]] = meta.schema_errors(doc)
    if isinstance(doc, dict):
        raw += meta.level_errors(doc.get("levels"))
        raw += meta.linkage_errors(doc)
        raw += _domain_errors(doc)
        raw += _structure_errors(doc)
    findings = [Finding(meta.json_path(path), "error", meta.shorten(msg)) for path, msg in raw]
    if isinstance(doc, dict):
        findings += _language_warnings(doc)
        findings += _mapping_findings(doc, registry)
    return _sorted(findings)


def report_findings(doc: object, registry: RegistryView | None = None) -> list[Finding]:
    registry = registry or RegistryView()
    too_big = _over_budget(doc, _REPORT_BUDGET)
    if too_big:
        return too_big
    findings = [
        Finding(meta.json_path(error.absolute_path), "error", meta.shorten(error.message))
        for error in _report_validator().iter_errors(doc)
    ]
    if not isinstance(doc, dict):
        return _sorted(findings)
    findings += _criteria_findings(doc)
    framework, target = doc.get("framework"), doc.get("target")
    table = _list(doc.get("level_table"))
    rows = [
        (index, row)
        for index, row in enumerate(table)
        if isinstance(row, dict)
        and all(isinstance(row.get(k), str) for k in ("level", "target_level", "relation"))
    ]
    if isinstance(framework, str) and framework == target:
        findings.append(Finding("$.target", "error", "a framework cannot be referenced to itself"))
    if not isinstance(framework, str) or not registry.knows(framework):
        if not isinstance(framework, str):
            message = "no 'framework' given, so the levels of the table were not checked"
            findings.append(Finding("$.framework", "warning", message))
        elif registry.knows_targets:
            findings.append(Finding("$.framework", "error", f"no framework has code {framework!r}"))
    else:
        for index, row in rows:
            if (framework, row["level"]) not in registry.ordinals:
                message = f"{row['level']!r} is not a level of {framework!r}"
                findings.append(Finding(f"$.level_table[{index}].level", "error", message))
    if isinstance(target, str):
        if registry.knows(target):
            for index, row in rows:
                if (target, row["target_level"]) not in registry.ordinals:
                    message = f"{row['target_level']!r} is not a level of {target!r}"
                    path = f"$.level_table[{index}].target_level"
                    findings.append(Finding(path, "error", message))
        elif registry.knows_targets:
            findings.append(Finding("$.target", "error", f"no framework has code {target!r}"))
    seen: dict[tuple[str, str], int] = {}
    for index, row in rows:
        pair = (row["level"], row["target_level"])
        if pair in seen:
            message = f"duplicate row, also at $.level_table[{seen[pair]}]"
            findings.append(Finding(f"$.level_table[{index}]", "error", message))
        seen.setdefault(pair, index)
    if isinstance(framework, str) and isinstance(target, str):
        mappings = [
            _Mapping(index, framework, row["level"], target, row["target_level"], row["relation"])
            for index, row in rows
        ]
        findings += _crossings(mappings, registry.ordinals, "$.level_table")
        findings += _exact_symmetry(mappings, registry.stated, "$.level_table")
    return _sorted(findings)


@dataclass(frozen=True)
class _Mapping:
    index: int
    framework: str
    level: str
    target_framework: str
    target_level: str
    relation: str


def _mapping_findings(doc: dict[str, Any], registry: RegistryView) -> list[Finding]:
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
        _Mapping(
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
    findings += _crossings(mappings, ordinals, "$.linkages")
    findings += _exact_symmetry(mappings, registry.stated, "$.linkages")
    return findings


def _crossings(
    mappings: Sequence[_Mapping], ordinals: Mapping[tuple[str, str], int], prefix: str
) -> list[Finding]:
    """Level i < j mapped to targets a > b, found in one sorted pass per target framework."""
    findings: list[Finding] = []
    by_target: dict[str, list[tuple[int, int, _Mapping]]] = {}
    for mapping in mappings:
        source = ordinals.get((mapping.framework, mapping.level))
        target = ordinals.get((mapping.target_framework, mapping.target_level))
        if source is not None and target is not None:
            by_target.setdefault(mapping.target_framework, []).append((source, target, mapping))
    for items in by_target.values():
        items.sort(key=lambda item: (item[0], item[1], item[2].index))
        highest: tuple[int, _Mapping] | None = None  # over strictly lower source levels
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


def _exact_symmetry(
    mappings: Sequence[_Mapping], stated: Iterable[StatedLink], prefix: str
) -> list[Finding]:
    findings: list[Finding] = []
    claimed_by_source: dict[tuple[str, str], _Mapping] = {}
    claimed_target: dict[tuple[str, str], _Mapping] = {}
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


def _domain_errors(doc: dict[str, Any]) -> list[tuple[tuple[meta.PathPart, ...], str]]:
    domains, levels = doc.get("domains"), doc.get("levels")
    if not isinstance(domains, list):
        return []
    errors: list[tuple[tuple[meta.PathPart, ...], str]] = []
    declared: dict[str, int] = {}
    for index, domain in enumerate(domains):
        code = domain.get("code") if isinstance(domain, dict) else None
        if isinstance(code, str):
            if code in declared:
                where = meta.json_path(("domains", declared[code], "code"))
                errors.append(
                    (("domains", index, "code"), f"duplicate domain code {code!r}, also at {where}")
                )
            declared.setdefault(code, index)
    for index, level in enumerate(_list(levels)):
        descriptors = level.get("descriptors") if isinstance(level, dict) else None
        if not isinstance(descriptors, dict):
            continue
        name = level.get("code")
        for code in declared:
            if code not in descriptors:
                message = f"domain {code!r} is declared but level {name!r} does not describe it"
                errors.append((("levels", index, "descriptors", code), message))
        for key in descriptors:
            if key not in declared:
                message = f"{key!r} is not a declared domain ({', '.join(declared) or 'none'})"
                errors.append((("levels", index, "descriptors", key), message))
    return errors


def _structure_errors(doc: dict[str, Any]) -> list[tuple[tuple[meta.PathPart, ...], str]]:
    """Qualification types, sub-frameworks, credit volumes and validity dates."""
    errors: list[tuple[tuple[meta.PathPart, ...], str]] = []
    levels = _list(doc.get("levels"))
    level_codes = {lvl.get("code") for lvl in levels if isinstance(lvl, dict)}
    type_codes: set[str] = set()
    for index, level in enumerate(levels):
        types = level.get("qualification_types") if isinstance(level, dict) else None
        seen: set[str] = set()
        for position, kind in enumerate(_list(types)):
            code = kind.get("code") if isinstance(kind, dict) else None
            if not isinstance(code, str):
                continue
            if code in seen:
                path = ("levels", index, "qualification_types", position, "code")
                errors.append((path, f"duplicate qualification type {code!r} at this level"))
            seen.add(code)
            type_codes.add(code)
            volume = kind.get("volume") if isinstance(kind, dict) else None
            errors += _range_errors(
                volume, ("levels", index, "qualification_types", position, "volume")
            )
    subs = _list(doc.get("sub_frameworks"))
    sub_codes: dict[str, int] = {}
    for index, sub in enumerate(subs):
        if not isinstance(sub, dict):
            continue
        code = sub.get("code")
        if isinstance(code, str):
            if code in sub_codes:
                errors.append(
                    (("sub_frameworks", index, "code"), f"duplicate sub-framework code {code!r}")
                )
            sub_codes.setdefault(code, index)
        for position, level in enumerate(_list(sub.get("levels"))):
            if isinstance(level, str) and level not in level_codes:
                sub_path: tuple[meta.PathPart, ...] = ("sub_frameworks", index, "levels", position)
                errors.append((sub_path, f"{level!r} is not a level of this framework"))
    credit = doc.get("credit_system")
    if isinstance(credit, dict):
        hours = credit.get("notional_hours_per_credit")
        if (
            isinstance(hours, dict)
            and meta.is_number(hours.get("min"))
            and meta.is_number(hours.get("max"))
            and hours["min"] > hours["max"]
        ):
            errors.append(
                (("credit_system", "notional_hours_per_credit"), "min is greater than max")
            )
        volumes = _list(credit.get("typical_volume"))
        for index, volume in enumerate(volumes):
            if not isinstance(volume, dict):
                continue
            volume_path: tuple[meta.PathPart, ...] = ("credit_system", "typical_volume", index)
            errors += _range_errors(volume, volume_path)
            kind = volume.get("qualification_type")
            if isinstance(kind, str) and kind not in type_codes:
                errors.append(
                    (
                        path + ("qualification_type",),
                        f"{kind!r} is not a qualification type of any level",
                    )
                )
    start, end = doc.get("valid_from"), doc.get("valid_until")
    if isinstance(start, str) and isinstance(end, str) and end < start:
        errors.append((("valid_until",), f"{end} is before valid_from {start}"))
    return errors


def _range_errors(
    volume: object, path: tuple[meta.PathPart, ...]
) -> list[tuple[tuple[meta.PathPart, ...], str]]:
    if not isinstance(volume, dict):
        return []
    low, high = volume.get("min_credits"), volume.get("max_credits")
    if meta.is_number(low) and meta.is_number(high) and low > high:
        return [(path, f"min_credits {low} is greater than max_credits {high}")]
    return []


def _language_warnings(doc: dict[str, Any]) -> list[Finding]:
    name = doc.get("name")
    if isinstance(name, dict) and name and "en" not in name:
        return [
            Finding("$.name", "warning", "no English name: verifiers fall back to another language")
        ]
    return []


def _criteria_findings(doc: dict[str, Any]) -> list[Finding]:
    set_code = doc.get("criteria_set", doc.get("target"))
    criteria = _list(doc.get("criteria"))
    sets = meta.load_criteria_sets()
    if not isinstance(set_code, str):
        return []
    where = "$.criteria_set" if "criteria_set" in doc else "$.target"
    if set_code not in sets:
        known = ", ".join(sorted(sets))
        return [
            Finding(where, "error", f"no referencing criteria set {set_code!r} (known: {known})")
        ]
    required = {criterion["id"]: criterion["text"] for criterion in sets[set_code]["criteria"]}
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for index, criterion in enumerate(criteria):
        if not isinstance(criterion, dict) or not isinstance(criterion.get("id"), str):
            continue
        ident = criterion["id"]
        if ident not in required:
            findings.append(
                Finding(
                    f"$.criteria[{index}].id",
                    "error",
                    f"{ident!r} is not a criterion of the {set_code} set (1-{len(required)})",
                )
            )
        elif ident in seen:
            findings.append(
                Finding(
                    f"$.criteria[{index}].id",
                    "error",
                    f"criterion {ident} is addressed twice, also at $.criteria[{seen[ident]}]",
                )
            )
        seen.setdefault(ident, index)
        evidence = criterion.get("evidence")
        if isinstance(evidence, list) and not evidence:
            findings.append(
                Finding(
                    f"$.criteria[{index}].evidence",
                    "error",
                    f"criterion {ident} is addressed without evidence",
                )
            )
    for ident, text in required.items():
        if ident not in seen:
            findings.append(
                Finding(
                    "$.criteria",
                    "error",
                    f"criterion {ident} of the {set_code} set is not addressed: {text}",
                )
            )
    return findings


@cache
def _report_validator() -> Draft202012Validator:
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def report_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(meta.read_data("referencing-report.schema.json"))
    return schema


def _from_message(message: str) -> Finding:
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


def _sorted(findings: list[Finding]) -> list[Finding]:
    unique = list(dict.fromkeys(findings))
    unique.sort(key=lambda finding: (_path_key(finding.path), finding.severity))
    return unique[:_MAX_FINDINGS]
