"""An issuer made through the API, as most tests need one."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

ISSUER = {
    "slug": "uni-example",
    "name": "Université d'Exemple",
    "url": "https://uni.example.org",
    "email": "badges@uni.example.org",
    "description": "A test university",
}


def create_issuer(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post("/v1/issuers", json={**ISSUER, **overrides}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
