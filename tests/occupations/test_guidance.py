"""POST /v1/guidance: only verified credentials count; coverage by ESCO essential skills or
by direct alignment; public achievements here that close the gaps; bounded work."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.dependencies import verification_state
from app.occupations import guidance
from app.verification.ratelimit import TokenBucketLimiter
from app.verification.report import Report
from tests.conftest import make_key
from tests.credentials.factories import World
from tests.support.issuers import create_issuer
from tests.vocabularies.fixtures import (
    DATA_ANALYST,
    PYTHON,
    SOFTWARE_DEVELOPER,
    SOFTWARE_TESTS,
    SPECIFICATIONS,
    SQL,
    WEB_DEVELOPER,
    import_esco,
)

MOOC = {
    "name": "Software Engineering with Python (MOOC)",
    "occupations": [{"scheme": "csco2022", "code": "2-02-10-03"}],
    "industries": [{"scheme": "naics2022", "code": "541511"}],
}


def _guide(client: TestClient, credentials: list[Any], **extra: Any) -> dict[str, Any]:
    response = client.post("/v1/guidance", json={"credentials": credentials, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _codes(body: dict[str, Any]) -> list[str]:
    return [o["code"] for o in body["occupations"]]


def test_a_verified_credential_leads_to_its_occupation(world: World) -> None:
    world.achievement = world.create_achievement(**MOOC)
    issued = world.issue()
    body = _guide(world.client, [issued["credential"], issued["jwt"]])
    assert [c["counted"] for c in body["credentials"]] == [True, True]
    assert body["credentials"][0]["id"] == issued["credential"]["id"]
    [occupation] = body["occupations"]
    assert occupation["code"] == "2-02-10-03"
    assert occupation["name"] == "计算机软件工程技术人员"
    assert occupation["digital"] is True
    assert occupation["coverage"] == {
        "basis": "alignment",
        "ratio": 1.0,
        "essential_total": 0,
        "covered": [],
        "missing": [],
    }
    assert occupation["aligned_by"] == [issued["credential"]["id"]] * 2
    assert [i["code"] for i in body["industries"]] == ["541511"]
    assert body["profile"]["credits"] == 10


def _expired(world: World) -> Any:
    return world.issue(valid_from="2025-01-01T00:00:00Z", valid_until="2025-06-01T00:00:00Z")[
        "credential"
    ]


def _tampered(world: World) -> Any:
    credential = copy.deepcopy(world.issue()["credential"])
    credential["credentialSubject"]["name"] = "Mallory"
    return credential


def _revoked(world: World) -> Any:
    issued = world.issue()
    response = world.client.post(
        f"/v1/credentials/{issued['id']}/revoke",
        json={"reason": "plagiarism"},
        headers=world.revoke_headers,
    )
    assert response.status_code == 200, response.text
    return issued["credential"]


def _suspended(world: World) -> Any:
    world.achievement = world.create_achievement(**MOOC, suspendable=True)
    issued = world.issue()
    response = world.client.post(
        f"/v1/credentials/{issued['id']}/suspend",
        json={"reason": "appeal pending"},
        headers=world.revoke_headers,
    )
    assert response.status_code == 200, response.text
    return issued["jwt"]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_revoked, "revoked"),
        (_suspended, "suspended"),
        (_expired, "expired"),
        (_tampered, "signature"),
    ],
)
def test_unverified_credentials_are_never_counted(world: World, make: Any, reason: str) -> None:
    world.achievement = world.create_achievement(**MOOC)
    body = _guide(world.client, [make(world)])
    [listed] = body["credentials"]
    assert listed["counted"] is False
    assert listed["reason"].startswith("not verified: ")
    assert reason in listed["reason"]
    assert body["occupations"] == []
    assert body["industries"] == []
    assert body["profile"]["credits"] == 0


def test_garbage_is_listed_not_counted(world: World) -> None:
    world.achievement = world.create_achievement(**MOOC)
    good = world.issue()["credential"]
    body = _guide(world.client, ["not a credential", {"@context": []}, good])
    assert [c["counted"] for c in body["credentials"]] == [False, False, True]
    assert [c["id"] for c in body["credentials"][:2]] == ["#1", "#2"]
    assert _codes(body) == ["2-02-10-03"]


@pytest.fixture
def esco_world(world: World, connection: Connection) -> World:
    import_esco(connection)
    return world


def test_coverage_by_essential_skills_and_gaps(esco_world: World) -> None:
    world = esco_world
    world.achievement = world.create_achievement(
        name="Python and SQL",
        skills=[{"scheme": "esco", "code": PYTHON}, {"scheme": "esco", "code": SQL}],
    )
    credential = world.issue()["credential"]
    testing = world.create_achievement(
        name="Software Testing",
        skills=[
            {"scheme": "esco", "code": SOFTWARE_TESTS},
            {"scheme": "esco", "code": SPECIFICATIONS},
        ],
    )
    body = _guide(world.client, [credential])
    by_code = {o["code"]: o for o in body["occupations"]}
    assert set(by_code) == {SOFTWARE_DEVELOPER, DATA_ANALYST}  # web developer needs JavaScript
    developer = by_code[SOFTWARE_DEVELOPER]
    assert developer["coverage"]["basis"] == "essential_skills"
    assert developer["coverage"]["ratio"] == 0.5
    assert developer["coverage"]["essential_total"] == 4
    assert {s["code"] for s in developer["coverage"]["covered"]} == {PYTHON, SQL}
    assert {s["code"] for s in developer["coverage"]["missing"]} == {SOFTWARE_TESTS, SPECIFICATIONS}
    assert [a["id"] for a in developer["close_gaps"]] == [testing["id"]]
    # The achievement the holder already has is never offered back.
    analyst = by_code[DATA_ANALYST]
    assert analyst["coverage"]["ratio"] == 0.5
    assert analyst["close_gaps"] == []
    assert WEB_DEVELOPER not in by_code
    assert "Python (computer programming)" in body["profile"]["skills"]


def test_filters(esco_world: World) -> None:
    world = esco_world
    world.achievement = world.create_achievement(
        **MOOC, skills=[{"scheme": "esco", "code": PYTHON}, {"scheme": "esco", "code": SQL}]
    )
    credential = world.issue()["credential"]
    everything = _codes(_guide(world.client, [credential]))
    assert everything[0] == "2-02-10-03"  # fully covered first
    assert set(everything) == {"2-02-10-03", SOFTWARE_DEVELOPER, DATA_ANALYST}
    assert _codes(_guide(world.client, [credential], filter={"digital": True})) == ["2-02-10-03"]
    assert _codes(_guide(world.client, [credential], filter={"green": True})) == []
    esco_only = _guide(world.client, [credential], filter={"scheme": "esco"})
    assert set(_codes(esco_only)) == {SOFTWARE_DEVELOPER, DATA_ANALYST}


def test_related_industry_offers_other_courses(world: World) -> None:
    world.achievement = world.create_achievement(**MOOC)
    credential = world.issue()["credential"]
    hardware = world.create_achievement(
        name="Computer Hardware Engineering",
        occupations=[{"scheme": "csco2022", "code": "2-02-10-01"}],
        industries=[{"scheme": "naics2022", "code": "541511"}],
    )
    body = _guide(world.client, [credential])
    related = next(o for o in body["occupations"] if o["code"] == "2-02-10-01")
    assert related["coverage"]["basis"] == "related_industry"
    assert related["coverage"]["ratio"] == 0
    assert [a["id"] for a in related["close_gaps"]] == [hardware["id"]]
    assert _codes(body)[0] == "2-02-10-03"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"credentials": []}, 422),
        ({"credentials": "x"}, 422),
        ({}, 422),
        ([], 422),
        ({"credentials": ["x"] * (guidance.MAX_CREDENTIALS + 1)}, 422),
        ({"credentials": ["x"], "filter": {"scheme": "naics2022"}}, 422),
        ({"credentials": ["x"], "filter": {"digital": "maybe"}}, 422),
        ({"credentials": ["x"], "filter": {"colour": "green"}}, 422),
        ({"credentials": ["x"], "filter": []}, 422),
        ({"credentials": ["x"], "extra": 1}, 422),
    ],
)
def test_bad_bodies_are_problems(client: TestClient, body: Any, status: int) -> None:
    response = client.post("/v1/guidance", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_unreadable_and_hostile_bodies(client: TestClient) -> None:
    unreadable = client.post(
        "/v1/guidance", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert unreadable.status_code == 400
    deep = '{"credentials": [' + "[" * 100 + "]" * 100 + "]}"
    too_deep = client.post(
        "/v1/guidance", content=deep.encode(), headers={"Content-Type": "application/json"}
    )
    assert too_deep.status_code == 413


def test_time_budget_stops_verifying() -> None:
    ticks = iter(
        [0.0, 0.0, 1.0, guidance.TIME_BUDGET_SECONDS + 1, guidance.TIME_BUDGET_SECONDS + 2]
    )
    calls: list[Any] = []

    def verify(value: Any) -> Report:
        calls.append(value)
        return Report()

    counts, counted = guidance.check_credentials(verify, ["a", "b", "c"], clock=lambda: next(ticks))
    assert calls == ["a", "b"]
    assert counted == []
    assert counts[2].counted is False
    assert "time budget" in counts[2].reason


def test_rate_limited(world: World) -> None:
    world.achievement = world.create_achievement(**MOOC)
    credential = world.issue()["credential"]
    verification_state(world.client.app).limiter = TokenBucketLimiter(  # type: ignore[arg-type]
        capacity=3, refill_per_second=0.01
    )
    assert (
        world.client.post("/v1/guidance", json={"credentials": [credential] * 2}).status_code == 200
    )
    limited = world.client.post("/v1/guidance", json={"credentials": [credential] * 2})
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


def test_another_tenants_key_changes_nothing(world: World, session: Session) -> None:
    world.achievement = world.create_achievement(**MOOC)
    credential = world.issue()["credential"]
    create_issuer(world.client, world.admin, slug="other-uni")
    key = make_key(session, Scope.issue, issuer="other-uni")
    anonymous = _guide(world.client, [credential])
    keyed = world.client.post(
        "/v1/guidance",
        json={"credentials": [credential]},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert keyed.status_code == 200
    assert keyed.json() == anonymous


def test_verify_page_offers_guidance(world: World) -> None:
    world.achievement = world.create_achievement(**MOOC)
    issued = world.issue()
    page = world.client.post("/verify", data={"credential": json.dumps(issued["credential"])})
    assert 'action="/guidance?lang=en"' in page.text
    assert "Where this can lead" in page.text
    led = world.client.post("/guidance", data={"credential": issued["jwt"]})
    assert led.status_code == 200
    assert "计算机软件工程技术人员" in led.text
    assert "A verified credential prepares for it directly." in led.text
    assert led.headers["x-frame-options"] == "DENY"
    tampered = _tampered(world)
    refused = world.client.post("/verify", data={"credential": json.dumps(tampered)})
    assert 'action="/guidance' not in refused.text
    not_counted = world.client.post("/guidance", data={"credential": json.dumps(tampered)})
    assert "not counted" in not_counted.text
    assert world.client.post("/guidance", data={"credential": " "}).status_code == 400
