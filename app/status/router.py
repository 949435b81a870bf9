"""The public, signed status lists (the changes that flip their bits are in
``app/credentials/lifecycle_router.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.dependencies import ClockDep, KeyRingDep, SessionDep, SettingsDep, UrlsDep
from app.status import service
from app.status.representation import JWT_MEDIA_TYPE, list_response

public_router = APIRouter(tags=["Public documents"])

_LIST_CONTENT = {
    "application/json": {},
    "application/vc": {},
    JWT_MEDIA_TYPE: {"schema": {"type": "string"}},
}


@public_router.head("/status/{slug}/{list_id}", include_in_schema=False)
@public_router.get(
    "/status/{slug}/{list_id}",
    response_class=Response,
    responses={
        200: {"content": _LIST_CONTENT, "description": "The signed status list credential"},
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        404: {"description": "No such list"},
    },
)
def status_list(
    slug: str,
    list_id: str,
    request: Request,
    settings: SettingsDep,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    keyring: KeyRingDep,
) -> Response:
    """The signed Bitstring Status List credential (JSON, or VC-JWT on request), cacheable."""
    published = service.published_list(
        session,
        keyring,
        slug,
        list_id,
        urls=urls,
        now=clock.now(),
        ttl_seconds=settings.status_list_ttl_seconds,
    )
    return list_response(
        published,
        accept=request.headers.get("accept"),
        if_none_match=request.headers.get("if-none-match"),
        max_age=settings.status_list_ttl_seconds,
    )
