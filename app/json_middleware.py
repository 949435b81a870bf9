"""Every JSON request body of the service is strict JSON (see `app.core.strictjson`)."""

from __future__ import annotations

from typing import Final

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.strictjson import strictness_problem

# Bodies larger than this are checked in a worker thread, off the event loop.
_INLINE_BYTES: Final = 256 * 1024
_JSON_MEDIA_TYPES: Final = (
    "application/json",
    "application/vc",
    "application/vp",
)


def is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in _JSON_MEDIA_TYPES or media_type.endswith("+json")


class StrictJsonMiddleware:
    """Checks JSON request bodies as the app reads them; refuses non-strict JSON with 400.

    The check runs when the last chunk arrives, inside the app's own body read, so the
    HTTPException is rendered by the one problem+json handler like any other error.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        if not is_json_media_type(content_type.decode("latin-1")):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def checked_receive() -> Message:
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(chunks)
                chunks.clear()
                if len(body) > _INLINE_BYTES:
                    problem = await anyio.to_thread.run_sync(strictness_problem, body)
                else:
                    problem = strictness_problem(body)
                if problem:
                    raise HTTPException(400, problem)
            return message

        await self.app(scope, checked_receive, send)
