"""Pure: what the issuer refuses to sign.

Every credential we sign first passes the checks `POST /credentials/verify` applies to its
structure (VC DM 2.0 JSON Schema, or the VC DM 1.1 rules; the Open Badges 3.0 schema for
badges), its dates (XML Schema dateTimeStamp), its status entries (BSL §2.1) and its claims
(no credits beyond those available, no result outside its description). So whatever the
issuer answers 201 for, the verifier accepts — except for time (a credential may be issued
before its validFrom) and for status (it may be revoked later).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from app.errors import InvalidInput
from app.verification.checks import as_list, data_model, parse_date_time
from app.verification.status_checks import STATUS_ENTRY, status_entry_problem
from app.verification.structure import (
    identifier_problems,
    is_open_badge,
    ob_problems,
    related_resource_problems,
    schema_problems,
    v1_problems,
)

VC_SCHEMA: Final = "verifiable-credential-schema.json"
Problem = tuple[str, str]


def _date_problems(document: Mapping[str, Any], model: str) -> list[Problem]:
    names = ("issuanceDate", "expirationDate") if model == "1.1" else ("validFrom", "validUntil")
    problems: list[Problem] = []
    moments = []
    for name in names:
        if name not in document:
            continue
        moment = parse_date_time(document[name])
        if moment is None:
            message = f"{document[name]!r} is not an XML Schema dateTimeStamp "
            message += "(e.g. 2026-01-01T00:00:00Z: date, 'T', time and a time zone)"
            problems.append((name, message))
        moments.append(moment)
    if len(moments) == 2 and moments[0] and moments[1] and moments[0] > moments[1]:
        problems.append((names[1], f"{names[1]} is before {names[0]}"))
    return problems


def _status_problems(document: Mapping[str, Any]) -> list[Problem]:
    value = document.get("credentialStatus")
    problems: list[Problem] = []
    for position, entry in enumerate(as_list(value)):
        where = f"credentialStatus.{position}" if isinstance(value, list) else "credentialStatus"
        if isinstance(entry, Mapping) and STATUS_ENTRY in as_list(entry.get("type")):
            problem = status_entry_problem(entry)
            if problem:
                problems.append((where, problem))
    return problems


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def result_problem(result: Mapping[str, Any], description: Mapping[str, Any]) -> str | None:
    """Why the result's value is outside its ResultDescription, or None.

    Bounds are compared as numbers; a non-numeric scale (letter grades) has no order we could
    know, so only ``allowedValue`` applies to it.
    """
    value = result.get("value")
    if value is None:
        return None
    allowed = description.get("allowedValue")
    if isinstance(allowed, list) and allowed and value not in allowed:
        return f"{value!r} is not one of the allowed values {allowed}"
    number = _number(value)
    low, high = _number(description.get("valueMin")), _number(description.get("valueMax"))
    if number is None:
        if low is not None or high is not None:
            return f"{value!r} is not a number, but the result description sets numeric bounds"
        return None
    if low is not None and number < low:
        return f"{value!r} is below the minimum {description['valueMin']!r}"
    if high is not None and number > high:
        return f"{value!r} is above the maximum {description['valueMax']!r}"
    return None


def claim_problems(document: Mapping[str, Any]) -> list[Problem]:
    """Open Badges claims that contradict themselves (credits, results)."""
    problems: list[Problem] = []
    subjects = document.get("credentialSubject")
    for position, subject in enumerate(as_list(subjects)):
        if not isinstance(subject, Mapping):
            continue
        where = (
            f"credentialSubject.{position}" if isinstance(subjects, list) else "credentialSubject"
        )
        achievement = subject.get("achievement")
        achievement = achievement if isinstance(achievement, Mapping) else {}
        earned = _number(subject.get("creditsEarned"))
        available = _number(achievement.get("creditsAvailable"))
        if earned is not None and available is not None and earned > available:
            message = f"creditsEarned {subject['creditsEarned']} is more than the achievement's "
            message += f"creditsAvailable {achievement['creditsAvailable']}"
            problems.append((f"{where}.creditsEarned", message))
        descriptions = {
            rd.get("id"): rd
            for rd in as_list(achievement.get("resultDescription"))
            if isinstance(rd, Mapping) and isinstance(rd.get("id"), str)
        }
        results = subject.get("result")
        for index, result in enumerate(as_list(results)):
            if not isinstance(result, Mapping):
                continue
            description = descriptions.get(result.get("resultDescription"))
            problem = result_problem(result, description) if description else None
            if problem:
                spot = f"{where}.result.{index}" if isinstance(results, list) else f"{where}.result"
                problems.append((f"{spot}.value", problem))
    return problems


def problems(document: Mapping[str, Any]) -> list[Problem]:
    """(field, message) for every reason not to sign `document` (the unsigned credential)."""
    model = data_model(document)
    found = v1_problems(document) if model == "1.1" else schema_problems(VC_SCHEMA, document)
    if not found and model == "2.0" and is_open_badge(document):
        found = ob_problems(document)
    found += identifier_problems(document)
    found += related_resource_problems(document)
    found += _date_problems(document, model)
    found += _status_problems(document)
    found += claim_problems(document)
    return found


def refuse_invalid(document: Mapping[str, Any], *, prefix: str = "credential") -> None:
    """Raise 422 naming the first offending field (all of them under ``errors``)."""
    found = problems(document)
    if not found:
        return
    named = [(f"{prefix}.{field}" if field else prefix, message) for field, message in found]
    field, message = named[0]
    more = (
        f" (and {len(named) - 1} more problem(s), listed under 'errors')" if len(named) > 1 else ""
    )
    raise InvalidInput(
        f"'{field}': {message}{more}. Nothing was signed.",
        field=field,
        extra={"errors": [{"field": f, "message": m} for f, m in named]},
    )
