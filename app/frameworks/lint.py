"""Lint of framework documents and referencing reports: findings with JSON paths and severities.

Pure: what the registry already knows (level ordinals of other frameworks, linkages they
state) comes in as a ``RegistryView``. Errors make a document unacceptable; warnings are worth
a look but do not block an import. The checks live beside this entry point: the document's
structure (lint_structure.py), its mappings (lint_mappings.py), reports (lint_reports.py).
"""

from __future__ import annotations

from app.frameworks import meta
from app.frameworks.findings import (
    Finding,
    RegistryView,
    from_message,
    over_budget,
    sorted_findings,
)
from app.frameworks.lint_mappings import mapping_findings
from app.frameworks.lint_reports import report_findings
from app.frameworks.lint_structure import domain_errors, language_warnings, structure_errors


def is_report(doc: object) -> bool:
    return isinstance(doc, dict) and ("level_table" in doc or "criteria" in doc)


# Array sizes checked before anything else: a schema walk over a document far beyond them
# would cost seconds to say only that it is too big.
_FRAMEWORK_BUDGET = {"levels": 64, "domains": 32, "linkages": 1000, "sub_frameworks": 32}


def lint(doc: object, registry: RegistryView | None = None) -> list[Finding]:
    """Findings for a framework document (version 1 or 2) or a referencing report."""
    if is_report(doc):
        return report_findings(doc, registry)
    return framework_findings(doc, registry)


def framework_findings(doc: object, registry: RegistryView | None = None) -> list[Finding]:
    registry = registry or RegistryView()
    too_big = over_budget(doc, _FRAMEWORK_BUDGET)
    if too_big:
        return too_big
    if meta.is_v1(doc):
        v1_errors = meta.validate_framework_document(doc)
        findings = [from_message(message) for message in v1_errors]
        if v1_errors:
            return findings
        assert isinstance(doc, dict)
        notice = "a version 1 document: it is accepted and upgraded to version 2 on import"
        findings.append(Finding("$", "warning", notice))
        return sorted_findings(findings + mapping_findings(meta.upgrade_v1(doc), registry))
    raw: list[tuple[tuple[meta.PathPart, ...], str]] = meta.schema_errors(doc)
    if isinstance(doc, dict):
        raw += meta.level_errors(doc.get("levels"))
        raw += meta.linkage_errors(doc)
        raw += domain_errors(doc)
        raw += structure_errors(doc)
    findings = [Finding(meta.json_path(path), "error", meta.shorten(msg)) for path, msg in raw]
    if isinstance(doc, dict):
        findings += language_warnings(doc)
        findings += mapping_findings(doc, registry)
    return sorted_findings(findings)
