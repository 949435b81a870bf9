"""Achievements aligned to occupations, industries and ESCO skills: validated, then in the
credential as OB 3.0 alignments that stay schema-valid and verify in the reference stack."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from tests.conftest import make_key
from tests.credentials.factories import World, assert_ob_valid
from tests.interop.node import run_node
from tests.support.issuers import create_issuer
from tests.vocabularies.fixtures import PYTHON, SOFTWARE_DEVELOPER, import_esco

BASE = "http://127.0.0.1:8000"
MOOC = {
    "occupations": [{"scheme": "csco2022", "code": "2-02-10-03"}],
    "industries": [
        {"scheme": "naics2022", "code": "541511"},
        {"scheme": "nace2.1", "code": "62.10"},
        {"scheme": "isic4", "code": "6201"},
    ],
}
GOLDEN = [
    {
        "type": ["Alignment"],
        "targetName": "计算机软件工程技术人员",
        "targetCode": "2-02-10-03",
        "targetFramework": "CSCO 2022",
        "targetType": "ext:Occupation",
        "targetUrl": f"{BASE}/occupations/csco2022/2-02-10-03",
        "targetDescription": "CSCO 2022: 数字职业 (digital occupation)",
    },
    {
        "type": ["Alignment"],
        "targetName": "Custom Computer Programming Services",
        "targetCode": "541511",
        "targetFramework": "NAICS 2022",
        "targetType": "ext:Industry",
        "targetUrl": f"{BASE}/industries/naics2022/541511",
    },
    {
        "type": ["Alignment"],
        "targetName": "Computer programming activities",
        "targetCode": "62.10",
        "targetFramework": "NACE Rev. 2.1",
        "targetType": "ext:Industry",
        "targetUrl": f"{BASE}/industries/nace2.1/62.10",
    },
    {
        "type": ["Alignment"],
        "targetName": "Computer programming activities",
        "targetCode": "6201",
        "targetFramework": "ISIC Rev. 4",
        "targetType": "ext:Industry",
        "targetUrl": f"{BASE}/industries/isic4/6201",
    },
]


def _alignments(credential: dict[str, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = credential["credentialSubject"]["achievement"]["alignment"]
    return [a for a in entries if a["targetType"] in ("ext:Occupation", "ext:Industry")]


def test_golden_codes_round_trip(world: World) -> None:
    achievement = world.create_achievement(**MOOC)
    assert achievement["occupations"] == MOOC["occupations"]
    assert achievement["industries"] == MOOC["industries"]
    world.achievement = achievement
    credential = world.issue()["credential"]
    assert _alignments(credential) == GOLDEN
    assert_ob_valid(credential)
    public = world.client.get(achievement["url"]).json()
    assert [a for a in public["alignment"] if a["targetType"] == "ext:Industry"] == GOLDEN[1:]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (
            {"occupations": [{"scheme": "csco2022", "code": "9-99-99-99"}]},
            ["csco2022", "9-99-99-99"],
        ),
        ({"occupations": [{"scheme": "onet", "code": "15-1252"}]}, ["onet", "15-1252"]),
        ({"occupations": [{"scheme": "naics2022", "code": "541511"}]}, ["naics2022", "541511"]),
        ({"industries": [{"scheme": "naics2022", "code": "999999"}]}, ["naics2022", "999999"]),
        ({"industries": [{"scheme": "nace2.1", "code": "62.99"}]}, ["nace2.1", "62.99"]),
        ({"industries": [{"scheme": "isic4", "code": "6299"}]}, ["isic4", "6299"]),
        ({"industries": [{"scheme": "csco2022", "code": "2-02-10-03"}]}, ["csco2022"]),
        ({"skills": [{"scheme": "esco", "code": PYTHON}]}, ["esco", "not loaded"]),
        ({"skills": [{"scheme": "onet", "code": "x"}]}, ["onet", "'x'"]),
    ],
)
def test_fake_codes_are_refused(world: World, body: dict[str, Any], named: list[str]) -> None:
    response = world.client.post(
        f"/v1/issuers/{world.slug}/achievements",
        json={**_base(), **body},
        headers=world.issue_headers,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    for part in named:
        assert part in response.json()["detail"]


def _base() -> dict[str, Any]:
    return {"name": "Course", "description": "d", "criteria": {"narrative": "n"}}


@pytest.mark.parametrize(
    "body",
    [
        {"occupations": [{"scheme": "csco2022"}]},
        {"occupations": [{"scheme": "csco2022", "code": "x" * 201}]},
        {"occupations": [{"scheme": "csco2022", "code": "2-02-10-03", "extra": 1}]},
        {"occupations": [{"scheme": "csco2022", "code": "2-02-10-03"}] * 21},
        {"occupations": [{"scheme": "csco2022", "code": "2-02-10-03"}] * 2},
        {"occupations": "2-02-10-03"},
        {"skills": [{"scheme": "esco"}]},
        {"skills": [{}]},
    ],
)
def test_hostile_shapes_are_problems(world: World, body: dict[str, Any]) -> None:
    response = world.client.post(
        f"/v1/issuers/{world.slug}/achievements",
        json={**_base(), **body},
        headers=world.issue_headers,
    )
    assert response.status_code == 422, response.text


def test_nothing_is_stored_when_one_code_is_wrong(world: World) -> None:
    before = world.client.get(f"/v1/issuers/{world.slug}/achievements", headers=world.issue_headers)
    body = {
        **_base(),
        **MOOC,
        "industries": [*MOOC["industries"], {"scheme": "isic4", "code": "0"}],
    }
    response = world.client.post(
        f"/v1/issuers/{world.slug}/achievements", json=body, headers=world.issue_headers
    )
    assert response.status_code == 422
    after = world.client.get(f"/v1/issuers/{world.slug}/achievements", headers=world.issue_headers)
    assert len(after.json()) == len(before.json())


def test_another_issuers_key_is_refused(world: World, session: Session) -> None:
    create_issuer(world.client, world.admin, slug="other-uni")
    other = {"Authorization": f"Bearer {make_key(session, Scope.issue, issuer='other-uni')}"}
    response = world.client.post(
        f"/v1/issuers/{world.slug}/achievements", json={**_base(), **MOOC}, headers=other
    )
    assert response.status_code == 403


def test_esco_skills_and_occupations(world: World, connection: Connection) -> None:
    import_esco(connection)
    achievement = world.create_achievement(
        occupations=[{"scheme": "esco", "code": SOFTWARE_DEVELOPER}],
        skills=[{"scheme": "esco", "code": PYTHON}, "Team work"],
    )
    world.achievement = achievement
    credential = world.issue()["credential"]
    assert_ob_valid(credential)
    alignment = credential["credentialSubject"]["achievement"]["alignment"]
    occupation = next(a for a in alignment if a["targetType"] == "ext:Occupation")
    assert occupation["targetName"] == "software developer"
    assert occupation["targetCode"] == SOFTWARE_DEVELOPER
    assert occupation["targetUrl"].endswith(
        "/occupations/esco/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
    )
    skills = [a for a in alignment if a["targetType"] == "ceasn:Competency"]
    assert skills[0] == {
        "type": ["Alignment"],
        "targetName": "Python (computer programming)",
        "targetType": "ceasn:Competency",
        "targetUrl": PYTHON,
        "targetCode": PYTHON,
        "targetFramework": "ESCO",
    }
    assert skills[1]["targetName"] == "Team work"
    # The last segment of the URI is accepted as well.
    short = world.create_achievement(
        occupations=[{"scheme": "esco", "code": SOFTWARE_DEVELOPER.rsplit("/", 1)[1]}]
    )
    assert short["occupations"] == [{"scheme": "esco", "code": SOFTWARE_DEVELOPER}]


@pytest.mark.interop
def test_reference_stack_verifies_aligned_credentials(world: World, connection: Connection) -> None:
    import_esco(connection)
    world.achievement = world.create_achievement(
        **MOOC,
        skills=[{"scheme": "esco", "code": PYTHON}],
    )
    esco = world.create_achievement(occupations=[{"scheme": "esco", "code": SOFTWARE_DEVELOPER}])
    credential = world.issue()["credential"]
    esco_credential = world.issue(achievement_id=esco["id"])["credential"]
    doc = world.did_document()
    tampered = {**credential, "credentialSubject": {**credential["credentialSubject"]}}
    achievement = {**credential["credentialSubject"]["achievement"]}
    achievement["alignment"] = [
        {**a, "targetCode": "2-02-10-04"} if a.get("targetCode") == "2-02-10-03" else a
        for a in achievement["alignment"]
    ]
    tampered["credentialSubject"]["achievement"] = achievement
    result = run_node(
        "verify-di.mjs",
        {
            "items": [
                {"credential": c, "now": "2026-11-27T00:00:00Z"}
                for c in (credential, tampered, esco_credential)
            ],
            "documents": {doc["id"]: doc},
        },
    )
    assert result["results"][0]["verified"], result["results"][0]["errors"]
    assert not result["results"][1]["verified"]
    assert result["results"][2]["verified"], result["results"][2]["errors"]
    assert_ob_valid(esco_credential)
