"""POST /v1/issuers/{slug}/pathways and the public pathway page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from tests.conftest import make_key
from tests.pathways.factories import Bank


def _post(bank: Bank, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    return bank.client.post(
        f"/v1/issuers/{bank.college.slug}/pathways",
        json=body,
        headers=headers if headers is not None else bank.college.issue_headers,
    )


def _body(bank: Bank, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Data Analyst",
        "target_achievement_id": bank.qualification["id"],
        "requirements": [{"credits": 10}],
        **overrides,
    }


def test_a_pathway_is_stored_in_normal_form_and_read_back(bank: Bank, client: TestClient) -> None:
    created = bank.pathway()
    assert created["requirements"][0] == {
        "name": "Programming",
        "achievement": f"http://127.0.0.1:8000/issuers/open-mooc/achievements/{bank.python['id']}",
    }
    assert created["summary"][0] == "Programming: Python Programming"
    assert created["summary"][-1] == "at least 25 credits in all"
    assert client.get(f"/v1/pathways/{created['id']}").json() == created
    listed = client.get(
        f"/v1/issuers/{bank.college.slug}/pathways", headers=bank.college.issue_headers
    ).json()
    assert [p["id"] for p in listed] == [created["id"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requirements": [{"achievement": "00000000-0000-0000-0000-000000000000"}]},
         "requirements[0].achievement"),
        ({"requirements": [{"achievement": "ftp://x"}]}, "requirements[0].achievement"),
        ({"requirements": [{"framework_level": {"framework": "eqf", "level": "9"}}]},
         "requirements[0].framework_level"),
        ({"requirements": [{"isced_f": "0699"}]}, "requirements[0].isced_f"),
        ({"requirements": {"all": [{"credits": 5}, {"nonsense": 1}]}}, "requirements.all[1]"),
        ({"target_achievement_id": "00000000-0000-0000-0000-000000000000"},
         "target_achievement_id"),
        ({"min_credits": -5}, "min_credits"),
        ({"name": ""}, "name"),
    ],
)  # fmt: skip
def test_malformed_pathways_are_422_naming_the_field(
    bank: Bank, overrides: dict[str, Any], field: str
) -> None:
    response = _post(bank, _body(bank, **overrides))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == field
    assert field in response.json()["detail"] or field in str(response.json()["errors"])


def test_the_target_must_be_the_issuers_own_achievement(bank: Bank) -> None:
    response = _post(bank, _body(bank, target_achievement_id=bank.python["id"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "target_achievement_id"


def test_cycles_are_refused(bank: Bank) -> None:
    own = _post(bank, _body(bank, requirements=[{"achievement": bank.qualification["id"]}]))
    assert own.status_code == 422
    assert own.json()["errors"][0]["field"] == "requirements[0].achievement"
    assert "cannot require what it awards" in own.json()["detail"]

    # A chain: Diploma needs Certificate; a second pathway to Certificate needs Diploma.
    certificate = bank.college.achievement("Certificate", level="4", isced_f="0613", credits=30)
    first = _post(bank, _body(bank, requirements=[{"achievement": certificate["id"]}]))
    assert first.status_code == 201, first.text
    second = _post(
        bank,
        _body(
            bank,
            target_achievement_id=certificate["id"],
            requirements=[{"any": [{"credits": 5}, {"achievement": bank.qualification["id"]}]}],
        ),
    )
    assert second.status_code == 422, second.text
    assert "cycle" in second.json()["detail"]
    assert "Data Analyst" in second.json()["detail"]


def test_keys_of_other_issuers_or_scopes_are_refused(bank: Bank, session: Session) -> None:
    body = _body(bank)
    assert _post(bank, body, headers=bank.mooc.issue_headers).status_code == 403
    read_key = make_key(session, Scope.read, issuer=bank.college.slug)
    assert _post(bank, body, headers={"Authorization": f"Bearer {read_key}"}).status_code == 403
    assert _post(bank, body, headers={}).status_code == 401
    listing = bank.client.get(
        f"/v1/issuers/{bank.college.slug}/pathways", headers=bank.mooc.issue_headers
    )
    assert listing.status_code == 403


def test_hostile_sizes_are_refused_quickly(bank: Bank) -> None:
    for depth in (50, 5000):
        deep = '{"all": [' * depth + '{"credits": 1}' + "]}" * depth
        response = bank.client.post(
            f"/v1/issuers/{bank.college.slug}/pathways",
            content=(
                f'{{"name": "x", "target_achievement_id": "{bank.qualification["id"]}", '
                f'"requirements": {deep}}}'
            ),
            headers={**bank.college.issue_headers, "Content-Type": "application/json"},
        )
        assert response.status_code in (400, 413, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    wide = {"any": [{"credits": 1}] * 10_000}
    response = _post(bank, _body(bank, requirements=wide))
    assert response.status_code == 422
    assert "at most 50" in response.json()["detail"]


def test_the_public_page_reads_in_plain_words(bank: Bank, client: TestClient) -> None:
    pathway = bank.pathway(description="<script>alert(1)</script> For developers.")
    bank.rule(pathway)
    page = client.get(f"/pathways/{pathway['id']}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    html = page.text
    assert "Software Developer (EQF 5)" in html
    assert 'Awarded by <strong dir="auto">City College</strong>' in html
    assert "Programming: Python Programming" in html
    assert "at least 25 credits in all" in html
    assert "count 6 credits and satisfy &#39;Databases&#39;" in html
    assert "<script>alert" not in html
    as_json = client.get(f"/pathways/{pathway['id']}", headers={"Accept": "application/json"})
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.json()["id"] == pathway["id"]
    assert (
        client.get("/pathways/unknown", headers={"Accept": "application/json"}).status_code == 404
    )
