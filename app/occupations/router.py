"""Public occupation and industry pages; guidance over verified credentials."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.core.urls import PublicUrls
from app.dependencies import SessionDep, UrlsDep, VerificationStateDep
from app.errors import NotFound, TooManyRequests
from app.occupations import guidance as guidance_service
from app.occupations import rendering, service
from app.occupations.schemas import ConceptPageRead, GuidanceFilter, GuidanceRead
from app.proofs.payload import MAX_FILE_BYTES
from app.verification.credential_input import MAX_DEPTH, MAX_NODES, InputRejected, parse_json
from app.verification.dependencies import RawBody, VerifierDep
from app.verification.state import VerificationState
from app.web.i18n import gettext as _
from app.web.negotiation import wants_json

router = APIRouter(tags=["Guidance"])
pages_router = APIRouter(tags=["Occupations and industries"])

GUIDANCE_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["credentials"],
                    "properties": {
                        "credentials": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": guidance_service.MAX_CREDENTIALS,
                            "items": {"oneOf": [{"type": "object"}, {"type": "string"}]},
                        },
                        "filter": {
                            "type": "object",
                            "properties": {
                                "digital": {"type": "boolean"},
                                "green": {"type": "boolean"},
                                "scheme": {"type": "string", "enum": ["csco2022", "esco"]},
                            },
                        },
                    },
                }
            }
        },
    }
}

_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}},
    404: {"description": "No such code in a loaded vocabulary"},
}


def _concept_page(
    request: Request, urls: PublicUrls, session: SessionDep, kind: str, scheme: str, code: str
) -> Response:
    as_json = wants_json(request.headers.get("accept"))
    try:
        page = service.concept_page(session, urls, kind, scheme, code)
    except NotFound:
        if as_json:
            raise
        return rendering.render("concept_not_found.html", status_code=404, kind=kind)
    if as_json:
        return JSONResponse(
            page.model_dump(mode="json"),
            headers={"Vary": "Accept", "X-Content-Type-Options": "nosniff"},
        )
    return rendering.render("concept.html", page=page)


@pages_router.get(
    "/occupations/{scheme}/{code:path}",
    response_model=ConceptPageRead,
    responses=_PAGE_RESPONSES,
)
def occupation_page(
    scheme: str, code: str, request: Request, urls: UrlsDep, session: SessionDep
) -> Response:
    """An occupation (CSCO 2022, ESCO): definition, flags, groups, skills, where to learn it."""
    return _concept_page(request, urls, session, "occupation", scheme, code)


@pages_router.get(
    "/industries/{scheme}/{code:path}",
    response_model=ConceptPageRead,
    responses=_PAGE_RESPONSES,
)
def industry_page(
    scheme: str, code: str, request: Request, urls: UrlsDep, session: SessionDep
) -> Response:
    """An industry (NAICS 2022, NACE Rev. 2.1, ISIC Rev. 4) and the achievements aligned to it."""
    return _concept_page(request, urls, session, "industry", scheme, code)


@router.post(
    "/v1/guidance",
    response_model=GuidanceRead,
    responses={
        400: {"description": "The body is not readable JSON"},
        413: {"description": "The body is too large or too complex"},
        429: {"description": "Too many verifications from this client"},
    },
    openapi_extra=GUIDANCE_REQUEST_BODY,
)
def guidance(
    request: Request,
    urls: UrlsDep,
    raw: RawBody,
    session: SessionDep,
    verifier: VerifierDep,
    state: VerificationStateDep,
) -> Response:
    """Which occupations verified credentials lead to, with coverage and what closes each gap."""
    credentials, wanted = guidance_service.read_request(raw)
    wait = _rate_limited(request, state, len(credentials))
    if wait:
        raise TooManyRequests(
            f"Too many verifications from this address; retry in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    result = guidance_service.guide(
        session, verifier.credential, credentials, wanted=wanted, urls=urls
    )
    return JSONResponse(result.model_dump(mode="json"))


@pages_router.post("/guidance", response_class=HTMLResponse)
def guidance_page(
    request: Request,
    urls: UrlsDep,
    session: SessionDep,
    verifier: VerifierDep,
    state: VerificationStateDep,
    credential: Annotated[str, Form(max_length=MAX_FILE_BYTES)] = "",
) -> HTMLResponse:
    """Where a credential can lead: the guidance for one pasted or verified credential."""
    value = _form_credential(credential)
    if value is None:
        return rendering.render(
            "guidance.html", status_code=400, guidance=None, error=_("Paste a credential first.")
        )
    wait = _rate_limited(request, state, 1)
    if wait:
        response = rendering.render(
            "guidance.html",
            status_code=429,
            guidance=None,
            error=_("Too many verifications from your address; try again in {seconds} s.").format(
                seconds=wait
            ),
        )
        response.headers["Retry-After"] = str(wait)
        return response
    result = guidance_service.guide(
        session,
        verifier.credential,
        [value],
        wanted=GuidanceFilter(),
        urls=urls,
    )
    return rendering.render("guidance.html", guidance=result, error=None)


def _rate_limited(request: Request, state: VerificationState, cost: int) -> int:
    """Seconds to wait (0 when allowed): guidance verifies, so it shares the verify budget."""
    client = request.client.host if request.client else "unknown"
    wait = state.limiter.take(client, cost=cost)
    return math.ceil(wait) if wait else 0


def _form_credential(text: str) -> Any:
    """A pasted JSON-LD credential (bounded like the API) or a VC-JWT string; None if empty."""
    stripped = text.strip()
    if not stripped:
        return None
    if not stripped.startswith("{"):
        return stripped
    try:
        return parse_json(stripped.encode("utf-8"), max_depth=MAX_DEPTH, max_nodes=MAX_NODES)
    except InputRejected:
        return stripped  # reported by the verifier as unreadable, like any bad input
