"""Templates and the security headers every page and download carries.

Autoescaping is on for every template and no template marks anything safe: names,
descriptions and URLs come from issuers and uploaders. The Content-Security-Policy allows
only our own scripts, styles and images (plus inline ``data:`` images), so even markup that
slipped through could neither run script nor load anything from a third party.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Final

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from app.proofs.summary import format_number

PAGE_CSP: Final = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# A badge SVG opened on its own is a document: it may show its picture, nothing else.
SVG_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
DOWNLOAD_CSP: Final = "default-src 'none'; frame-ancestors 'none'; sandbox"


def page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": PAGE_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        # The page shows live revocation status: browsers must revalidate it.
        "Cache-Control": "no-cache",
    }


def download_headers(filename: str, *, csp: str = DOWNLOAD_CSP) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-cache",
    }


def long_date(value: datetime | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("app.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.filters["number"] = format_number
    return env


def render_page(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=page_headers())
