"""Accreditation: trusted bodies, signed accreditations, and the verification matrix."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from tests.conftest import make_key
from tests.credentials.factories import World
from tests.support.accreditation import PASSING, Agency
from tests.support.problems import assert_problem


@pytest.fixture
def agency(client: TestClient, session: Session, admin_headers: dict[str, str]) -> Agency:
    return Agency(World(client, session, admin_headers), admin_headers)


def test_passed_names_the_accreditation_and_the_body(agency: Agency) -> None:
    accreditation = agency.accredit()
    status, check, body = agency.verify()
    assert status == 200
    assert check["outcome"] == "passed"
    assert accreditation["url"] in check["reason"]
    assert "National Quality Agency" in check["reason"]
    assert body["issuer"]["accreditations"][0]["problems"] == []
    public = agency.client.get(f"/accreditations/{accreditation['id']}")
    assert public.headers["content-type"].startswith("application/vc+ld+json")
    assert public.json() == accreditation["credential"]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"limits": {**PASSING, "frameworks": [{"framework": "eqf", "max_level": "4"}]}},
         "accredited up to eqf level 4 but the credential claims eqf level 5"),
        ({"limits": {**PASSING, "frameworks": [{"framework": "aqrf", "max_level": "8"}]}},
         "for aqrf only"),
        ({"limits": {**PASSING, "isced_f": ["04", "0611"]}},
         "ISCED-F 0613 is outside the accredited fields 04, 0611"),
        ({"limits": {**PASSING, "qualification_types": ["BachelorDegree"]}},
         "type Certificate is not an accredited qualification type"),
        ({"limits": {**PASSING, "jurisdiction": ["ASEAN"]}}, "jurisdiction EU of eqf"),
        ({"valid_until": "2021-01-01T00:00:00Z"}, "not at the credential's validFrom"),
        ({"valid_from": "2027-01-01T00:00:00Z"}, "not at the credential's validFrom"),
    ],
)  # fmt: skip
def test_each_failed_limit_is_named(agency: Agency, changes: dict[str, Any], words: str) -> None:
    agency.accredit(**changes)
    status, check, body = agency.verify()
    assert status == 422
    assert body["verified"] is False
    assert check["outcome"] == "failed"
    assert words in check["reason"], check["reason"]


def test_revocation_fails_the_next_verification(agency: Agency) -> None:
    accreditation = agency.accredit()
    assert agency.verify()[1]["outcome"] == "passed"
    revoked = agency.client.post(
        f"/v1/credentials/{accreditation['credential_id']}/revoke",
        json={"reason": "Audit failed"},
        headers=agency.admin,
    )
    assert revoked.status_code == 200, revoked.text
    status, check, _ = agency.verify()
    assert (status, check["outcome"]) == (422, "failed")
    assert "has been revoked" in check["reason"]
    listed = agency.client.get("/v1/issuers/quality-agency/accreditations").json()
    assert listed[0]["status"] == "revoked"


def test_one_covering_accreditation_is_enough(agency: Agency) -> None:
    agency.accredit(limits={**PASSING, "isced_f": ["04"]})
    agency.accredit()
    assert agency.verify()[1]["outcome"] == "passed"


def test_not_accredited_is_a_warning(agency: Agency) -> None:
    status, check, body = agency.verify()
    assert (status, check["outcome"]) == (200, "warning")
    assert body["verified"] is True
    assert "holds no accreditation" in check["reason"]


def test_untrusted_bodies_do_not_count_and_cannot_accredit(
    client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    agency = Agency(World(client, session, admin_headers), admin_headers, trust=False)
    problem = assert_problem(
        client.post(
            "/v1/issuers/quality-agency/accreditations",
            json={"accredited_issuer": agency.world.issuer["did"], "limits": PASSING,
                  "valid_from": "2020-01-01T00:00:00Z"},
            headers=admin_headers,
        ),
        403,
    )  # fmt: skip
    assert "not a trusted accrediting body" in str(problem["detail"])
    assert agency.verify()[1]["outcome"] == "skipped"


def test_trust_through_the_setting(
    app: FastAPI, client: TestClient, session: Session, admin_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    agency = Agency(World(client, session, admin_headers), admin_headers, trust=False)
    monkeypatch.setattr(app.state.settings, "trusted_accreditors", [agency.issuer["did"]])
    agency.accredit()
    assert agency.verify()[1]["outcome"] == "passed"
    listed = client.get("/v1/accreditors").json()
    assert [(a["did"], a["source"]) for a in listed] == [(agency.issuer["did"], "setting")]


def test_who_may_accredit_and_bad_bodies(agency: Agency, session: Session) -> None:
    client, url = agency.client, "/v1/issuers/quality-agency/accreditations"
    other_tenant = {
        "Authorization": f"Bearer {make_key(session, Scope.admin, issuer=agency.world.slug)}"
    }
    body = {"accredited_issuer": agency.world.issuer["did"], "valid_from": "2020-01-01T00:00:00Z"}
    assert_problem(client.post(url, json=body), 401)
    assert_problem(client.post(url, json=body, headers=agency.world.issue_headers), 403)
    assert_problem(client.post(url, json=body, headers=other_tenant), 403)
    assert_problem(
        client.post("/v1/accreditors", json={"did": "did:web:x.example", "name": "x"},
                    headers=other_tenant),
        403,
    )  # fmt: skip
    bad = [
        {**body, "accredited_issuer": "not a did"},
        {**body, "accredited_issuer": agency.issuer["did"]},
        {**body, "valid_until": "2019-01-01T00:00:00Z"},
        {**body, "valid_from": "2020-01-01T00:00:00"},
        {**body, "limits": {"frameworks": [{"framework": "eqf", "max_level": "9"}]}},
        {**body, "limits": {"frameworks": [{"framework": "nowhere", "max_level": "1"}]}},
        {**body, "limits": {"isced_f": ["0699x"]}},
        {**body, "limits": {"isced_f": ["0614"]}},
        {**body, "limits": {"isced_f": ["06"] * 1000}},
        {**body, "limits": {"surprise": True}},
    ]
    for item in bad:
        assert_problem(client.post(url, json=item, headers=agency.admin), 422)
    assert client.get(url).json() == []
    assert_problem(client.get("/accreditations/nope"), 404)
    assert_problem(
        client.post("/v1/accreditors", json={"did": agency.issuer["did"], "name": "again"},
                    headers=agency.admin),
        409,
    )  # fmt: skip
