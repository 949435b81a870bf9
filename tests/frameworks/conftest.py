"""Builders for framework documents and a client-side way to register them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

Document = dict[str, Any]


def level(code: str, ordinal: int, name: str | None = None) -> dict[str, Any]:
    return {
        "code": code,
        "ordinal": ordinal,
        "name": name or f"Level {code}",
        "descriptors": {
            "knowledge": f"Knowledge expected at level {code}.",
            "skills": f"Skills expected at level {code}.",
            "responsibility_autonomy": f"Autonomy expected at level {code}.",
        },
    }


def linkage(
    level_code: str,
    target_framework: str,
    target_level: str,
    relation: str = "exactMatch",
) -> dict[str, str]:
    return {
        "level": level_code,
        "target_framework": target_framework,
        "target_level": target_level,
        "relation": relation,
        "source": "https://example.org/referencing-report",
    }


def framework_document(
    code: str,
    level_codes: Sequence[str],
    *,
    linkages: Sequence[dict[str, str]] = (),
    jurisdiction: str = "DE",
) -> Document:
    return {
        "code": code,
        "name": f"Framework {code}",
        "jurisdiction": jurisdiction,
        "version": "2013",
        "source_url": f"https://example.org/{code}",
        "credit_system": "ECTS",
        "levels": [level(c, ordinal) for ordinal, c in enumerate(level_codes, start=1)],
        "linkages": list(linkages),
    }


@pytest.fixture
def create_framework(
    client: TestClient, admin_headers: dict[str, str]
) -> Callable[[Document], Document]:
    def create(document: Document) -> Document:
        response = client.post("/v1/frameworks", json=document, headers=admin_headers)
        assert response.status_code == 201, response.text
        body: Document = response.json()
        return body

    return create


@pytest.fixture
def link(client: TestClient, admin_headers: dict[str, str]) -> Callable[..., httpx.Response]:
    """POST a linkage from ``code``/``level_code``; returns the response, whatever its status."""

    def post(
        code: str,
        level_code: str,
        target_framework: str,
        target_level: str,
        relation: str = "exactMatch",
    ) -> httpx.Response:
        return client.post(
            f"/v1/frameworks/{code}/linkages",
            json=linkage(level_code, target_framework, target_level, relation),
            headers=admin_headers,
        )

    return post
