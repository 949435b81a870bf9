"""The credential endpoint: bearer tokens (RFC 6750) and OID4VCI credential request errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import TEST_PUBLIC_URL
from tests.credentials.factories import World
from tests.wallet.holder import CONFIGURATION_ID, PRE_AUTHORIZED, Wallet, make_offer

TOKEN = f"{TEST_PUBLIC_URL}/oid4vci/token"
CREDENTIAL = f"{TEST_PUBLIC_URL}/oid4vci/credential"


@pytest.fixture
def issued(world: World) -> dict[str, Any]:
    answer: dict[str, Any] = world.issue()
    return answer


@pytest.fixture
def access_token(world: World, wallet: Wallet, issued: dict[str, Any]) -> str:
    offer = make_offer(world, issued["id"])
    code = offer["credential_offer"]["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    response = wallet.token(TOKEN, code)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _post(client: TestClient, token: str | None, body: Any = None, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if body is None and "content" not in kwargs:
        body = {"credential_configuration_id": CONFIGURATION_ID}
    return client.post(CREDENTIAL, json=body, headers=headers, **kwargs)


def _error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["error"] == error


def test_response_shape(client: TestClient, access_token: str, issued: dict[str, Any]) -> None:
    response = _post(client, access_token)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {"credentials": [{"credential": issued["credential"]}]}


def test_missing_token(client: TestClient) -> None:
    response = _post(client, None)
    _error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer nope", "Basic dXNlcjpwYXNz", "Bearer", "lp_x_y"])
def test_bad_token(client: TestClient, header: str) -> None:
    response = client.post(
        CREDENTIAL,
        json={"credential_configuration_id": CONFIGURATION_ID},
        headers={"Authorization": header},
    )
    _error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


def test_api_keys_are_not_access_tokens(client: TestClient, world: World) -> None:
    _error(_post(client, world.issue_headers["Authorization"].split()[1]), 401, "invalid_token")


def test_token_is_reusable_until_it_expires(
    client: TestClient, access_token: str, app: FastAPI
) -> None:
    assert _post(client, access_token).status_code == 200
    app.state.clock.instant += timedelta(minutes=4, seconds=59)
    assert _post(client, access_token).status_code == 200
    app.state.clock.instant += timedelta(seconds=1)
    response = _post(client, access_token)
    _error(response, 401, "invalid_token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_unknown_configuration(client: TestClient, access_token: str) -> None:
    body = {"credential_configuration_id": "UniversityDegree_jwt_vc_json"}
    _error(_post(client, access_token, body), 400, "unknown_credential_configuration")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "invalid_credential_request"),
        ({"credential_configuration_id": 5}, "invalid_credential_request"),
        ({"credential_identifier": "x"}, "invalid_credential_request"),
        ([CONFIGURATION_ID], "invalid_credential_request"),
        ({"proofs": "not an object", "credential_configuration_id": CONFIGURATION_ID},
         "invalid_credential_request"),
        ({"credential_configuration_id": CONFIGURATION_ID,
          "credential_response_encryption": {"jwk": {}, "enc": "A256GCM"}},
         "invalid_encryption_parameters"),
    ],
)  # fmt: skip
def test_malformed_requests(client: TestClient, access_token: str, body: Any, error: str) -> None:
    _error(_post(client, access_token, body), 400, error)


def test_body_that_is_not_json(client: TestClient, access_token: str) -> None:
    response = client.post(
        CREDENTIAL,
        content=b"{not json",
        headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
    )
    _error(response, 400, "invalid_credential_request")


def test_token_is_checked_before_the_body(client: TestClient) -> None:
    _error(_post(client, "nope", {"credential_configuration_id": "other"}), 401, "invalid_token")


def test_proofs_and_unknown_parameters_are_accepted_and_ignored(
    client: TestClient, access_token: str, issued: dict[str, Any]
) -> None:
    body = {
        "credential_configuration_id": CONFIGURATION_ID,
        "proofs": {"jwt": ["eyJhbGciOiJFUzI1NiJ9.e30.c2ln"]},
        "something_new": True,
    }
    response = _post(client, access_token, body)
    assert response.status_code == 200, response.text
    # Not holder-bound: the stored credential, unchanged.
    assert response.json()["credentials"][0]["credential"] == issued["credential"]


def test_revoked_after_the_offer_is_denied(
    client: TestClient, access_token: str, world: World, issued: dict[str, Any]
) -> None:
    revoke = client.post(
        f"/v1/credentials/{issued['id']}/revoke", json={"reason": "x"}, headers=world.revoke_headers
    )
    assert revoke.status_code == 200, revoke.text
    _error(_post(client, access_token), 400, "credential_request_denied")
