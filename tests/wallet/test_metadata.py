"""Credential Issuer and authorization server metadata at their well-known locations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker

from app.config import Settings
from app.core.clock import FixedClock
from app.main import create_app
from tests.conftest import TEST_PUBLIC_URL
from tests.credentials.factories import World
from tests.wallet.holder import CONFIGURATION_ID, PRE_AUTHORIZED


def test_issuer_metadata(client: TestClient, world: World) -> None:
    response = client.get("/.well-known/openid-credential-issuer")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    metadata = response.json()
    assert metadata["credential_issuer"] == TEST_PUBLIC_URL
    assert metadata["credential_endpoint"] == f"{TEST_PUBLIC_URL}/oid4vci/credential"
    assert "authorization_servers" not in metadata  # the issuer is its own AS
    assert "nonce_endpoint" not in metadata  # no proofs, so no nonces
    assert metadata["display"] == [{"name": "LearnProof", "locale": "en"}]
    [(name, configuration)] = metadata["credential_configurations_supported"].items()
    assert name == CONFIGURATION_ID
    assert configuration["format"] == "ldp_vc"
    credential = world.issue()["credential"]
    assert configuration["credential_definition"] == {
        "@context": credential["@context"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
    }
    assert set(configuration["credential_definition"]["type"]) <= set(credential["type"])
    # Not holder-bound: nothing asks the wallet for a key.
    for absent in (
        "cryptographic_binding_methods_supported",
        "proof_types_supported",
        "credential_signing_alg_values_supported",
    ):
        assert absent not in configuration
    assert configuration["credential_metadata"]["display"] == [
        {"name": "Open Badge", "locale": "en"}
    ]
    assert configuration["display"] == configuration["credential_metadata"]["display"]


def test_authorization_server_metadata(client: TestClient) -> None:
    response = client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    assert response.json() == {
        "issuer": TEST_PUBLIC_URL,
        "token_endpoint": f"{TEST_PUBLIC_URL}/oid4vci/token",
        "grant_types_supported": [PRE_AUTHORIZED],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }


def test_no_metadata_under_a_path_the_issuer_does_not_have(client: TestClient) -> None:
    assert client.get("/.well-known/openid-credential-issuer/tenant").status_code == 404
    assert client.get("/.well-known/oauth-authorization-server/tenant").status_code == 404


@pytest.fixture
def prefixed(settings: Settings, clock: FixedClock, connection: Connection) -> Iterator[TestClient]:
    """The app behind a public URL with a path, as a reverse proxy would publish it."""
    public_url = f"{TEST_PUBLIC_URL}/learnproof"
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app = create_app(
        Settings(**{**settings.model_dump(), "public_url": public_url}),
        clock=clock,
        session_factory=factory,
    )
    with TestClient(app, base_url=TEST_PUBLIC_URL) as test_client:
        yield test_client


def test_a_path_goes_after_the_well_known_segment(prefixed: TestClient) -> None:
    issuer = f"{TEST_PUBLIC_URL}/learnproof"
    metadata = prefixed.get("/.well-known/openid-credential-issuer/learnproof").json()
    assert metadata["credential_issuer"] == issuer
    assert metadata["credential_endpoint"] == f"{issuer}/oid4vci/credential"
    server = prefixed.get("/.well-known/oauth-authorization-server/learnproof").json()
    assert server["issuer"] == issuer
    assert server["token_endpoint"] == f"{issuer}/oid4vci/token"
    assert prefixed.get("/.well-known/openid-credential-issuer/other").status_code == 404


def test_openapi_documents_the_wallet_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/credentials/{credential_id}/offer",
        "/credentials/{credential_id}/offer",
        "/credential-offers/{uri_secret}",
        "/.well-known/openid-credential-issuer",
        "/.well-known/oauth-authorization-server",
    ):
        assert path in paths, path
    token = paths["/oid4vci/token"]["post"]
    form = token["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert {"grant_type", "pre-authorized_code", "tx_code"} <= set(form["properties"])
    assert token["responses"]["400"]["description"] == "OAuth / OID4VCI error body"
    credential = paths["/oid4vci/credential"]["post"]
    body = credential["requestBody"]["content"]["application/json"]["schema"]
    assert "credential_configuration_id" in body["properties"]
    assert "401" in credential["responses"]
