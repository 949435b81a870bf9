"""A trusted accrediting body for the accreditation tests, and limits its accreditations pass."""

from __future__ import annotations

from typing import Any

from tests.credentials.factories import World
from tests.support.issuers import create_issuer

PASSING = {
    "frameworks": [{"framework": "eqf", "max_level": "6"}],
    "isced_f": ["06"],
    "qualification_types": ["Certificate"],
    "jurisdiction": ["EU"],
}


class Agency:
    """A trusted accrediting body and the world it accredits."""

    def __init__(self, world: World, admin: dict[str, str], *, trust: bool = True) -> None:
        self.client = world.client
        self.world = world
        self.admin = admin
        self.issuer = create_issuer(
            world.client, admin, slug="quality-agency", name="National Quality Agency",
            url="https://agency.example.org", email="office@agency.example.org",
        )  # fmt: skip
        if trust:
            response = self.client.post(
                "/v1/accreditors",
                json={"did": self.issuer["did"], "name": "National Quality Agency"},
                headers=admin,
            )
            assert response.status_code == 201, response.text

    def accredit(self, expected: int = 201, **changes: Any) -> Any:
        body = {
            "accredited_issuer": self.world.issuer["did"],
            "limits": PASSING,
            "valid_from": "2020-01-01T00:00:00Z",
            **changes,
        }
        response = self.client.post(
            "/v1/issuers/quality-agency/accreditations", json=body, headers=self.admin
        )
        assert response.status_code == expected, response.text
        return response.json()

    def verify(self) -> tuple[int, dict[str, Any], dict[str, Any]]:
        vc = self.world.issue()["credential"]
        response = self.client.post("/credentials/verify", json={"verifiableCredential": vc})
        body = response.json()
        [check] = [c for c in body["checks"] if c["check"] == "accreditation"]
        return response.status_code, check, body
