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
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

from app.web import i18n

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
        # The language follows ?lang= or Accept-Language (app/web/i18n.py).
        "Vary": "Accept-Language",
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
    return i18n.long_date(value)


@cache
def environment() -> Environment:
    """The one environment of every HTML page: the site's templates, then each area's."""
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("app.web", "templates"),
                PackageLoader("app.frameworks", "templates"),
                PackageLoader("app.occupations", "templates"),
            ]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # The callables read the request's language themselves (a context variable).
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["long_date"] = i18n.long_date
    env.filters["number"] = i18n.number
    env.globals["switch_href"] = i18n.switch_href
    env.globals["languages"] = [
        (tag, i18n.language_name(locale)) for locale, tag in i18n.SUPPORTED.items()
    ]
    return env


def render_html(template: str, **context: Any) -> str:
    return environment().get_template(template).render(lang=i18n.tag(), **context)


def render_page(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(
        render_html(template, **context), status_code=status_code, headers=page_headers()
    )
