"""A malformed JSON body's problem says where it breaks, in words."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("body", "where", "what"),
    [
        (b'{"name": "x",\n  "scope" "read"}', "at line 2, column 11", "expected ':' delimiter"),
        (b"{not json", "at line 1, column 2", "expected property name enclosed in double quotes"),
        (b'{"name": "x", }', "at line 1, column 15", "expected property name"),
    ],
)
def test_the_problem_names_line_column_and_what_was_expected(
    client: TestClient, admin_headers: dict[str, str], body: bytes, where: str, what: str
) -> None:
    response = client.post(
        "/v1/api-keys",
        content=body,
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    detail = response.json()["detail"]
    assert detail.startswith("The body is not valid JSON: ")
    assert where in detail, detail
    assert what in detail.lower(), detail
    (error,) = response.json()["errors"]
    assert error["field"] == "body"
