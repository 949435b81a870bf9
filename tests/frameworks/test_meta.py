import copy
import re
from collections import Counter
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.frameworks.meta import (
    SCHEMA_ID,
    load_eqf,
    load_isced_f,
    load_schema,
    validate_framework_document,
)


def _national_framework() -> dict[str, Any]:
    """A small valid framework that links one level to the EQF."""

    def level(code: str, ordinal: int) -> dict[str, Any]:
        return {
            "code": code,
            "ordinal": ordinal,
            "name": f"Level {code}",
            "descriptors": {
                "knowledge": f"Knowledge at {code}.",
                "skills": f"Skills at {code}.",
                "responsibility_autonomy": f"Autonomy at {code}.",
            },
        }

    return {
        "code": "nqf-test",
        "name": "Test national framework",
        "jurisdiction": "FR",
        "version": "2019",
        "source_url": "https://example.org/nqf",
        "credit_system": "ECTS",
        "levels": [level("5", 1), level("6", 2), level("7", 3)],
        "linkages": [
            {
                "level": "6",
                "target_framework": "eqf",
                "target_level": "6",
                "relation": "exactMatch",
                "source": "https://example.org/referencing-report",
            }
        ],
    }


def _errors_at(errors: list[str], path: str) -> list[str]:
    return [error for error in errors if error.startswith(f"{path}: ")]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()

    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_shipped_eqf_conforms() -> None:
    eqf = load_eqf()

    assert validate_framework_document(eqf) == []
    assert eqf["code"] == "eqf"
    assert eqf["jurisdiction"] == "EU"
    assert eqf["credit_system"] == "ECTS"
    assert [level["code"] for level in eqf["levels"]] == [str(n) for n in range(1, 9)]
    assert [level["ordinal"] for level in eqf["levels"]] == list(range(1, 9))
    assert "no credit system" in eqf["description"]


def test_eqf_descriptors_are_distinct_per_level() -> None:
    levels = load_eqf()["levels"]

    for aspect in ("knowledge", "skills", "responsibility_autonomy"):
        texts = [level["descriptors"][aspect] for level in levels]
        assert len(set(texts)) == 8, aspect


def test_loaders_return_independent_copies() -> None:
    load_eqf()["levels"].clear()
    load_isced_f().clear()

    assert len(load_eqf()["levels"]) == 8
    assert load_isced_f()


def test_valid_national_framework_conforms() -> None:
    assert validate_framework_document(_national_framework()) == []


def test_missing_levels_is_reported_at_the_root() -> None:
    doc = _national_framework()
    del doc["levels"]

    errors = validate_framework_document(doc)

    assert errors == ["$: 'levels' is a required property"]


def test_unknown_relation_is_reported_at_its_path() -> None:
    doc = _national_framework()
    doc["linkages"][0]["relation"] = "sameAs"

    errors = validate_framework_document(doc)

    assert len(errors) == 1
    assert errors[0].startswith("$.linkages[0].relation: 'sameAs' is not one of")


def test_duplicate_level_codes_are_reported_at_the_repeat() -> None:
    doc = _national_framework()
    doc["levels"][2]["code"] = "5"

    errors = validate_framework_document(doc)

    assert errors == ["$.levels[2].code: duplicate level code '5', also at $.levels[0].code"]


@pytest.mark.parametrize("ordinals", [(1, 2, 2), (1, 3, 2)])
def test_ordinals_must_strictly_increase(ordinals: tuple[int, int, int]) -> None:
    doc = _national_framework()
    for level, ordinal in zip(doc["levels"], ordinals, strict=True):
        level["ordinal"] = ordinal

    errors = validate_framework_document(doc)

    assert len(errors) == 1
    assert errors[0].startswith("$.levels[2].ordinal: ")


def test_errors_are_listed_together_in_document_order() -> None:
    doc = _national_framework()
    doc["levels"] += [copy.deepcopy(level) for level in doc["levels"] * 4]
    for ordinal, level in enumerate(doc["levels"], start=1):
        level["ordinal"] = ordinal
        level["code"] = str(ordinal)
    doc["levels"][10]["ordinal"] = 0
    doc["levels"][9]["descriptors"]["skills"] = "   "
    doc["jurisdiction"] = "France"

    errors = validate_framework_document(doc)

    assert [error.split(":")[0] for error in errors] == [
        "$.jurisdiction",
        "$.levels[9].descriptors.skills",
        "$.levels[10].ordinal",
        "$.levels[10].ordinal",
    ]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(code="NQF Test"), "$.code"),
        (lambda d: d.update(jurisdiction="eu"), "$.jurisdiction"),
        (lambda d: d.update(source_url="not a url"), "$.source_url"),
        (lambda d: d.update(surprise=True), "$"),
        (lambda d: d.update(levels=[]), "$.levels"),
        (lambda d: d["levels"][0].update(ordinal=0), "$.levels[0].ordinal"),
        (lambda d: d["levels"][1]["descriptors"].pop("knowledge"), "$.levels[1].descriptors"),
        (
            lambda d: d["levels"][1].update(
                typical_volume={"min_credits": 240, "max_credits": 180}
            ),
            "$.levels[1].typical_volume",
        ),
        (lambda d: d["linkages"][0].update(level="9"), "$.linkages[0].level"),
        (
            lambda d: d["linkages"][0].update(target_framework="nqf-test"),
            "$.linkages[0].target_framework",
        ),
        (lambda d: d["linkages"][0].pop("source"), "$.linkages[0]"),
        (lambda d: d["linkages"].append(dict(d["linkages"][0])), "$.linkages[1]"),
    ],
)
def test_each_violation_names_its_path(change: Any, path: str) -> None:
    doc = _national_framework()
    change(doc)

    errors = validate_framework_document(doc)

    assert _errors_at(errors, path), errors


def test_non_object_document_is_reported_not_raised() -> None:
    assert validate_framework_document(["eqf"]) == ["$: ['eqf'] is not of type 'object'"]


def test_long_messages_are_shortened() -> None:
    errors = validate_framework_document({"levels": "x" * 10_000})

    assert all(len(error) < 400 for error in errors)


def test_isced_codes_are_unique_and_well_formed() -> None:
    fields = load_isced_f()
    code_length = {"broad": 2, "narrow": 3, "detailed": 4}

    counts = Counter(field["code"] for field in fields)
    assert [code for code, n in counts.items() if n > 1] == []
    for field in fields:
        assert re.fullmatch(r"\d+", field["code"])
        assert len(field["code"]) == code_length[field["level"]], field
        assert field["name"].strip() == field["name"] != ""


def test_isced_parents_exist_one_level_up() -> None:
    by_code = {field["code"]: field for field in load_isced_f()}
    parent_level = {"narrow": "broad", "detailed": "narrow"}

    for field in by_code.values():
        if field["level"] == "broad":
            assert field["parent"] is None
            continue
        parent = by_code[field["parent"]]
        assert parent["level"] == parent_level[field["level"]]
        assert field["code"].startswith(parent["code"])


def test_isced_has_the_official_broad_fields_and_regular_field_counts() -> None:
    fields = load_isced_f()
    residual = re.compile(
        r"not further defined|not elsewhere classified|^Inter-disciplinary|unknown"
    )

    broad = [field["code"] for field in fields if field["level"] == "broad"]
    assert broad == [f"{n:02d}" for n in range(11)] + ["99"]
    # ISCED-F 2013 §3: 29 narrow and about 80 detailed fields besides the residual codes.
    regular = Counter(field["level"] for field in fields if not residual.search(field["name"]))
    assert regular["narrow"] == 29
    assert regular["detailed"] == 80


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("06", "Information and Communication Technologies (ICTs)"),
        ("061", "Information and Communication Technologies (ICTs)"),
        ("0613", "Software and applications development and analysis"),
        ("0413", "Management and administration"),
        (
            "0688",
            "Inter-disciplinary programmes and qualifications involving Information and "
            "Communication Technologies (ICTs)",
        ),
        ("9999", "Field unknown"),
    ],
)
def test_isced_names(code: str, name: str) -> None:
    by_code = {field["code"]: field for field in load_isced_f()}

    assert by_code[code]["name"] == name


def test_isced_0613_sits_under_ict() -> None:
    by_code = {field["code"]: field for field in load_isced_f()}

    assert by_code["0613"]["parent"] == "061"
    assert by_code["061"]["parent"] == "06"
