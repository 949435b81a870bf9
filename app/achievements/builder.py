"""Pure: an achievement record → the Open Badges 3.0 ``Achievement`` object."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.achievements.models import Achievement

LEVEL_TARGET_TYPE = "ext:QualificationFrameworkLevel"
FIELD_TARGET_TYPE = "ext:ISCEDFieldOfStudy"
# The OB 3.0 AlignmentTargetType enumeration has no occupation or industry: its `ext:` form.
TARGET_TYPES = {"occupation": "ext:Occupation", "industry": "ext:Industry"}


@dataclass(frozen=True)
class LevelAlignment:
    framework_code: str
    framework_name: str
    level_code: str
    level_name: str
    url: str


@dataclass(frozen=True)
class FieldAlignment:
    code: str
    name: str
    url: str


@dataclass(frozen=True)
class TargetAlignment:
    """An occupation or industry from a loaded vocabulary (see app/vocabularies)."""

    kind: str
    code: str
    name: str
    framework: str
    url: str
    description: str | None = None


def build_achievement(
    record: Achievement,
    *,
    url: str,
    levels: list[LevelAlignment],
    field: FieldAlignment | None,
    targets: Sequence[TargetAlignment] = (),
) -> dict[str, Any]:
    criteria: dict[str, Any] = {}
    if record.criteria_url:
        criteria["id"] = record.criteria_url
    if record.criteria_narrative:
        criteria["narrative"] = record.criteria_narrative
    achievement: dict[str, Any] = {
        "id": url,
        "type": ["Achievement"],
        "name": record.name,
        "description": record.description,
        "criteria": criteria,
    }
    if record.achievement_type:
        achievement["achievementType"] = record.achievement_type
    if record.image:
        achievement["image"] = {"id": record.image, "type": "Image"}
    if record.tags:
        achievement["tag"] = list(record.tags)
    if record.credits_available is not None:
        achievement["creditsAvailable"] = record.credits_available
    if field is not None:
        achievement["fieldOfStudy"] = field.name
    alignment = [
        {
            "type": ["Alignment"],
            "targetName": f"{level.level_name} ({level.framework_name})",
            "targetCode": level.level_code,
            "targetFramework": level.framework_name,
            "targetType": LEVEL_TARGET_TYPE,
            "targetUrl": level.url,
        }
        for level in levels
    ]
    if field is not None:
        alignment.append(
            {
                "type": ["Alignment"],
                "targetName": field.name,
                "targetCode": field.code,
                "targetFramework": "ISCED-F 2013",
                "targetType": FIELD_TARGET_TYPE,
                "targetUrl": field.url,
            }
        )
    for target in targets:
        aligned = {
            "type": ["Alignment"],
            "targetName": target.name,
            "targetCode": target.code,
            "targetFramework": target.framework,
            "targetType": TARGET_TYPES[target.kind],
            "targetUrl": target.url,
        }
        if target.description:
            aligned["targetDescription"] = target.description
        alignment.append(aligned)
    for index, skill in enumerate(record.skills, start=1):
        entry: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": skill["name"],
            "targetType": "ceasn:Competency",
            "targetUrl": skill.get("url") or f"{url}#skill-{index}",
        }
        if skill.get("code"):
            entry["targetCode"] = skill["code"]
        if skill.get("framework"):
            entry["targetFramework"] = skill["framework"]
        alignment.append(entry)
    if alignment:
        achievement["alignment"] = alignment
    if record.result_descriptions:
        achievement["resultDescription"] = [
            _result_description(url, index, rd)
            for index, rd in enumerate(record.result_descriptions, start=1)
        ]
    return achievement


def _result_description(url: str, index: int, rd: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": f"{url}#result-{index}",
        "type": ["ResultDescription"],
        "name": rd["name"],
        "resultType": rd["result_type"],
    }
    if rd.get("allowed_value"):
        out["allowedValue"] = list(rd["allowed_value"])
    if rd.get("value_min") is not None:
        out["valueMin"] = rd["value_min"]
    if rd.get("value_max") is not None:
        out["valueMax"] = rd["value_max"]
    return out
