"""The token endpoint: single use, expiry, transaction codes and OAuth error bodies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import TEST_PUBLIC_URL
from tests.credentials.factories import World
from tests.wallet.holder import PRE_AUTHORIZED, Wallet, make_offer, offer_uri

TOKEN = f"{TEST_PUBLIC_URL}/oid4vci/token"


def _code(offer: dict[str, Any]) -> str:
    code: str = offer["credential_offer"]["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    return code


def _oauth_error(response: httpx.Response, error: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["error"] == error, body
    assert set(body) <= {"error", "error_description"}


@pytest.fixture
def offer(world: World) -> dict[str, Any]:
    return make_offer(world, world.issue()["id"])


@pytest.fixture
def tx_offer(world: World) -> dict[str, Any]:
    return make_offer(world, world.issue()["id"], tx_code=True)


def test_token_response_shape(wallet: Wallet, offer: dict[str, Any]) -> None:
    response = wallet.token(TOKEN, _code(offer))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert len(body["access_token"]) >= 40
    assert body["access_token"] != _code(offer)


def test_a_code_is_single_use(wallet: Wallet, offer: dict[str, Any], client: TestClient) -> None:
    assert wallet.token(TOKEN, _code(offer)).status_code == 200
    _oauth_error(wallet.token(TOKEN, _code(offer)), "invalid_grant")
    # Once redeemed, the offer URI no longer hands out the code.
    assert client.get(offer_uri(offer["offer_url"])).status_code == 404


def test_a_code_expires_after_ten_minutes(
    wallet: Wallet, offer: dict[str, Any], app: FastAPI, client: TestClient
) -> None:
    app.state.clock.instant += timedelta(minutes=9, seconds=59)
    assert client.get(offer_uri(offer["offer_url"])).status_code == 200
    app.state.clock.instant += timedelta(seconds=1)
    assert client.get(offer_uri(offer["offer_url"])).status_code == 404
    _oauth_error(wallet.token(TOKEN, _code(offer)), "invalid_grant")


def test_unknown_codes_are_invalid_grant(wallet: Wallet, offer: dict[str, Any]) -> None:
    _oauth_error(wallet.token(TOKEN, "not-a-code"), "invalid_grant")
    # The URI's secret is not the code: only what the offer says is redeemable.
    secret = offer_uri(offer["offer_url"]).rsplit("/", 1)[1]
    _oauth_error(wallet.token(TOKEN, secret), "invalid_grant")
    assert wallet.token(TOKEN, _code(offer)).status_code == 200


def test_transaction_code_required(wallet: Wallet, tx_offer: dict[str, Any]) -> None:
    _oauth_error(wallet.token(TOKEN, _code(tx_offer)), "invalid_request")
    response = wallet.token(TOKEN, _code(tx_offer), tx_offer["tx_code"])
    assert response.status_code == 200, response.text


def test_transaction_code_unexpected(wallet: Wallet, offer: dict[str, Any]) -> None:
    _oauth_error(wallet.token(TOKEN, _code(offer), "123456"), "invalid_request")
    # Refusing it did not use the code up.
    assert wallet.token(TOKEN, _code(offer)).status_code == 200


def _wrong(tx_code: str) -> str:
    return f"{(int(tx_code) + 1) % 1_000_000:06d}"


def test_wrong_transaction_code_is_invalid_grant(wallet: Wallet, tx_offer: dict[str, Any]) -> None:
    _oauth_error(wallet.token(TOKEN, _code(tx_offer), _wrong(tx_offer["tx_code"])), "invalid_grant")
    # A wrong code is counted, not fatal: the learner may correct a typo.
    assert wallet.token(TOKEN, _code(tx_offer), tx_offer["tx_code"]).status_code == 200


def test_four_wrong_codes_still_allow_the_right_one(
    wallet: Wallet, tx_offer: dict[str, Any]
) -> None:
    for _ in range(4):
        _oauth_error(
            wallet.token(TOKEN, _code(tx_offer), _wrong(tx_offer["tx_code"])), "invalid_grant"
        )
    assert wallet.token(TOKEN, _code(tx_offer), tx_offer["tx_code"]).status_code == 200


def test_five_wrong_codes_burn_the_offer(
    wallet: Wallet, tx_offer: dict[str, Any], client: TestClient
) -> None:
    for _ in range(5):
        _oauth_error(
            wallet.token(TOKEN, _code(tx_offer), _wrong(tx_offer["tx_code"])), "invalid_grant"
        )
    _oauth_error(wallet.token(TOKEN, _code(tx_offer), tx_offer["tx_code"]), "invalid_grant")
    assert client.get(offer_uri(tx_offer["offer_url"])).status_code == 404


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"pre-authorized_code": "x"}, "invalid_request"),
        ({"grant_type": PRE_AUTHORIZED}, "invalid_request"),
        ({"grant_type": PRE_AUTHORIZED, "pre-authorized_code": ""}, "invalid_request"),
        ({"grant_type": PRE_AUTHORIZED, "pre-authorized_code": "x" * 201}, "invalid_request"),
        ({"grant_type": "authorization_code", "code": "x"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
    ],
)
def test_malformed_token_requests(client: TestClient, form: dict[str, str], error: str) -> None:
    _oauth_error(client.post(TOKEN, data=form), error)


def test_token_request_must_be_form_encoded(client: TestClient, offer: dict[str, Any]) -> None:
    body = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": _code(offer)}
    _oauth_error(client.post(TOKEN, json=body), "invalid_request")
    _oauth_error(client.post(TOKEN, content=b"\xff\xfe", headers={}), "invalid_request")


def test_repeated_parameters_are_refused(client: TestClient, offer: dict[str, Any]) -> None:
    body = (
        f"grant_type={PRE_AUTHORIZED}&pre-authorized_code={_code(offer)}"
        f"&pre-authorized_code={_code(offer)}"
    )
    response = client.post(
        TOKEN, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    _oauth_error(response, "invalid_request")


def test_unknown_parameters_are_ignored(client: TestClient, offer: dict[str, Any]) -> None:
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": _code(offer), "client_id": "w"}
    assert client.post(TOKEN, data=form).status_code == 200


def test_forms_with_too_many_fields_are_refused(client: TestClient) -> None:
    form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": "x"}
    form.update({f"f{n}": "1" for n in range(60)})
    _oauth_error(client.post(TOKEN, data=form), "invalid_request")
