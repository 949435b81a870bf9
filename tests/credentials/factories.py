"""Builders for issuers, achievements and credentials through the public API."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from tests.conftest import make_key
from tests.support.issuers import create_issuer

ACHIEVEMENT = {
    "name": "Introduction to Python Programming",
    "description": "Writes, tests and debugs small Python programs.",
    "criteria": {"narrative": "Passed all graded exercises and the final project."},
    "achievement_type": "Certificate",
    "framework_levels": [{"framework": "eqf", "level": "5"}],
    "isced_f": "0613",
    "credits_available": 5,
    "skills": [{"name": "Python (computer programming)", "framework": "ESCO"}],
    "tags": ["python", "programming"],
}
RECIPIENT = {"name": "Ada Lovelace", "email": "ada@example.org"}


def ob_schema_validator() -> jsonschema.protocols.Validator:
    text = (
        resources.files("app.verification")
        .joinpath("data/ob_v3p0_achievementcredential_schema.json")
        .read_text()
    )
    schema = json.loads(text)
    validator: jsonschema.protocols.Validator = jsonschema.Draft201909Validator(schema)
    return validator


def assert_ob_valid(credential: dict[str, Any]) -> None:
    errors = sorted(ob_schema_validator().iter_errors(credential), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


class World:
    """An issuer with an achievement and keys of each scope, made through the API."""

    def __init__(
        self, client: TestClient, session: Session, admin: dict[str, str], **issuer: Any
    ) -> None:
        self.client = client
        self.admin = admin
        self.issuer = create_issuer(client, admin, **issuer)
        self.slug = self.issuer["slug"]
        self.issue_headers = {
            "Authorization": f"Bearer {make_key(session, Scope.issue, issuer=self.slug)}"
        }
        self.revoke_headers = {
            "Authorization": f"Bearer {make_key(session, Scope.revoke, issuer=self.slug)}"
        }
        self.achievement = self.create_achievement()

    def create_achievement(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post(
            f"/v1/issuers/{self.slug}/achievements",
            json={**ACHIEVEMENT, **overrides},
            headers=self.issue_headers,
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def issue(self, expected: int = 201, headers: dict[str, str] | None = None, **body: Any) -> Any:
        payload = {"achievement_id": self.achievement["id"], "recipient": RECIPIENT, **body}
        response = self.client.post(
            f"/v1/issuers/{self.slug}/credentials",
            json=payload,
            headers={**self.issue_headers, **(headers or {})},
        )
        assert response.status_code == expected, response.text
        return response.json()

    def did_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = self.client.get(f"/issuers/{self.slug}/did.json").json()
        return doc
