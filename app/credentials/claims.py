"""What a request claims beyond its achievement (credits earned, results, evidence), checked
against the achievement and written as OB 3.0 parts; shared by issuance and re-issue."""

from __future__ import annotations

from typing import Any

from app.credentials import validation
from app.credentials.schemas import EvidenceIn, ResultIn
from app.errors import InvalidInput


def check_claims(achievement: dict[str, Any], credits_earned: float | None) -> None:
    """Claims that contradict the achievement are refused, naming the request's field."""
    available = achievement.get("creditsAvailable")
    if credits_earned is not None and available is not None and credits_earned > available:
        raise InvalidInput(
            f"credits_earned {credits_earned:g} is more than the {available:g} "
            "credits the achievement makes available.",
            field="credits_earned",
        )


def results_for(achievement: dict[str, Any], items: list[ResultIn]) -> list[dict[str, Any]]:
    descriptions = {rd["name"]: rd for rd in achievement.get("resultDescription", [])}
    by_name = {name: rd["id"] for name, rd in descriptions.items()}
    results = []
    for index, item in enumerate(items):
        result: dict[str, Any] = {"type": ["Result"]}
        if item.value is not None:
            result["value"] = item.value
        if item.status is not None:
            result["status"] = item.status
        if item.result_description is not None:
            if item.result_description not in by_name:
                raise InvalidInput(
                    f"The achievement has no result description named '{item.result_description}'.",
                    field=f"result.{index}.result_description",
                )
            result["resultDescription"] = by_name[item.result_description]
            problem = validation.result_problem(result, descriptions[item.result_description])
            if problem:
                raise InvalidInput(
                    f"result {index} ({item.result_description}): {problem}.",
                    field=f"result.{index}.value",
                )
        results.append(result)
    return results


def evidence_for(items: list[EvidenceIn]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        entry: dict[str, Any] = {"type": ["Evidence"]}
        entry.update(item.model_dump(mode="json", exclude_none=True))
        out.append(entry)
    return out
