from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from tests.conftest import TEST_PUBLIC_URL, make_key
from tests.support.problems import assert_problem


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


def test_request_id_is_echoed_when_safe(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    evil = client.get("/healthz", headers={"X-Request-ID": "a\tb<script>"})
    assert evil.headers["x-request-id"] != "a\tb<script>"


def test_readyz_at_head(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


def test_readyz_fails_when_database_is_behind(client: TestClient, session: Session) -> None:
    from sqlalchemy import text

    session.execute(text("UPDATE alembic_version SET version_num = 'behind'"))
    session.commit()
    body = assert_problem(client.get("/readyz"), 503)
    assert "learnproof db upgrade" in str(body["detail"])


def test_metrics_count_requests_by_route(client: TestClient) -> None:
    client.get("/healthz")
    client.get("/no/such/page")
    text = client.get("/metrics").text
    assert 'learnproof_http_requests_total{method="GET",route="/healthz",status="200"}' in text
    assert 'route="unmatched",status="404"' in text
    assert "learnproof_http_request_duration_seconds_bucket" in text


def test_docs_and_openapi(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "LearnProof"
    assert "/v1/audit-events" in spec["paths"]


def test_404_is_problem_json(client: TestClient) -> None:
    body = assert_problem(client.get("/nothing-here"), 404)
    assert "/nothing-here" in str(body["detail"])


def test_405_is_problem_json(client: TestClient) -> None:
    assert_problem(client.delete("/healthz"), 405)


def test_401_without_key(client: TestClient) -> None:
    response = client.get("/v1/audit-events")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_401_with_bad_key(client: TestClient) -> None:
    assert_problem(
        client.get("/v1/audit-events", headers={"Authorization": "Bearer lp_0000_nope"}), 401
    )
    assert_problem(client.get("/v1/audit-events", headers={"Authorization": "Bearer junk"}), 401)


def test_403_with_insufficient_scope(client: TestClient, session: Session) -> None:
    key = make_key(session, Scope.read)
    body = assert_problem(
        client.get("/v1/audit-events", headers={"Authorization": f"Bearer {key}"}), 403
    )
    assert "'admin' is required" in str(body["detail"])


def test_422_names_the_field(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        "/v1/api-keys", json={"name": "x", "scope": "root"}, headers=admin_headers
    )
    body = assert_problem(response, 422)
    assert any(e["field"] == "scope" for e in body["errors"])  # type: ignore[attr-defined]


def test_422_on_malformed_json(client: TestClient, admin_headers: dict[str, str]) -> None:
    response = client.post(
        "/v1/api-keys",
        content=b"{not json",
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 422)


def test_413_on_oversized_body(
    client: TestClient, app: FastAPI, admin_headers: dict[str, str]
) -> None:
    limit = app.state.settings.max_body_bytes
    response = client.post(
        "/v1/api-keys",
        content=b"{" + b" " * limit + b"}",
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert_problem(response, 413)


def test_500_is_problem_json_without_trace(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, base_url=TEST_PUBLIC_URL, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.text
    assert response.headers["x-request-id"] in str(body["detail"])
