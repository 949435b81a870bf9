"""Checks of an imported framework document, reported as the errors of one 422 problem.

Each error is ``{field, message}`` like every other 422, ``field`` being the JSON path the
meta-standard names (``$.levels[2].ordinal``); the problem also carries every lint finding
(``{path, severity, message}``, warnings included) as ``findings``.
"""

from __future__ import annotations

from app.errors import InvalidInput
from app.frameworks import lint, meta
from app.frameworks.findings import Finding, RegistryView

# framework_level.ordinal is a 32-bit INTEGER; the version 1 schema sets no upper bound.
_MAX_ORDINAL = 2**31 - 1
_SUMMARISED = 5


def document_findings(document: object, registry: RegistryView) -> list[Finding]:
    """Lint findings, plus values the database could not store."""
    findings = lint.framework_findings(document, registry)
    if meta.is_v1(document) and isinstance(document, dict):
        levels = document.get("levels")
        for index, level in enumerate(levels if isinstance(levels, list) else []):
            ordinal = level.get("ordinal") if isinstance(level, dict) else None
            if isinstance(ordinal, int) and ordinal > _MAX_ORDINAL:
                path = f"$.levels[{index}].ordinal"
                findings.append(Finding(path, "error", f"must be at most {_MAX_ORDINAL}"))
    return findings


def errors_of(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.severity == "error"]


def invalid_document(findings: list[Finding], *, kind: str = "framework document") -> InvalidInput:
    errors = errors_of(findings)
    summary = "; ".join(f"{error.path}: {error.message}" for error in errors[:_SUMMARISED])
    more = f" (and {len(errors) - _SUMMARISED} more)" if len(errors) > _SUMMARISED else ""
    return InvalidInput(
        f"The {kind} does not conform to the meta-standard: {summary}{more}",
        extra={
            "errors": [{"field": error.path, "message": error.message} for error in errors],
            "findings": [finding.to_json() for finding in findings],
        },
    )
