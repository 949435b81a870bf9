"""HTML for the occupation, industry and guidance pages, on the site's base template.

Same autoescaping and security headers as every other page (app/web/rendering.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

from app.proofs.summary import format_number
from app.web.rendering import page_headers


@cache
def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [PackageLoader("app.occupations", "templates"), PackageLoader("app.web", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_number
    return env


def render(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers={**page_headers(), "Vary": "Accept"})
