"""Issue 11 item 9: the OpenAPI document lists the problem responses routes really give."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_route_declares_its_problem_responses(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        if operation.get("security"):
            assert {"401", "403"} <= responses.keys(), where
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= responses.keys(), where
        if "{" in path:
            assert "404" in responses, where
        for status, response in responses.items():
            if status.startswith("4") and "text/html" not in response.get("content", {}):
                assert response["description"], where
                assert "content" in response, (where, status)


def test_declared_422_is_the_problem_that_is_sent(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    schema = client.get("/openapi.json").json()
    declared = schema["paths"]["/v1/issuers"]["post"]["responses"]["422"]["content"]

    response = client.post("/v1/issuers", json={"slug": "x"}, headers=admin_headers)

    assert response.status_code == 422
    assert declared == {"application/problem+json": {"schema": PROBLEM_REF}}
    assert response.headers["content-type"] == "application/problem+json"
    assert {"type", "title", "status", "detail", "errors"} <= response.json().keys()


def test_unauthenticated_call_is_a_declared_401(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    response = client.get("/v1/issuers")

    assert response.status_code == 401
    assert "401" in schema["paths"]["/v1/issuers"]["get"]["responses"]
