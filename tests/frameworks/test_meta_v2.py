"""Meta-standard v2: five frameworks of different shapes, v1 upgrade, and the lint's findings."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.frameworks import lint, meta
from app.frameworks.findings import Finding, RegistryView, StatedLink
from tests.support.frameworks import fixture


def five_frameworks() -> list[dict[str, Any]]:
    return [meta.load_built_in(code) for code in meta.BUILT_IN_CODES] + [
        fixture("za-nqf"),
        fixture("aqf-like"),
    ]


def errors(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.path, f.message) for f in findings if f.severity == "error"]


def paths(findings: list[Finding]) -> list[str]:
    return [f.path for f in findings if f.severity == "error"]


def eqf_registry() -> RegistryView:
    ordinals = {("eqf", str(n)): n for n in range(1, 9)}
    return RegistryView(ordinals=ordinals, knows_targets=True)


def test_schema_is_v2_and_valid() -> None:
    schema = meta.load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == meta.SCHEMA_ID == "urn:learnproof:schema:qualification-framework:2"
    assert "domains" in schema["required"]


@pytest.mark.parametrize("document", five_frameworks(), ids=lambda d: d["code"])
def test_five_shapes_pass_the_lint(document: dict[str, Any]) -> None:
    assert lint.lint(document, eqf_registry()) == []
    assert meta.validate_framework_document(document) == []


def test_the_shapes_really_differ() -> None:
    shapes = {
        d["code"]: (len(d["domains"]), len(d["levels"]), d["jurisdiction"])
        for d in five_frameworks()
    }
    assert shapes == {
        "eqf": (3, 8, "EU"),
        "aqrf": (2, 8, "ASEAN"),
        "cn-vsl": (1, 5, "CN"),
        "za-nqf-test": (10, 10, "ZA"),
        "aqf-like": (3, 10, "AU"),
    }
    aqf = fixture("aqf-like")
    assert [t["code"] for t in aqf["levels"][7]["qualification_types"]] == [
        "graduate-certificate",
        "graduate-diploma",
    ]
    assert {s["code"] for s in fixture("za-nqf")["sub_frameworks"]} == {"gfetqsf", "oqsf", "heqsf"}


def test_aqrf_has_two_domains_and_source() -> None:
    aqrf = meta.load_built_in("aqrf")
    assert [d["name"]["en"] for d in aqrf["domains"]] == [
        "Knowledge and skills",
        "Application and responsibility",
    ]
    assert aqrf["source_url"].startswith("https://asean.org/")
    assert "not quotations" in aqrf["description"]["en"]


def test_cn_vsl_levels_in_chinese_and_english() -> None:
    vsl = meta.load_built_in("cn-vsl")
    assert [level["name"]["zh"] for level in vsl["levels"]] == [
        "五级/初级工",
        "四级/中级工",
        "三级/高级工",
        "二级/技师",
        "一级/高级技师",
    ]
    assert [level["code"] for level in vsl["levels"]] == ["5", "4", "3", "2", "1"]
    assert [level["ordinal"] for level in vsl["levels"]] == [1, 2, 3, 4, 5]
    assert all(set(level["descriptors"]["competence"]) == {"zh", "en"} for level in vsl["levels"])


@pytest.mark.parametrize("jurisdiction", ["GB-SCT", "ASEAN", "EU", "INT", "US-CA", "ZA"])
def test_jurisdictions_accepted(jurisdiction: str) -> None:
    document = fixture("za-nqf")
    document["jurisdiction"] = jurisdiction
    assert errors(lint.lint(document)) == []


@pytest.mark.parametrize("jurisdiction", ["Scotland", "gb-sct", "GB-", "ASEANX", ""])
def test_jurisdictions_refused(jurisdiction: str) -> None:
    document = fixture("za-nqf")
    document["jurisdiction"] = jurisdiction
    assert paths(lint.lint(document)) == ["$.jurisdiction"]


def test_v1_documents_are_upgraded() -> None:
    v1 = {
        "code": "nqf-old",
        "name": "Old",
        "jurisdiction": "IE",
        "version": "1",
        "source_url": "https://example.org/old",
        "credit_system": "ECTS",
        "levels": [
            {
                "code": "6",
                "ordinal": 1,
                "name": "Level 6",
                "descriptors": {"knowledge": "k", "skills": "s", "responsibility_autonomy": "r"},
            }
        ],
    }
    upgraded = meta.upgrade_v1(v1)
    assert [d["code"] for d in upgraded["domains"]] == list(meta.REFERENCE_DOMAINS)
    assert upgraded["credit_system"] == "ECTS"
    assert lint.lint(upgraded) == []
    findings = lint.lint(v1)
    assert [(f.path, f.severity) for f in findings] == [("$", "warning")]
    assert "version 1" in findings[0].message


# --- seeded faults, each caught at its path ---------------------------------------------


def test_swapped_ordinals() -> None:
    document = meta.load_built_in("aqrf")
    levels = document["levels"]
    levels[2]["ordinal"], levels[3]["ordinal"] = levels[3]["ordinal"], levels[2]["ordinal"]
    assert paths(lint.lint(document)) == ["$.levels[3].ordinal"]


def test_missing_domain() -> None:
    document = meta.load_built_in("aqrf")
    del document["levels"][4]["descriptors"]["application_responsibility"]
    found = errors(lint.lint(document))
    assert [path for path, _ in found] == ["$.levels[4].descriptors.application_responsibility"]
    assert "'application_responsibility' is declared" in found[0][1]


def test_undeclared_domain_and_duplicates() -> None:
    document = fixture("za-nqf")
    document["levels"][0]["descriptors"]["mood"] = "cheerful"
    document["domains"].append(dict(document["domains"][0]))
    document["levels"][9]["code"] = "9"
    document["sub_frameworks"][1]["code"] = "gfetqsf"
    found = paths(lint.lint(document))
    assert "$.levels[0].descriptors.mood" in found
    assert "$.domains[10].code" in found
    assert "$.levels[9].code" in found
    assert "$.sub_frameworks[1].code" in found


def test_qualification_types_and_credit_volumes() -> None:
    document = fixture("aqf-like")
    document["levels"][7]["qualification_types"][1]["code"] = "graduate-certificate"
    document["credit_system"]["typical_volume"][0]["min_credits"] = 9
    found = paths(lint.lint(document))
    assert "$.levels[7].qualification_types[1].code" in found
    assert "$.credit_system.typical_volume[0]" in found


def test_crossing_mapping() -> None:
    document = fixture("za-nqf")
    document["linkages"] = [
        {"level": "5", "target_framework": "eqf", "target_level": "4", "relation": "exactMatch",
         "source": "https://example.org/r"},
        {"level": "6", "target_framework": "eqf", "target_level": "3", "relation": "broadMatch",
         "source": "https://example.org/r"},
    ]  # fmt: skip
    found = errors(lint.lint(document, eqf_registry()))
    assert [path for path, _ in found] == ["$.linkages[1]"]
    assert "crossing" in found[0][1]


def test_exact_match_must_be_one_to_one_and_symmetric() -> None:
    document = fixture("za-nqf")
    link = {"target_framework": "eqf", "relation": "exactMatch", "source": "https://e.org/r"}
    document["linkages"] = [
        {**link, "level": "5", "target_level": "5"},
        {**link, "level": "6", "target_level": "5"},
    ]
    found = errors(lint.lint(document, eqf_registry()))
    assert [path for path, _ in found] == ["$.linkages[1]"]
    assert "symmetric" in found[0][1]

    document["linkages"] = [{**link, "level": "7", "target_level": "6"}]
    registry = RegistryView(
        ordinals=eqf_registry().ordinals,
        stated=[StatedLink("eqf", "6", "za-nqf-test", "6", "exactMatch")],
        knows_targets=True,
    )
    found = errors(lint.lint(document, registry))
    assert [path for path, _ in found] == ["$.linkages[0]"]
    assert "not symmetric" in found[0][1]


def test_unknown_targets_only_with_the_registry() -> None:
    document = fixture("aqf-like")
    document["linkages"] = [
        {"level": "7", "target_framework": "nowhere", "target_level": "1",
         "relation": "broadMatch", "source": "x"},
        {"level": "8", "target_framework": "eqf", "target_level": "9",
         "relation": "broadMatch", "source": "x"},
    ]  # fmt: skip
    assert errors(lint.lint(document)) == []
    assert paths(lint.lint(document, eqf_registry())) == [
        "$.linkages[0].target_framework",
        "$.linkages[1].target_level",
    ]


def test_hostile_shapes_give_findings_not_exceptions() -> None:
    for document in (None, [], "eqf", 3, {"levels": "x" * 10_000}, {"domains": [1, None]}):
        found = lint.lint(document)
        assert found
        assert all(f.severity == "error" for f in found)
        assert all(len(f.message) < 400 for f in found)
    huge = fixture("za-nqf")
    huge["levels"] = [copy.deepcopy(huge["levels"][0]) for _ in range(2000)]
    found = lint.lint(huge)
    assert len(found) <= 500
