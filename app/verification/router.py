"""Public verification endpoints (VCALM `/credentials/verify`, `/presentations/verify`, batch)."""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from app.core.urls import PublicUrls
from app.dependencies import VerifyingDep, get_verifying
from app.errors import TooManyRequests
from app.guards import APP_GUARDS
from app.verification import request_bodies
from app.verification.dependencies import run_verification
from app.verification.report import Report
from app.verification.schemas import (
    BATCH_REQUEST_BODY,
    PRESENTATION_REQUEST_BODY,
    VERIFY_REQUEST_BODY,
    BatchReport,
    PresentationReport,
    VerificationReport,
)
from app.verification.service import Verifier


class VerificationRoute(APIRoute):
    """The verification routes' request handler: the app's guards, then the endpoint with its
    one dependency (`VerifyingDep`), solved here.

    FastAPI's own handler solves the dependency graph, reads and validates a body and
    serialises the answer; these endpoints read their body themselves (`run_verification`)
    and answer a ready `JSONResponse`, so for them it only cost time (README "Figures",
    small hours). The declared signature still makes the OpenAPI description; one declaring
    any other parameter fails when the app is built, not at its first request.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        dependant, endpoint = self.dependant, self.endpoint
        solved = [(d.call, d.name) for d in dependant.dependencies]
        fields = (dependant.path_params, dependant.query_params, dependant.header_params,
                  dependant.cookie_params, dependant.body_params)  # fmt: skip
        if (
            len(solved) != 1
            or solved[0][0] is not get_verifying
            or dependant.request_param_name is None
            or any(fields)
        ):
            raise TypeError(f"{self.path}: a VerificationRoute takes (Request, VerifyingDep)")
        names = dependant.request_param_name, str(solved[0][1])

        async def handle(request: Request) -> Response:
            for guard in APP_GUARDS:
                await guard(request)
            arguments = {names[0]: request, names[1]: await get_verifying(request)}
            response: Response = await endpoint(**arguments)
            return response

        return handle


router = APIRouter(tags=["Verification"], route_class=VerificationRoute)

_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not readable JSON or JWT text", **_PROBLEM},
    413: {"description": "The body is too large, too deep or too complex", **_PROBLEM},
    429: {"description": "This client used up its verification CPU budget", **_PROBLEM},
    503: {"description": "The verifier is busy; retry after Retry-After", **_PROBLEM},
}


def _report_json(urls: PublicUrls, report: Report, *, include_credential: bool) -> dict[str, Any]:
    return report.to_json(problem_base=urls.problems, include_credential=include_credential)


@router.post(
    "/credentials/verify",
    response_model=VerificationReport,
    responses={422: {"model": VerificationReport, "description": "Not verified"}, **_ERRORS},
    openapi_extra=VERIFY_REQUEST_BODY,
)
async def verify_credential(request: Request, verifying: VerifyingDep) -> JSONResponse:
    """Verify a credential (JSON-LD, VC-JWT or enveloped): 200 if verified, else 422."""
    content_type = request.headers.get("content-type")
    limits, urls = verifying.state.limits, verifying.urls

    def work(raw: bytes, verifier: Verifier) -> JSONResponse:
        body = request_bodies.read_verify_request(raw, content_type, limits)
        report = verifier.credential(body.credential)
        content = _report_json(urls, report, include_credential=body.return_credential)
        return JSONResponse(content, status_code=200 if report.verified else 422)

    # One credential is usually short work: tried on the event loop first.
    return await run_verification(request, verifying, work, loop_first=True)


@router.post(
    "/presentations/verify",
    response_model=PresentationReport,
    responses={422: {"model": PresentationReport, "description": "Not verified"}, **_ERRORS},
    openapi_extra=PRESENTATION_REQUEST_BODY,
)
async def verify_presentation(request: Request, verifying: VerifyingDep) -> JSONResponse:
    """Verify a presentation's proof, challenge, domain and holder, then each credential."""
    content_type = request.headers.get("content-type")
    limits, urls = verifying.state.limits, verifying.urls

    def work(raw: bytes, verifier: Verifier) -> JSONResponse:
        body = request_bodies.read_presentation_request(raw, content_type, limits)
        report, credentials = verifier.presentation(
            body.presentation, challenge=body.challenge, domain=body.domain, signed=body.signed
        )
        content = _report_json(urls, report, include_credential=False)
        content["presentation"] = report.credential
        content["credentials"] = [
            _report_json(urls, item, include_credential=True) for item in credentials
        ]
        return JSONResponse(content, status_code=200 if report.verified else 422)

    return await run_verification(request, verifying, work)


@router.post(
    "/v1/verify/batch",
    response_model=BatchReport,
    responses={
        429: {"description": "Too many credentials from this client", **_PROBLEM},
        **_ERRORS,
    },
    openapi_extra=BATCH_REQUEST_BODY,
)
async def verify_batch(request: Request, verifying: VerifyingDep) -> JSONResponse:
    """Verify up to 1,000 credentials; one report each, in order (rate-limited per client)."""
    content_type = request.headers.get("content-type")
    state, urls = verifying.state, verifying.urls
    client = request.client.host if request.client else "unknown"

    def work(raw: bytes, verifier: Verifier) -> JSONResponse:
        body = request_bodies.read_batch_request(raw, content_type, state.limits)
        wait = state.limiter.take(client, cost=len(body.credentials))
        if wait:
            raise TooManyRequests(
                f"Too many verifications from {client}; retry in {math.ceil(wait)} s.",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        include = body.options.get("returnCredential") is True
        # Once the request's budget is spent, each remaining credential gets a failed
        # "limits" check at once (Verifier.credential checks the budget first).
        results = [
            _report_json(urls, verifier.credential(item), include_credential=include)
            for item in body.credentials
        ]
        return JSONResponse({"results": results})

    return await run_verification(request, verifying, work)
