"""A simulated wallet: what a holder's app does with an ``openid-credential-offer://`` link.

It follows OID4VCI 1.0 from the link alone: resolve the offer from its URI, read the issuer
and authorization server metadata at their well-known locations, redeem the pre-authorized
code at the advertised token endpoint, then ask the advertised credential endpoint.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient

from tests.credentials.factories import World

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"


def offer_uri(offer_url: str) -> str:
    parts = urlsplit(offer_url)
    assert parts.scheme == "openid-credential-offer", offer_url
    [uri] = parse_qs(parts.query)["credential_offer_uri"]
    return uri


class Wallet:
    def __init__(self, client: TestClient) -> None:
        self.client = client

    def resolve(self, offer_url: str) -> dict[str, Any]:
        response = self.client.get(offer_uri(offer_url))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        offer: dict[str, Any] = response.json()
        return offer

    def metadata(self, issuer: str) -> tuple[dict[str, Any], dict[str, Any]]:
        parts = urlsplit(issuer)
        origin, path = f"{parts.scheme}://{parts.netloc}", parts.path
        credential_issuer = self.client.get(f"{origin}/.well-known/openid-credential-issuer{path}")
        assert credential_issuer.status_code == 200, credential_issuer.text
        server = self.client.get(f"{origin}/.well-known/oauth-authorization-server{path}")
        assert server.status_code == 200, server.text
        issuer_metadata, server_metadata = credential_issuer.json(), server.json()
        # OID4VCI §12.2.2 / RFC 8414 §3.3: the documents must name the identifier used.
        assert issuer_metadata["credential_issuer"] == issuer
        assert server_metadata["issuer"] == issuer
        return issuer_metadata, server_metadata

    def token(self, token_endpoint: str, code: str, tx_code: str | None = None) -> httpx.Response:
        form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return self.client.post(token_endpoint, data=form)

    def credential(self, credential_endpoint: str, access_token: str) -> httpx.Response:
        return self.client.post(
            credential_endpoint,
            json={"credential_configuration_id": CONFIGURATION_ID},
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def accept(self, offer_url: str, tx_code: str | None = None) -> dict[str, Any]:
        """The whole flow; returns the one credential received."""
        offer = self.resolve(offer_url)
        assert offer["credential_configuration_ids"] == [CONFIGURATION_ID]
        issuer_metadata, server_metadata = self.metadata(offer["credential_issuer"])
        assert CONFIGURATION_ID in issuer_metadata["credential_configurations_supported"]
        grant = offer["grants"][PRE_AUTHORIZED]
        assert ("tx_code" in grant) == (tx_code is not None)
        token = self.token(server_metadata["token_endpoint"], grant["pre-authorized_code"], tx_code)
        assert token.status_code == 200, token.text
        assert token.json()["token_type"] == "Bearer"
        response = self.credential(
            issuer_metadata["credential_endpoint"], token.json()["access_token"]
        )
        assert response.status_code == 200, response.text
        [issued] = response.json()["credentials"]
        credential: dict[str, Any] = issued["credential"]
        return credential


def make_offer(
    world: World, credential_id: str, expected: int = 201, **body: Any
) -> dict[str, Any]:
    """POST /v1/credentials/{id}/offer with the issuer's issue key."""
    response = world.client.post(
        f"/v1/credentials/{credential_id}/offer",
        json=body or None,
        headers=world.issue_headers,
    )
    assert response.status_code == expected, response.text
    answer: dict[str, Any] = response.json()
    return answer
