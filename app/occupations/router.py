"""Public occupation and industry pages; guidance over verified credentials."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.db import SessionDep
from app.errors import NotFound
from app.occupations import rendering, service
from app.occupations.schemas import ConceptPageRead
from app.web.negotiation import wants_json

pages_router = APIRouter(tags=["Occupations and industries"])

_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}},
    404: {"description": "No such code in a loaded vocabulary"},
}


def _concept_page(
    request: Request, session: SessionDep, kind: str, scheme: str, code: str
) -> Response:
    as_json = wants_json(request.headers.get("accept"))
    public_url: str = request.app.state.settings.public_url
    try:
        page = service.concept_page(session, public_url, kind, scheme, code)
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
def occupation_page(scheme: str, code: str, request: Request, session: SessionDep) -> Response:
    """An occupation (CSCO 2022, ESCO): definition, flags, groups, skills, where to learn it."""
    return _concept_page(request, session, "occupation", scheme, code)


@pages_router.get(
    "/industries/{scheme}/{code:path}",
    response_model=ConceptPageRead,
    responses=_PAGE_RESPONSES,
)
def industry_page(scheme: str, code: str, request: Request, session: SessionDep) -> Response:
    """An industry (NAICS 2022, NACE Rev. 2.1, ISIC Rev. 4) and the achievements aligned to it."""
    return _concept_page(request, session, "industry", scheme, code)
