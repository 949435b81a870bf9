"""/docs and /redoc with Swagger UI and ReDoc served from the installed package, not a CDN.

The assets come from the ``fastapi-offline`` wheel (MIT; Swagger UI is Apache-2.0, ReDoc MIT),
so the API documentation works on a machine without internet access.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_ASSETS_URL: Final = "/static/docs"
FAVICON_URL: Final = "/favicon.ico"
docs_router = APIRouter(include_in_schema=False)


def docs_assets() -> StaticFiles:
    return StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static")


# Swagger UI and ReDoc run an inline start-up script (and ReDoc a worker from a blob), so these
# pages get a CSP of their own; it still lets nothing load from elsewhere (ReDoc's "powered by"
# logo and Swagger UI's validator badge stay unloaded), and they may not be framed.
DOCS_CSP: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _in_english(page: HTMLResponse) -> HTMLResponse:
    """The viewers' pages say what language they are in (their words are English)."""
    body = bytes(page.body).replace(b"<html>", b'<html lang="en">', 1)
    fixed = HTMLResponse(body, status_code=page.status_code)
    fixed.headers.update(_headers())
    return fixed


def _headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": DOCS_CSP,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


@docs_router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI document."""
    page = get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} · API",
        swagger_js_url=f"{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=FAVICON_URL,
        oauth2_redirect_url="/docs/oauth2-redirect",
    )
    return _in_english(page)


@docs_router.get("/docs/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth 2 redirect helper."""
    return get_swagger_ui_oauth2_redirect_html()


@docs_router.get("/redoc")
def redoc() -> HTMLResponse:
    """ReDoc for the OpenAPI document, without web fonts from elsewhere."""
    page = get_redoc_html(
        openapi_url="/openapi.json",
        title="LearnProof · API",
        redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=FAVICON_URL,
        with_google_fonts=False,
    )
    return _in_english(page)
