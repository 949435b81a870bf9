from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response

from app.auth.dependencies import PlatformAdminDep
from app.dependencies import ClockDep, SessionDep, UrlsDep
from app.frameworks import alignment, defaults, meta, pages, service
from app.frameworks.schemas import (
    DefinedTermRead,
    EquivalentRead,
    Finding,
    FrameworkRead,
    IscedFieldRead,
    LinkageCreate,
    LinkageRead,
    LinkageRequest,
    LintResult,
)

router = APIRouter(prefix="/v1")
public_router = APIRouter(tags=["Public documents"])

_FRAMEWORKS = "Qualification frameworks"
_ISCED = "ISCED-F fields"
# Both representations of a level share one URL; caches must key on Accept.
_VARY = {"Vary": "Accept"}

FrameworkBody = Annotated[
    dict[str, Any],
    Body(
        description="A framework document per the meta-standard published at "
        "/frameworks/schema.json: code, name, jurisdiction, version, source_url, "
        "domains, levels, optional credit_system, sub_frameworks, owner and linkages "
        "(version 1 documents without 'domains' are accepted and upgraded).",
    ),
]

LintBody = Annotated[
    Any,
    Body(
        description="A framework document (meta-standard v1 or v2) or a referencing report "
        "(recognised by its 'criteria' or 'level_table').",
    ),
]


@router.get("/frameworks", response_model=list[FrameworkRead], tags=[_FRAMEWORKS])
def list_frameworks(session: SessionDep) -> list[FrameworkRead]:
    """List qualification frameworks with their levels and the linkages they state."""
    return service.list_frameworks(session)


@router.post(
    "/frameworks",
    status_code=201,
    response_model=FrameworkRead,
    tags=[_FRAMEWORKS],
    responses={409: {"description": "A framework with this code exists"}},
)
def create_framework(
    document: FrameworkBody,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: PlatformAdminDep,
) -> FrameworkRead:
    """Register a framework (a meta-standard document; the short form gets defaults)."""
    now = clock.now()
    completed = defaults.complete_document(
        document,
        urls=urls,
        actor=principal.actor,
        now=now,
    )
    return service.create_framework(session, completed, actor=principal.actor, now=now)


@router.get("/frameworks/{code}", response_model=FrameworkRead, tags=[_FRAMEWORKS])
def get_framework(code: str, session: SessionDep) -> FrameworkRead:
    """Read a framework with its levels and the linkages it states."""
    return service.read_framework(session, code)


ExportFormat = Literal["meta", "skos", "ctdl"]
ImportFormat = Literal["skos", "ctdl"]


@router.get(
    "/frameworks/{code}/export",
    response_model=dict[str, Any],
    responses={200: {"content": {"application/json": {}, pages.JSON_LD_MEDIA_TYPE: {}}}},
    tags=[_FRAMEWORKS],
)
def export_framework(
    code: str,
    urls: UrlsDep,
    session: SessionDep,
    format: Annotated[  # noqa: A002 - the query parameter's public name
        ExportFormat,
        Query(description="meta: meta-standard v2; skos: SKOS JSON-LD; ctdl: CTDL-shaped JSON"),
    ] = "meta",
) -> Response:
    """Export a framework (meta-standard v2, SKOS JSON-LD or CTDL), ready to import elsewhere."""
    if format == "meta":
        return JSONResponse(service.export_document(session, code))
    body = service.export_as(session, code, format, urls=urls)
    media_type = pages.JSON_LD_MEDIA_TYPE if format == "skos" else "application/json"
    return JSONResponse(body, media_type=media_type)


@router.post(
    "/frameworks/import",
    status_code=201,
    response_model=FrameworkRead,
    responses={409: {"description": "A framework with this code exists"}},
    tags=[_FRAMEWORKS],
)
def import_framework(
    data: Annotated[dict[str, Any], Body(description="A SKOS or CTDL export of a framework")],
    format: Annotated[ImportFormat, Query()],  # noqa: A002 - the query parameter's public name
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: PlatformAdminDep,
) -> FrameworkRead:
    """Import a framework from its SKOS JSON-LD or CTDL-shaped export."""
    return service.import_as(
        session,
        data,
        format,
        urls=urls,
        actor=principal.actor,
        now=clock.now(),
    )


@router.post("/frameworks/lint", response_model=LintResult, tags=[_FRAMEWORKS])
def lint_document(session: SessionDep, document: LintBody = None) -> LintResult:
    """Lint a framework document or referencing report: findings with JSON paths (public)."""
    findings = service.lint_document(session, document)
    return LintResult(findings=[Finding.model_validate(f.to_json()) for f in findings])


@router.post(
    "/frameworks/{code}/linkages",
    status_code=201,
    response_model=LinkageRead,
    tags=[_FRAMEWORKS],
    responses={409: {"description": "These two levels are already linked"}},
)
def create_linkage(
    code: str,
    body: LinkageRequest,
    clock: ClockDep,
    session: SessionDep,
    principal: PlatformAdminDep,
) -> LinkageRead:
    """Link a level of this framework to a level of another, with a SKOS relation."""
    now = clock.now()
    linkage = LinkageCreate(
        level=body.level,
        target_framework=body.target_framework,
        target_level=body.target_level,
        relation=body.relation,
        source=body.source or defaults.stated_by(principal.actor, now),
    )
    return service.add_linkage(session, code, linkage, actor=principal.actor, now=now)


@router.get(
    "/frameworks/{code}/levels/{level}/equivalents",
    response_model=list[EquivalentRead],
    tags=[_FRAMEWORKS],
)
def list_equivalents(code: str, level: str, session: SessionDep) -> list[EquivalentRead]:
    """Levels this level corresponds to, through linkages in either direction, strongest first."""
    return alignment.named_equivalents(session, code, level)


@router.get("/isced-f", response_model=list[IscedFieldRead], tags=[_ISCED])
def list_isced_fields(
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=100, description="Code prefix or part of the name")
    ] = None,
) -> list[IscedFieldRead]:
    """List ISCED-F 2013 fields of education and training, optionally filtered."""
    return [IscedFieldRead.model_validate(f) for f in service.search_isced_fields(session, q)]


@router.get("/isced-f/{code}", response_model=IscedFieldRead, tags=[_ISCED])
def get_isced_field(code: str, session: SessionDep) -> IscedFieldRead:
    """Read one ISCED-F 2013 field by its code."""
    return IscedFieldRead.model_validate(service.read_isced_field(session, code))


@public_router.get(
    "/frameworks/schema.json",
    response_model=dict[str, Any],
    responses={200: {"content": {"application/schema+json": {}}}},
)
def framework_schema() -> Response:
    """The meta-standard: the JSON Schema every framework document follows."""
    return Response(json.dumps(meta.load_schema()), media_type="application/schema+json")


@public_router.get(
    "/frameworks/{code}/levels/{level}",
    response_model=DefinedTermRead,
    responses={200: {"content": {pages.JSON_LD_MEDIA_TYPE: {}, "text/html": {}}}},
)
def level_page(
    code: str, level: str, request: Request, urls: UrlsDep, session: SessionDep
) -> Response:
    """A level as JSON-LD (schema.org DefinedTerm), or as HTML when the client prefers it."""
    found = service.read_level(session, code, level)
    if pages.prefers_html(request.headers.get("accept")):
        equivalents = alignment.named_equivalents(session, code, level)
        return pages.render_level_html(urls, found, equivalents)
    term = pages.defined_term(urls, found)
    return JSONResponse(
        term.model_dump(mode="json"), media_type=pages.JSON_LD_MEDIA_TYPE, headers=_VARY
    )
