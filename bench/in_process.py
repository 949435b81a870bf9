"""The issuer and achievement the in-process profiles (profile_batch.py, profile_single.py)
issue with: an admin API key written straight to the app's database, then the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth import service as auth_service
from app.auth.scopes import Scope


def profile_issuer(app: FastAPI, client: TestClient) -> tuple[dict[str, str], str]:
    """Admin headers and the id of issuer ``prof``'s achievement."""
    with app.state.sessionmaker() as session:
        _record, secret = auth_service.create_key(
            session, name="profile", scope=Scope.admin, issuer_slug=None,
            now=app.state.clock.now(), actor="profile",
        )  # fmt: skip
        session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    client.post("/v1/issuers", headers=headers, json={
        "slug": "prof", "name": "Profile U", "url": "https://p.example",
        "email": "p@p.example",
    }).raise_for_status()  # fmt: skip
    achievement = client.post("/v1/issuers/prof/achievements", headers=headers, json={
        "name": "Python", "description": "Programs.", "criteria": {"narrative": "Pass"},
        "framework_levels": [{"framework": "eqf", "level": "5"}], "credits_available": 5,
        "isced_f": "0613", "skills": ["Python (computer programming)"],
    }).json()  # fmt: skip
    achievement_id: str = achievement["id"]
    return headers, achievement_id
