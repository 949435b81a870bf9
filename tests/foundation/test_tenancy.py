"""Tenant isolation: a key bound to an issuer acts on that issuer only, whatever its scope.

The walk below visits every authenticated route of the app (``/v1`` and the VC-API) with a
key bound to tenant A and the path filled with tenant B's records, and requires a refusal.
A route added later is walked too; give its path parameters and body a value here if the
generic ones do not reach its handler.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from tests.conftest import make_key
from tests.credentials.factories import ACHIEVEMENT, RECIPIENT
from tests.support.issuers import create_issuer

A, B = "tenant-a", "tenant-b"

# Routes anyone may call without a key: nothing to isolate.
PUBLIC = {
    ("GET", "/v1/frameworks"),
    ("GET", "/v1/frameworks/{code}"),
    ("GET", "/v1/frameworks/{code}/export"),
    ("GET", "/v1/frameworks/{code}/levels/{level}/equivalents"),
    ("GET", "/v1/isced-f"),
    ("GET", "/v1/isced-f/{code}"),
    ("POST", "/v1/verify/batch"),
    ("GET", "/v1/occupations"),
    ("GET", "/v1/industries"),
    ("GET", "/v1/vocabularies"),
    ("POST", "/v1/guidance"),
    ("POST", "/v1/frameworks/lint"),
    ("GET", "/v1/referencing-criteria"),
    ("GET", "/v1/frameworks/{code}/referencing-reports"),
    ("GET", "/v1/referencing-reports/{report_id}"),
    ("GET", "/v1/accreditors"),
    ("GET", "/v1/issuers/{slug}/accreditations"),
}
# Listings a bound key may call: they answer with its own issuer's records only.
LISTINGS = {("GET", "/v1/issuers"), ("GET", "/v1/api-keys"), ("GET", "/v1/audit-events")}
VC_API = {"/credentials/issue", "/credentials/status"}


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class Tenants:
    client: TestClient
    session: Session
    admin: dict[str, str]
    b_did: str
    b_achievement: str
    b_credential: str
    b_credential_url: str
    b_job: str
    b_key_id: str
    b_issue: dict[str, str]

    def bound(self, scope: Scope, slug: str = A) -> dict[str, str]:
        return _bearer(make_key(self.session, scope, issuer=slug, name=f"{slug}-{scope.value}"))


@pytest.fixture
def tenants(client: TestClient, session: Session, admin_headers: dict[str, str]) -> Tenants:
    create_issuer(client, admin_headers, slug=A, name="Tenant A")
    b = create_issuer(client, admin_headers, slug=B, name="Tenant B")
    created = client.post(
        "/v1/api-keys",
        json={"name": "b-issue", "scope": "issue", "issuer": B},
        headers=admin_headers,
    ).json()
    b_issue = _bearer(created["key"])
    achievement = client.post(
        f"/v1/issuers/{B}/achievements", json={**ACHIEVEMENT, "suspendable": True}, headers=b_issue
    ).json()
    issued = client.post(
        f"/v1/issuers/{B}/credentials",
        json={"achievement_id": achievement["id"], "recipient": RECIPIENT},
        headers=b_issue,
    ).json()
    items = [{"achievement_id": achievement["id"], "recipient": RECIPIENT}] * 1_001
    job = client.post(f"/v1/issuers/{B}/credentials/batch", json={"items": items}, headers=b_issue)
    assert job.status_code == 202, job.text
    return Tenants(
        client=client,
        session=session,
        admin=admin_headers,
        b_did=b["did"],
        b_achievement=achievement["id"],
        b_credential=issued["id"],
        b_credential_url=issued["url"],
        b_job=job.json()["job_id"],
        b_key_id=created["id"],
        b_issue=b_issue,
    )


def _authenticated_routes(app: FastAPI) -> list[tuple[str, str]]:
    # The OpenAPI document lists every route of every included router.
    routes = []
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/v1/") or path in VC_API:
            routes += [(method.upper(), path) for method in sorted(operations)]
    return routes


def _path(template: str, t: Tenants) -> str:
    values = {
        "slug": B,
        "credential_id": t.b_credential,
        "job_id": t.b_job,
        "key_id": t.b_key_id,
        "kid": "key-1",
        "achievement_id": t.b_achievement,
        "code": "eqf",
        "level": "5",
    }
    path = template
    while "{" in path:
        name = path[path.index("{") + 1 : path.index("}")]
        # An unknown parameter gets a fresh id: such a route must still refuse, not 500.
        path = path.replace("{" + name + "}", values.get(name, str(uuid.uuid4())), 1)
    return path


def _body(method: str, template: str, t: Tenants) -> Any:
    """A body that would succeed for B's own key, so only the binding can refuse it."""
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/v1/api-keys"): {"name": "stolen", "scope": "admin", "issuer": B},
        ("POST", "/v1/issuers"): {
            "slug": "tenant-c", "name": "C", "url": "https://c.example", "email": "c@c.example",
        },
        ("PATCH", "/v1/issuers/{slug}"): {"name": "Renamed by A", "brand_color": "#000000"},
        ("PATCH", "/v1/issuers/{slug}/achievements/{achievement_id}"): {
            "signatory_name": "Mallory", "brand_color": "#000000",
        },
        ("POST", "/v1/issuers/{slug}/keys/{kid}/revoke"): {"reason": "taken over"},
        ("POST", "/v1/issuers/{slug}/achievements"): ACHIEVEMENT,
        ("POST", "/v1/issuers/{slug}/credentials"): {
            "achievement_id": t.b_achievement, "recipient": RECIPIENT,
        },
        ("POST", "/v1/issuers/{slug}/credentials/batch"): {
            "items": [{"achievement_id": t.b_achievement, "recipient": RECIPIENT}],
        },
        ("POST", "/v1/issuers/{slug}/credentials/status"): {
            "ids": [t.b_credential], "action": "revoke", "reason": "taken over",
        },
        ("POST", "/v1/credentials/{credential_id}/revoke"): {"reason": "taken over"},
        ("POST", "/v1/credentials/{credential_id}/suspend"): {"reason": "taken over"},
        ("POST", "/v1/credentials/{credential_id}/page"): {"public": True},
        ("POST", "/v1/credentials/{credential_id}/reissue"): {"recipient": {"name": "Taken Over"}},
        ("POST", "/v1/issuers/{slug}/credentials/reissue"): {},
        ("POST", "/v1/issuers/{slug}/webhooks"): {
            "url": "https://hooks.example/lp", "events": ["credential.issued"],
        },
        ("POST", "/v1/frameworks"): {
            "code": "xx-nqf", "name": "X", "jurisdiction": "XX",
            "levels": [{"code": "1", "name": "One", "descriptors": {"knowledge": "k"}}],
        },
        ("POST", "/v1/frameworks/{code}/linkages"): {
            "level": "5", "target_framework": "eqf", "target_level": "6", "relation": "broadMatch",
        },
        ("POST", "/credentials/issue"): {
            "credential": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "credentialSubject": {"id": "did:example:subject"},
                "issuer": t.b_did,
            }
        },
        ("POST", "/credentials/status"): {
            "credentialId": t.b_credential_url,
            "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
            "status": True,
        },
    }  # fmt: skip
    return bodies.get((method, template))


@pytest.mark.parametrize("scope", list(Scope))
def test_every_route_refuses_another_tenants_bound_key(
    app: FastAPI, tenants: Tenants, scope: Scope
) -> None:
    headers = tenants.bound(scope)
    routes = _authenticated_routes(app)
    assert len(routes) >= 25, routes  # the walk found the API, not an empty router
    accepted = []
    for method, template in routes:
        if (method, template) in PUBLIC:
            continue
        response = tenants.client.request(
            method,
            _path(template, tenants),
            json=_body(method, template, tenants),
            headers=headers,
        )
        if (method, template) in LISTINGS:
            if scope is Scope.admin or template == "/v1/issuers":
                assert response.status_code == 200, (template, response.text)
            else:
                assert response.status_code == 403, (template, response.text)
            shown = response.text
            if B in shown or tenants.b_key_id in shown:
                accepted.append((method, template, "shows tenant B"))
            continue
        if response.status_code not in (403, 404):
            accepted.append((method, template, response.status_code, response.text[:200]))
    assert not accepted, accepted
    # And B is untouched: its credential is active, its key and issuer unchanged.
    read = tenants.client.get(f"/v1/credentials/{tenants.b_credential}", headers=tenants.b_issue)
    assert read.json()["status"] == "active"
    issuer = tenants.client.get(f"/v1/issuers/{B}", headers=tenants.b_issue).json()
    assert issuer["name"] == "Tenant B"
    assert issuer["brand_color"] is None
    assert [k["status"] for k in issuer["keys"]] == ["active"]
    achievement = tenants.client.get(
        f"/v1/issuers/{B}/achievements/{tenants.b_achievement}", headers=tenants.b_issue
    ).json()
    assert (achievement["signatory_name"], achievement["brand_color"]) == (None, None)


def test_bound_admin_reads_only_its_audit_events_and_keys(tenants: Tenants) -> None:
    a_admin = tenants.bound(Scope.admin)
    client = tenants.client
    events = client.get("/v1/audit-events", params={"limit": 1000}, headers=a_admin).json()
    assert events["items"], "A's own events are visible"
    assert {e["issuer_slug"] for e in events["items"]} == {A}
    other = client.get("/v1/audit-events", params={"issuer": B}, headers=a_admin)
    assert other.status_code == 403
    assert "bound to issuer 'tenant-a'" in other.json()["detail"]
    keys = client.get("/v1/api-keys", headers=a_admin).json()
    assert keys
    assert {k["issuer_slug"] for k in keys} == {A}
    # The unbound admin still sees everything.
    everything = client.get("/v1/audit-events", params={"issuer": B}, headers=tenants.admin)
    assert any(e["action"] == "credential.issued" for e in everything.json()["items"])


def test_bound_admin_cannot_mint_a_broader_key(tenants: Tenants) -> None:
    a_admin = tenants.bound(Scope.admin)
    post = tenants.client.post
    unbound = post("/v1/api-keys", json={"name": "x", "scope": "admin"}, headers=a_admin)
    assert unbound.status_code == 403
    assert '"issuer": "tenant-a"' in unbound.json()["detail"]
    for scope in Scope:
        other = post(
            "/v1/api-keys", json={"name": "x", "scope": scope, "issuer": B}, headers=a_admin
        )
        assert other.status_code == 403
    own = post("/v1/api-keys", json={"name": "x", "scope": "admin", "issuer": A}, headers=a_admin)
    assert own.status_code == 201, own.text
    assert own.json()["issuer_slug"] == A
    for scope in (Scope.issue, Scope.revoke, Scope.read):
        lower = tenants.bound(scope)
        refused = post(
            "/v1/api-keys", json={"name": "x", "scope": "read", "issuer": A}, headers=lower
        )
        assert refused.status_code == 403


def test_bound_admin_cannot_revoke_another_tenants_key(tenants: Tenants) -> None:
    a_admin = tenants.bound(Scope.admin)
    for ident in (tenants.b_key_id,):
        response = tenants.client.post(f"/v1/api-keys/{ident}/revoke", headers=a_admin)
        assert response.status_code == 404
    still = tenants.client.get(f"/v1/issuers/{B}", headers=tenants.b_issue)
    assert still.status_code == 200
    # Its own keys it may revoke.
    mine = tenants.client.get("/v1/api-keys", headers=a_admin).json()[0]
    done = tenants.client.post(f"/v1/api-keys/{mine['id']}/revoke", headers=a_admin)
    assert done.status_code == 200


def test_bound_admin_cannot_touch_another_issuer_or_create_shared_records(
    tenants: Tenants,
) -> None:
    a_admin = tenants.bound(Scope.admin)
    client = tenants.client
    before = client.get(f"/issuers/{B}/did.json").json()
    assert (
        client.patch(f"/v1/issuers/{B}", json={"name": "Mine"}, headers=a_admin).status_code == 403
    )
    assert client.post(f"/v1/issuers/{B}/keys", headers=a_admin).status_code == 403
    revoke = client.post(
        f"/v1/issuers/{B}/keys/key-1/revoke", json={"reason": "x"}, headers=a_admin
    )
    assert revoke.status_code == 403
    assert client.get(f"/issuers/{B}/did.json").json() == before
    created = client.post(
        "/v1/issuers",
        json={"slug": "tenant-c", "name": "C", "url": "https://c.example", "email": "c@c.example"},
        headers=a_admin,
    )
    assert created.status_code == 403
    assert "bound to no issuer" in created.json()["detail"]
    framework = client.post(
        "/v1/frameworks",
        json={"code": "xx-nqf", "name": "X", "jurisdiction": "XX", "levels": []},
        headers=a_admin,
    )
    assert framework.status_code == 403
    # Its own issuer it administers.
    mine = client.patch(f"/v1/issuers/{A}", json={"name": "Tenant A (renamed)"}, headers=a_admin)
    assert mine.status_code == 200
    assert client.post(f"/v1/issuers/{A}/keys", headers=a_admin).status_code == 201


def test_vc_api_issue_with_another_tenants_did_is_forbidden(tenants: Tenants) -> None:
    body = _body("POST", "/credentials/issue", tenants)
    response = tenants.client.post(
        "/credentials/issue", json=body, headers=tenants.bound(Scope.issue)
    )
    assert response.status_code == 403


def test_own_issuer_routes_do_not_reach_another_tenants_records(tenants: Tenants) -> None:
    headers = tenants.bound(Scope.admin)
    client = tenants.client
    achievement = client.get(
        f"/v1/issuers/{A}/achievements/{tenants.b_achievement}", headers=headers
    )
    assert achievement.status_code == 404
    item = {"achievement_id": tenants.b_achievement, "recipient": RECIPIENT}
    issued = client.post(f"/v1/issuers/{A}/credentials", json=item, headers=headers)
    assert issued.status_code in (404, 422)
    batch = client.post(
        f"/v1/issuers/{A}/credentials/batch", json={"items": [item]}, headers=headers
    ).json()
    assert (batch["issued"], batch["failed"]) == (0, 1)
    bulk = client.post(
        f"/v1/issuers/{A}/credentials/status",
        json={"ids": [tenants.b_credential], "action": "revoke", "reason": "x"},
        headers=headers,
    )
    assert bulk.status_code == 404
    listed = client.get(
        f"/v1/issuers/{A}/credentials", params={"achievement": tenants.b_achievement},
        headers=headers,
    )  # fmt: skip
    assert listed.json()["items"] == []
    read = client.get(f"/v1/credentials/{tenants.b_credential}", headers=tenants.b_issue)
    assert read.json()["status"] == "active"
