"""The meta-standard: one JSON shape for every qualification framework, and the shipped data.

Pure: reads package data and checks documents; storage and the API build on it. Every loader
returns a fresh object, so a caller that edits what it got cannot change what others see.

Two versions exist. Version 1 fixed the descriptors to knowledge / skills /
responsibility_autonomy and the credit system to a unit name; version 2 lets a framework
declare its own descriptor domains, qualification types, sub-frameworks, credit system,
owner and validity, with names in several languages. A document without ``domains`` is a
version 1 document: it is checked against the version 1 schema and ``upgrade_v1`` turns it
into version 2, which is what the registry stores and exports.

Exceptions::

    ValueError
     └── InvalidFrameworkDocument   a shipped framework fails the meta-standard
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any, TypeGuard

from jsonschema import Draft202012Validator

SCHEMA_ID = "urn:learnproof:schema:qualification-framework:2"
BUILT_IN_CODES = ("eqf", "aqrf", "cn-vsl")
REFERENCE_DOMAINS = ("knowledge", "skills", "responsibility_autonomy")
_V1_DOMAIN_NAMES = {
    "knowledge": "Knowledge",
    "skills": "Skills",
    "responsibility_autonomy": "Responsibility and autonomy",
}

_DATA_PACKAGE = "app.frameworks"

PathPart = str | int
_Error = tuple[tuple[PathPart, ...], str]
# Errors are echoed to API clients; a message quoting a whole submitted document helps nobody.
_MAX_MESSAGE_CHARS = 300


class InvalidFrameworkDocument(ValueError):
    """A framework document that does not conform to the meta-standard."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def load_schema() -> dict[str, Any]:
    """The meta-standard (version 2) JSON Schema (draft 2020-12)."""
    schema: dict[str, Any] = json.loads(read_data("framework.schema.json"))
    return schema


def load_schema_v1() -> dict[str, Any]:
    """The version 1 JSON Schema, still accepted on import."""
    schema: dict[str, Any] = json.loads(read_data("framework-v1.schema.json"))
    return schema


def is_v1(doc: object) -> bool:
    """A version 1 document: an object that declares no descriptor domains."""
    return isinstance(doc, dict) and "domains" not in doc


def validate_framework_document(doc: object) -> list[str]:
    """Every error in ``doc`` against its version of the meta-standard, as
    ``"<JSON path>: <problem>"``; an empty list means the document conforms.

    Besides the schema, this checks what JSON Schema cannot: unique codes, strictly
    increasing ordinals, credit ranges in order, linkages that start from a level of this
    framework, are unique and point elsewhere, and (version 2) every declared domain
    described at every level. Checks that need the registry are in ``lint``.
    """
    if not is_v1(doc):
        # Imported here: lint builds on this module's validators and helpers.
        from app.frameworks import lint

        return [
            f"{finding.path}: {finding.message}"
            for finding in lint.framework_findings(doc)
            if finding.severity == "error"
        ]
    errors: list[_Error] = [
        (tuple(error.absolute_path), error.message) for error in _validator_v1().iter_errors(doc)
    ]
    if isinstance(doc, dict):
        errors += level_errors(doc.get("levels"))
        errors += linkage_errors(doc)
    errors.sort(key=lambda error: sort_key(error[0]))
    return [f"{json_path(path)}: {shorten(message)}" for path, message in errors]


def schema_errors(doc: object) -> list[_Error]:
    """``(path, message)`` for every departure from the version 2 JSON Schema."""
    return [(tuple(error.absolute_path), error.message) for error in _validator().iter_errors(doc)]


def upgrade_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """A valid version 1 document as the equivalent version 2 document (a new object).

    The three fixed descriptors become three declared domains mapped to themselves; the
    credit system "none" is left out (version 2 makes it optional).
    """
    upgraded: dict[str, Any] = {
        key: copy.deepcopy(doc[key])
        for key in ("code", "name", "jurisdiction", "version", "source_url", "description")
        if key in doc
    }
    upgraded["domains"] = [
        {"code": code, "name": name, "maps_to": [code]} for code, name in _V1_DOMAIN_NAMES.items()
    ]
    upgraded["levels"] = copy.deepcopy(doc.get("levels", []))
    if doc.get("credit_system") not in (None, "none"):
        upgraded["credit_system"] = doc["credit_system"]
    if doc.get("linkages"):
        upgraded["linkages"] = copy.deepcopy(doc["linkages"])
    return upgraded


def text_in(value: object, language: str = "en") -> str:
    """One text of a string-or-``{language: text}`` value: ``language`` first, then English,
    then the first given; "" when there is none."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value:
        for tag in (language, language.split("-")[0], "en"):
            if isinstance(value.get(tag), str):
                return str(value[tag])
        first = next(iter(value.values()))
        return first if isinstance(first, str) else ""
    return ""


def texts(value: object) -> dict[str, str]:
    """Every language of a string-or-map value; a plain string counts as English."""
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, str)}
    return {}


def credit_unit(doc: dict[str, Any]) -> str:
    """The unit of a document's credit system, or "none"."""
    credit = doc.get("credit_system")
    if isinstance(credit, dict):
        return str(credit.get("unit") or "none")
    return credit if isinstance(credit, str) else "none"


def load_built_in(code: str) -> dict[str, Any]:
    """A shipped framework (``eqf``, ``aqrf``, ``cn-vsl``), checked against the meta-standard."""
    if code not in BUILT_IN_CODES:
        raise KeyError(code)
    doc: dict[str, Any] = json.loads(read_data(f"{code}.json"))
    errors = validate_framework_document(doc)
    if errors:
        raise InvalidFrameworkDocument(errors)
    return doc


def load_eqf() -> dict[str, Any]:
    """The European Qualifications Framework as shipped, checked against the meta-standard."""
    return load_built_in("eqf")


def load_criteria_sets() -> dict[str, dict[str, Any]]:
    """Referencing criteria sets by code (``eqf``: 10 criteria, ``aqrf``: 11)."""
    sets: dict[str, dict[str, Any]] = json.loads(read_data("referencing_criteria.json"))["sets"]
    return sets


def load_isced_f() -> list[dict[str, Any]]:
    """ISCED-F 2013 fields: ``{code, name, level: broad|narrow|detailed, parent}`` in code order."""
    fields: list[dict[str, Any]] = json.loads(read_data("isced_f_2013.json"))["fields"]
    return fields


@cache
def read_data(name: str) -> str:
    return (resources.files(_DATA_PACKAGE) / "data" / name).read_text(encoding="utf-8")


@cache
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _validator_v1() -> Draft202012Validator:
    schema = load_schema_v1()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def level_errors(levels: object) -> list[_Error]:
    if not isinstance(levels, list):
        return []
    errors: list[_Error] = []
    first_index_of_code: dict[str, int] = {}
    previous_ordinal: int | None = None
    for index, level in enumerate(levels):
        if not isinstance(level, dict):
            continue
        code = level.get("code")
        if isinstance(code, str):
            if code in first_index_of_code:
                first = json_path(("levels", first_index_of_code[code], "code"))
                errors.append(
                    (("levels", index, "code"), f"duplicate level code {code!r}, also at {first}")
                )
            else:
                first_index_of_code[code] = index
        ordinal = level.get("ordinal")
        if is_int(ordinal):
            if previous_ordinal is not None and ordinal <= previous_ordinal:
                message = f"ordinal {ordinal} must exceed the previous level's {previous_ordinal}"
                errors.append((("levels", index, "ordinal"), message))
            previous_ordinal = ordinal
        volume = level.get("typical_volume")
        if isinstance(volume, dict):
            low, high = volume.get("min_credits"), volume.get("max_credits")
            if is_number(low) and is_number(high) and low > high:
                message = f"min_credits {low} is greater than max_credits {high}"
                errors.append((("levels", index, "typical_volume"), message))
    return errors


def linkage_errors(doc: dict[str, Any]) -> list[_Error]:
    linkages = doc.get("linkages")
    levels = doc.get("levels")
    if not isinstance(linkages, list):
        return []
    level_codes = (
        {level.get("code") for level in levels if isinstance(level, dict)}
        if isinstance(levels, list)
        else None
    )
    errors: list[_Error] = []
    first_index_of_pair: dict[tuple[str, str, str], int] = {}
    for index, linkage in enumerate(linkages):
        if not isinstance(linkage, dict):
            continue
        level = linkage.get("level")
        target_framework = linkage.get("target_framework")
        target_level = linkage.get("target_level")
        if level_codes is not None and isinstance(level, str) and level not in level_codes:
            errors.append(
                (("linkages", index, "level"), f"{level!r} is not a level of this framework")
            )
        if isinstance(target_framework, str) and target_framework == doc.get("code"):
            errors.append(
                (("linkages", index, "target_framework"), "a framework cannot link to itself")
            )
        if (
            isinstance(level, str)
            and isinstance(target_framework, str)
            and isinstance(target_level, str)
        ):
            pair = (level, target_framework, target_level)
            if pair in first_index_of_pair:
                first = json_path(("linkages", first_index_of_pair[pair]))
                errors.append((("linkages", index), f"duplicate linkage, also at {first}"))
            else:
                first_index_of_pair[pair] = index
    return errors


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_path(path: Sequence[PathPart]) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def sort_key(path: Sequence[PathPart]) -> tuple[tuple[int, int, str], ...]:
    # Numeric indexes sort as numbers, so $.levels[10] follows $.levels[9].
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


def shorten(message: str) -> str:
    if len(message) <= _MAX_MESSAGE_CHARS:
        return message
    return message[: _MAX_MESSAGE_CHARS - 1] + "…"
