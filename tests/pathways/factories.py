"""A credit bank world built through the public API: a college that awards a qualification,
a MOOC platform registered here, and an outside provider known only by its did:key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.scopes import Scope
from app.credentials.builder import CONTEXTS, OB_SCHEMA, identity_hash
from app.crypto.data_integrity import add_proof
from app.crypto.keys import generate_private_key
from app.crypto.multikey import did_key_for
from app.crypto.signer import LocalSigner
from tests.conftest import TEST_PUBLIC_URL, make_key
from tests.support.issuers import create_issuer

LEARNER = {"name": "Ada Lovelace", "email": "ada@example.org"}
EQF = f"{TEST_PUBLIC_URL}/frameworks/eqf/levels"


class Party:
    """One issuer of ours with keys of each scope, made through the API."""

    def __init__(self, client: TestClient, session: Session, admin: dict[str, str], slug: str):
        self.client = client
        self.slug = slug
        self.issuer = create_issuer(client, admin, slug=slug, name=slug.replace("-", " ").title())
        self.did: str = self.issuer["did"]
        self.issue_headers = {
            "Authorization": f"Bearer {make_key(session, Scope.issue, issuer=slug)}"
        }
        self.revoke_headers = {
            "Authorization": f"Bearer {make_key(session, Scope.revoke, issuer=slug)}"
        }

    def achievement(
        self, name: str, *, level: str, isced_f: str, credits: float, **more: Any
    ) -> Any:
        body = {
            "name": name,
            "description": f"{name}: a course.",
            "criteria": {"narrative": "Passed the final assessment."},
            "achievement_type": "Certificate",
            "framework_levels": [{"framework": "eqf", "level": level}],
            "isced_f": isced_f,
            "credits_available": credits,
            **more,
        }
        response = self.client.post(
            f"/v1/issuers/{self.slug}/achievements", json=body, headers=self.issue_headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    def issue(
        self, achievement: dict[str, Any], recipient: dict[str, Any] | None = None, **more: Any
    ) -> Any:
        response = self.client.post(
            f"/v1/issuers/{self.slug}/credentials",
            json={"achievement_id": achievement["id"], "recipient": recipient or LEARNER, **more},
            headers=self.issue_headers,
        )
        assert response.status_code == 201, response.text
        return response.json()

    def revoke(self, credential_id: str) -> None:
        response = self.client.post(
            f"/v1/credentials/{credential_id}/revoke",
            json={"reason": "issued in error"},
            headers=self.revoke_headers,
        )
        assert response.status_code == 200, response.text


class Outsider:
    """A provider not registered here: signs OB credentials with a did:key."""

    def __init__(self) -> None:
        key = generate_private_key("Ed25519")
        self.did = did_key_for(key.public_key())
        self.signer = LocalSigner(key, key_id=f"{self.did}#{self.did.removeprefix('did:key:')}")

    def credential(
        self,
        ident: str,
        name: str,
        *,
        level: str,
        isced_f: str,
        credits: float,
        now: datetime,
        email: str = LEARNER["email"],
    ) -> dict[str, Any]:
        achievement = {
            "id": f"https://outsider.example/achievements/{ident}",
            "type": ["Achievement"],
            "name": name,
            "description": f"{name}: a course.",
            "criteria": {"narrative": "Passed."},
            "creditsAvailable": credits,
            "alignment": [
                {
                    "type": ["Alignment"],
                    "targetName": f"EQF level {level}",
                    "targetCode": level,
                    "targetFramework": "European Qualifications Framework",
                    "targetType": "ext:QualificationFrameworkLevel",
                    "targetUrl": f"{EQF}/{level}",
                },
                {
                    "type": ["Alignment"],
                    "targetName": "field",
                    "targetCode": isced_f,
                    "targetFramework": "ISCED-F 2013",
                    "targetType": "ext:ISCEDFieldOfStudy",
                    "targetUrl": f"{TEST_PUBLIC_URL}/v1/isced-f/{isced_f}",
                },
            ],
        }
        unsigned = {
            "@context": list(CONTEXTS),
            "id": f"urn:example:outside-academy:{self.did[-8:]}:{ident}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": name,
            "issuer": {"id": self.did, "type": ["Profile"], "name": "Outside Academy"},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "name": LEARNER["name"],
                "identifier": [
                    {
                        "type": "IdentityObject",
                        "hashed": True,
                        "identityHash": identity_hash(email, "0123abcd"),
                        "identityType": "emailAddress",
                        "salt": "0123abcd",
                    }
                ],
                "achievement": achievement,
            },
            "credentialSchema": [dict(OB_SCHEMA)],
        }
        return add_proof(unsigned, self.signer, created=now)


class Bank:
    """The worked example's parties."""

    def __init__(self, client: TestClient, session: Session, admin: dict[str, str], now: datetime):
        self.client = client
        self.now = now
        self.college = Party(client, session, admin, "city-college")
        self.mooc = Party(client, session, admin, "open-mooc")
        self.outsider = Outsider()
        self.qualification = self.college.achievement(
            "Software Developer", level="5", isced_f="0613", credits=60,
            achievement_type="Diploma",
        )  # fmt: skip
        self.python = self.mooc.achievement(
            "Python Programming", level="5", isced_f="0613", credits=10
        )
        self.web = self.mooc.achievement("Web Development", level="4", isced_f="0613", credits=10)
        self.sql = self.mooc.achievement("SQL Basics", level="3", isced_f="0612", credits=3)

    def pathway(self, expected: int = 201, **overrides: Any) -> Any:
        body = {
            "name": "Software Developer (EQF 5)",
            "target_achievement_id": self.qualification["id"],
            "requirements": [
                {"name": "Programming", "achievement": self.python["id"]},
                {"name": "Databases", "isced_f": "0612"},
                {
                    "name": "Level 4 or above",
                    "at_least": 2,
                    "of": [{"framework_level": {"framework": "eqf", "level": "4"}}] * 1
                    + [{"isced_f": "0613"}, {"isced_f": "06"}],
                },
            ],
            "min_credits": 25,
            **overrides,
        }
        response = self.client.post(
            f"/v1/issuers/{self.college.slug}/pathways",
            json=body,
            headers=self.college.issue_headers,
        )
        assert response.status_code == expected, response.text
        return response.json()

    def rule(self, pathway: dict[str, Any], expected: int = 201, **overrides: Any) -> Any:
        body = {
            "from": {"issuer": self.outsider.did, "isced_f": "0612"},
            "to": {"pathway": pathway["id"], "requirement": "Databases"},
            "credits": 6,
            "valid_from": "2026-01-01T00:00:00Z",
            "evidence": [{"name": "Course comparison", "narrative": "Reviewed by the board."}],
            **overrides,
        }
        response = self.client.post(
            f"/v1/issuers/{self.college.slug}/transfer-rules",
            json=body,
            headers=self.college.issue_headers,
        )
        assert response.status_code == expected, response.text
        return response.json()

    def evaluate(self, pathway: dict[str, Any], credentials: list[Any], expected: int = 200) -> Any:
        response = self.client.post(
            f"/v1/pathways/{pathway['id']}/evaluate", json={"credentials": credentials}
        )
        assert response.status_code == expected, response.text
        return response.json()

    def outside_databases(self) -> dict[str, Any]:
        return self.outsider.credential(
            "db-101", "Relational Databases", level="5", isced_f="0612", credits=5, now=self.now
        )
