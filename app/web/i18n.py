"""The request's language for the pages: chosen by ``LocaleMiddleware`` (see app/core/i18n.py)."""

from __future__ import annotations

import contextvars
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.i18n import (
    DEFAULT,
    LOCALES_DIR,
    N_,
    SUPPORTED,
    current,
    gettext,
    language_name,
    long_date,
    negotiate,
    ngettext,
    number,
    reset_current,
    set_current,
    tag,
    translations,
    using,
)

__all__ = [
    "DEFAULT",
    "LOCALES_DIR",
    "N_",
    "SUPPORTED",
    "LocaleMiddleware",
    "current",
    "gettext",
    "language_name",
    "long_date",
    "negotiate",
    "ngettext",
    "number",
    "switch_href",
    "tag",
    "translations",
    "using",
]

_path: contextvars.ContextVar[str] = contextvars.ContextVar("page_path", default="/")


def switch_href(language_tag: str) -> str:
    """This page in another language (a path-absolute link: the same origin, no other query)."""
    return f"{quote(_path.get())}?lang={language_tag}"


class LocaleMiddleware:
    """Chooses the request's language and says so (``Content-Language``, ``Vary``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        locale = negotiate(
            scope.get("query_string", b"").decode("latin-1"),
            headers.get(b"accept-language", b"").decode("latin-1"),
        )

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                if b"content-type" in names and _is_html(message):
                    message["headers"] = [
                        *message["headers"],
                        (b"content-language", SUPPORTED[locale].encode()),
                    ]
            await send(message)

        token = set_current(locale)
        path_token = _path.set(str(scope.get("path") or "/"))
        try:
            await self.app(scope, receive, send_with_language)
        finally:
            _path.reset(path_token)
            reset_current(token)


def _is_html(message: Message) -> bool:
    for name, value in message.get("headers", []):
        if name.lower() == b"content-type":
            return bool(value.lower().startswith(b"text/html"))
    return False
