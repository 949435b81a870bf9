"""Lint of referencing reports: the schema, the level table against the registry, the criteria."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from app.frameworks import meta
from app.frameworks.findings import Finding, RegistryView, as_list, over_budget, sorted_findings
from app.frameworks.lint_mappings import LevelMapping, crossings, exact_symmetry

_REPORT_BUDGET = {"criteria": 64, "level_table": 256}


def report_findings(doc: object, registry: RegistryView | None = None) -> list[Finding]:
    registry = registry or RegistryView()
    too_big = over_budget(doc, _REPORT_BUDGET)
    if too_big:
        return too_big
    findings = [
        Finding(meta.json_path(error.absolute_path), "error", meta.shorten(error.message))
        for error in _report_validator().iter_errors(doc)
    ]
    if not isinstance(doc, dict):
        return sorted_findings(findings)
    findings += _criteria_findings(doc)
    framework, target = doc.get("framework"), doc.get("target")
    table = as_list(doc.get("level_table"))
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
            LevelMapping(
                index, framework, row["level"], target, row["target_level"], row["relation"]
            )
            for index, row in rows
        ]
        findings += crossings(mappings, registry.ordinals, "$.level_table")
        findings += exact_symmetry(mappings, registry.stated, "$.level_table")
    return sorted_findings(findings)


def _criteria_findings(doc: dict[str, Any]) -> list[Finding]:
    set_code = doc.get("criteria_set", doc.get("target"))
    criteria = as_list(doc.get("criteria"))
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
