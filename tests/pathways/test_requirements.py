"""The requirement parser: every malformed part is refused naming its JSON path; bounded."""

from __future__ import annotations

from typing import Any

import pytest

from app.pathways import requirements
from app.pathways.requirements import Lookups, RequirementError


def _achievement(value: str, field: str) -> requirements.Achievement:
    if value == "unknown":
        raise RequirementError("no achievement has the id 'unknown'", field)
    name = value.rsplit("/", 1)[-1]
    return requirements.Achievement(url=f"https://example.org/a/{name}", label=name)


def _level(framework: str, level: str, field: str) -> requirements.Level:
    if framework != "eqf":
        raise RequirementError(f"no framework '{framework}'", field)
    return requirements.Level(framework, level, int(level), f"EQF level {level}")


LOOKUPS = Lookups(achievement=_achievement, level=_level, isced_f=lambda code, field: "ICT")


def _error(value: Any) -> RequirementError:
    with pytest.raises(RequirementError) as caught:
        requirements.check_names(requirements.parse(value, LOOKUPS))
    return caught.value


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ([], "requirements"),
        ({}, "requirements"),
        ("python", "requirements"),
        ([{"achievement": "a", "isced_f": "06"}], "requirements[0]"),
        ([{"achievement": ""}], "requirements[0].achievement"),
        ([{"achievement": "unknown"}], "requirements[0].achievement"),
        ([{"achievement": "a", "colour": "red"}], "requirements[0].colour"),
        ([{"framework_level": "eqf 5"}], "requirements[0].framework_level"),
        (
            [{"framework_level": {"framework": "eqf", "level": 5}}],
            "requirements[0].framework_level.level",
        ),
        (
            [{"framework_level": {"framework": "nqf", "level": "5"}}],
            "requirements[0].framework_level",
        ),
        ([{"isced_f": "6a"}], "requirements[0].isced_f"),
        ([{"isced_f": "06131"}], "requirements[0].isced_f"),
        ([{"credits": 0}], "requirements[0].credits"),
        ([{"credits": True}], "requirements[0].credits"),
        ([{"credits": "5"}], "requirements[0].credits"),
        ([{"all": []}], "requirements[0].all"),
        ([{"any": {"credits": 5}}], "requirements[0].any"),
        ([{"at_least": 2}], "requirements[0].of"),
        ([{"at_least": 0, "of": [{"credits": 1}]}], "requirements[0].at_least"),
        ([{"at_least": 3, "of": [{"credits": 1}, {"credits": 2}]}], "requirements[0].at_least"),
        ([{"credits": 1, "of": [{"credits": 1}]}], "requirements[0].of"),
        ([{"credits": 1, "name": ""}], "requirements[0].name"),
        ([{"credits": 1, "name": "x" * 201}], "requirements[0].name"),
        (
            [{"credits": 1, "name": "A"}, {"any": [{"credits": 2, "name": "A"}]}],
            "requirements[1].any[0].name",
        ),
    ],
)
def test_malformed_parts_name_their_field(value: Any, field: str) -> None:
    assert _error(value).field == field


def test_depth_is_bounded() -> None:
    value: Any = {"credits": 1}
    for _ in range(requirements.MAX_DEPTH):
        value = {"all": [value]}
    error = _error(value)
    assert "deeper" in error.message


def test_size_is_bounded() -> None:
    wide = {"all": [{"any": [{"credits": 1}] * 40}] * 6}
    assert "more than" in _error(wide).message
    assert "at most" in _error({"any": [{"credits": 1}] * 51}).message


def test_a_tree_reads_back_from_its_stored_form() -> None:
    value = [
        {"name": "Programming", "achievement": "python"},
        {"at_least": 2, "of": [{"framework_level": {"framework": "eqf", "level": "5"}},
                               {"isced_f": "06"}, {"credits": 30}]},
    ]  # fmt: skip
    tree = requirements.parse(value, LOOKUPS)
    stored = [member.to_json() for member in tree.members]
    again = requirements.parse(stored, LOOKUPS)
    assert [member.to_json() for member in again.members] == stored
    assert [m.text() for m in again.members] == [
        "Programming: python",
        "at least 2 of: a credential at EQF level 5 or higher; a credential in ISCED-F field "
        "06 (ICT); 30 credits",
    ]
