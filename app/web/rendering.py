"""Templates and the security headers every page and download carries.

Autoescaping is on for every template and no template marks anything safe: names,
descriptions and URLs come from issuers and uploaders. The Content-Security-Policy allows
only our own scripts, styles and images (plus inline ``data:`` images), so even markup that
slipped through could neither run script nor load anything from a third party.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import cache
from typing import Any, Final
from urllib.parse import quote

from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

from app.proofs.branding import style_hash
from app.web import i18n
from app.web.reasons import translate

PAGE_CSP: Final = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# A badge SVG opened on its own is a document: it may show its picture, nothing else.
SVG_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
DOWNLOAD_CSP: Final = "default-src 'none'; frame-ancestors 'none'; sandbox"


def with_inline_style(style: str) -> str:
    """The page CSP that also allows one inline ``<style>``, by its hash (the issuer's look)."""
    return f"{PAGE_CSP}; style-src 'self' {style_hash(style)}"


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
        "Content-Disposition": content_disposition(filename),
        "Cache-Control": "no-cache",
    }


_UNSAFE_IN_NAME: Final = re.compile(r"[^A-Za-z0-9._-]+")
_UNSAFE_IN_UNICODE_NAME: Final = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;%]+')


def download_name(*parts: str | None, suffix: str) -> str:
    """``<achievement>-<learner>.pdf``: what a person would call the file, in any script."""
    words = [" ".join((part or "").split()) for part in parts]
    stem = "-".join(_UNSAFE_IN_UNICODE_NAME.sub("", word).strip(" .-") for word in words if word)
    return f"{stem[:120].strip(' .-') or 'credential'}.{suffix}"


def content_disposition(filename: str) -> str:
    """An attachment named ``filename`` (RFC 6266): an ASCII fallback and the UTF-8 name."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem, dot, suffix = ascii_name.replace(" ", "-").rpartition(".")
    fallback = _UNSAFE_IN_NAME.sub("-", stem).strip("-.") if dot else ""
    fallback = f"{fallback or 'credential'}.{suffix}" if dot else "credential"
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


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
    env.filters["reason"] = translate
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
