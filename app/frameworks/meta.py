"""The meta-standard: one JSON shape for every qualification framework, and the shipped data.

Pure: reads package data and checks documents; storage and the API build on it. Every loader
returns a fresh object, so a caller that edits what it got cannot change what others see.

Exceptions::

    ValueError
     └── InvalidFrameworkDocument   a shipped framework fails the meta-standard
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any, TypeGuard

from jsonschema import Draft202012Validator

SCHEMA_ID = "urn:learnproof:schema:qualification-framework:1"

_DATA_PACKAGE = "app.frameworks"

_PathPart = str | int
_Error = tuple[tuple[_PathPart, ...], str]
# Errors are echoed to API clients; a message quoting a whole submitted document helps nobody.
_MAX_MESSAGE_CHARS = 300


class InvalidFrameworkDocument(ValueError):
    """A framework document that does not conform to the meta-standard."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def load_schema() -> dict[str, Any]:
    """The meta-standard JSON Schema (draft 2020-12)."""
    schema: dict[str, Any] = json.loads(_read_data("framework.schema.json"))
    return schema


def validate_framework_document(doc: object) -> list[str]:
    """Every way ``doc`` departs from the meta-standard, as ``"<JSON path>: <problem>"``.

    An empty list means the document conforms. Besides the schema, this checks what JSON
    Schema cannot: unique level codes, strictly increasing ordinals, credit ranges in order,
    and linkages that start from a level of this framework, are unique and point elsewhere.
    """
    errors: list[_Error] = [
        (tuple(error.absolute_path), error.message) for error in _validator().iter_errors(doc)
    ]
    if isinstance(doc, dict):
        errors += _level_errors(doc.get("levels"))
        errors += _linkage_errors(doc)
    errors.sort(key=lambda error: _sort_key(error[0]))
    return [f"{_json_path(path)}: {_shorten(message)}" for path, message in errors]


def load_eqf() -> dict[str, Any]:
    """The European Qualifications Framework as shipped, checked against the meta-standard."""
    eqf: dict[str, Any] = json.loads(_read_data("eqf.json"))
    errors = validate_framework_document(eqf)
    if errors:
        raise InvalidFrameworkDocument(errors)
    return eqf


def load_isced_f() -> list[dict[str, Any]]:
    """ISCED-F 2013 fields: ``{code, name, level: broad|narrow|detailed, parent}`` in code order."""
    fields: list[dict[str, Any]] = json.loads(_read_data("isced_f_2013.json"))["fields"]
    return fields


@cache
def _read_data(name: str) -> str:
    return (resources.files(_DATA_PACKAGE) / "data" / name).read_text(encoding="utf-8")


@cache
def _validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _level_errors(levels: object) -> list[_Error]:
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
                first = _json_path(("levels", first_index_of_code[code], "code"))
                errors.append(
                    (("levels", index, "code"), f"duplicate level code {code!r}, also at {first}")
                )
            else:
                first_index_of_code[code] = index
        ordinal = level.get("ordinal")
        if _is_int(ordinal):
            if previous_ordinal is not None and ordinal <= previous_ordinal:
                message = f"ordinal {ordinal} must exceed the previous level's {previous_ordinal}"
                errors.append((("levels", index, "ordinal"), message))
            previous_ordinal = ordinal
        volume = level.get("typical_volume")
        if isinstance(volume, dict):
            low, high = volume.get("min_credits"), volume.get("max_credits")
            if _is_number(low) and _is_number(high) and low > high:
                message = f"min_credits {low} is greater than max_credits {high}"
                errors.append((("levels", index, "typical_volume"), message))
    return errors


def _linkage_errors(doc: dict[str, Any]) -> list[_Error]:
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
                first = _json_path(("linkages", first_index_of_pair[pair]))
                errors.append((("linkages", index), f"duplicate linkage, also at {first}"))
            else:
                first_index_of_pair[pair] = index
    return errors


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_path(path: Sequence[_PathPart]) -> str:
    return "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _sort_key(path: Sequence[_PathPart]) -> tuple[tuple[int, int, str], ...]:
    # Numeric indexes sort as numbers, so $.levels[10] follows $.levels[9].
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


def _shorten(message: str) -> str:
    if len(message) <= _MAX_MESSAGE_CHARS:
        return message
    return message[: _MAX_MESSAGE_CHARS - 1] + "…"
