"""Checks of a version 2 framework document that its JSON Schema cannot say: domains,
sub-frameworks, credit ranges, languages."""

from __future__ import annotations

from typing import Any

from app.frameworks import meta
from app.frameworks.findings import Finding, as_list


def domain_errors(doc: dict[str, Any]) -> list[tuple[tuple[meta.PathPart, ...], str]]:
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
    for index, level in enumerate(as_list(levels)):
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


def structure_errors(doc: dict[str, Any]) -> list[tuple[tuple[meta.PathPart, ...], str]]:
    """Qualification types, sub-frameworks, credit volumes and validity dates."""
    errors: list[tuple[tuple[meta.PathPart, ...], str]] = []
    levels = as_list(doc.get("levels"))
    level_codes = {lvl.get("code") for lvl in levels if isinstance(lvl, dict)}
    type_codes: set[str] = set()
    for index, level in enumerate(levels):
        types = level.get("qualification_types") if isinstance(level, dict) else None
        seen: set[str] = set()
        for position, kind in enumerate(as_list(types)):
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
    subs = as_list(doc.get("sub_frameworks"))
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
        for position, level in enumerate(as_list(sub.get("levels"))):
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
        volumes = as_list(credit.get("typical_volume"))
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


def language_warnings(doc: dict[str, Any]) -> list[Finding]:
    name = doc.get("name")
    if isinstance(name, dict) and name and "en" not in name:
        return [
            Finding("$.name", "warning", "no English name: verifiers fall back to another language")
        ]
    return []
