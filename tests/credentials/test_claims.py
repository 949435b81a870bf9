"""Claims that contradict the achievement are refused before signing (issue 12.7)."""

from __future__ import annotations

import pytest

from tests.credentials.factories import World

DESCRIPTIONS = [
    {"name": "Score", "result_type": "ScaledScore", "value_min": "0", "value_max": "100"},
    {"name": "Letter", "result_type": "LetterGrade", "allowed_value": ["A", "B", "C"]},
]


def test_credits_beyond_those_available_are_refused(world: World) -> None:
    refused = world.issue(422, credits_earned=50)
    assert refused["errors"][0]["field"] == "credits_earned"
    assert "50" in refused["detail"]
    assert "5" in refused["detail"]
    assert world.issue(credits_earned=5)["credential"]["credentialSubject"]["creditsEarned"] == 5


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"result_description": "Score", "value": "87"}, 201),
        ({"result_description": "Score", "value": "100"}, 201),
        ({"result_description": "Score", "value": "101"}, 422),
        ({"result_description": "Score", "value": "-1"}, 422),
        ({"result_description": "Score", "value": "eighty"}, 422),
        ({"result_description": "Letter", "value": "B"}, 201),
        ({"result_description": "Letter", "value": "F"}, 422),
    ],
)
def test_results_must_fit_their_description(
    world: World, result: dict[str, str], expected: int
) -> None:
    world.achievement = world.create_achievement(result_descriptions=DESCRIPTIONS)
    body = world.issue(expected, result=[{"status": "Completed"}, result])
    if expected == 422:
        assert body["errors"][0]["field"] == "result.1.value"


def test_the_verifier_warns_about_credits_beyond_those_available() -> None:
    from app.verification.meaning import describe, meaning_check

    document = {
        "credentialSubject": {
            "achievement": {"name": "Python", "creditsAvailable": 5},
            "creditsEarned": 50,
        }
    }
    check = meaning_check(describe(document))
    assert check.outcome == "warning"
    assert "50 credits earned of 5" in check.reason
