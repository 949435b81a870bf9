"""The verification routes' own request handler (`VerificationRoute`): the app's guards run
first, the endpoint gets its one dependency, and a route declaring anything else is refused
when the app is built."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from app.dependencies import VerifyingDep
from app.verification.router import VerificationRoute

VERIFYING = ["/credentials/verify", "/presentations/verify", "/v1/verify/batch"]


@pytest.mark.parametrize("path", VERIFYING)
def test_the_app_guards_run_before_a_verification(client: TestClient, path: str) -> None:
    response = client.post(f"{path}?x=a%00b", json={"verifiableCredential": {}})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "NUL" in response.json()["detail"]


def test_a_verification_gets_the_apps_context(client: TestClient) -> None:
    response = client.post("/credentials/verify", json={"verifiableCredential": {"a": 1}})
    # The verifier ran (a report, not FastAPI's 422 of a missing dependency or body).
    assert response.status_code == 422
    assert response.json()["verified"] is False


def _build(endpoint: object) -> None:
    """An app with `endpoint` on a VerificationRoute, up to its first request (FastAPI may
    make a route's handler when the route is added, or when it is first matched)."""
    router = APIRouter(route_class=VerificationRoute)
    router.add_api_route("/x", endpoint, methods=["POST"])  # type: ignore[arg-type]
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as client:
        client.post("/x")


async def _with_a_query(request: Request, verifying: VerifyingDep, limit: int) -> JSONResponse:
    return JSONResponse({})


async def _without_the_context(request: Request) -> JSONResponse:
    return JSONResponse({})


@pytest.mark.parametrize("endpoint", [_with_a_query, _without_the_context])
def test_a_route_declaring_more_or_less_is_refused(endpoint: object) -> None:
    with pytest.raises(TypeError, match="takes \\(Request, VerifyingDep\\)"):
        _build(endpoint)
