"""Assertions on RFC 9457 problem+json answers."""

from __future__ import annotations

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response: object, status: int) -> dict[str, object]:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status
    assert str(body["type"]).startswith("http")
    assert "Traceback" not in response.text
    return dict(body)
