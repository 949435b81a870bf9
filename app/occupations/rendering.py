"""HTML for the occupation, industry and guidance pages, on the site's base template.

Rendered through the site's one page path (app/web/rendering.py): the same environment,
translations, autoescaping and security headers as every other page.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse

from app.web.rendering import render_page


def render(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    response = render_page(template, status_code=status_code, **context)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response
