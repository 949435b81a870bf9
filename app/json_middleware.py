"""Every JSON request body of the service is strict JSON (see `app.core.strictjson`).

Checked here as a whole, or by the route itself with the same strict decoder: member by
member for the routes that take their body with `spooled_body` (`app.core.json_stream`),
whole for the verification routes (`parsed_by_route`), which would otherwise parse every
body twice.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, BinaryIO, Final, cast

import anyio
from fastapi import Depends
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.strictjson import strictness_problem

# Set in the scope by `parsed_by_route`: the route parses the body strictly itself.
_ROUTE_PARSES: Final = "learnproof.body_parsed_by_route"
_SPOOL_IN_MEMORY: Final = 1024 * 1024
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
            if message["type"] != "http.request" or scope.get(_ROUTE_PARSES):
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


def parsed_by_route(request: Request) -> None:
    """Leave this request's body to its route, which parses it with `app.core.strictjson`'s
    decoder and answers non-strict JSON with 400 itself. Call before reading the body."""
    request.scope[_ROUTE_PARSES] = True


async def spooled_body(request: Request) -> AsyncIterator[BinaryIO]:
    """A FastAPI dependency: the request body in a spool file (memory up to 1 MiB, then a
    temporary file), for a route that parses it member by member with `app.core.json_stream`.
    The body is then never held whole, nor parsed here a second time.

    Declared before the route's other dependencies, it is read before any of them opens a
    database connection: a slow upload holds a socket and a spool file, never a connection
    of the pool or an open transaction. Transport errors (413 over the size limit, the client
    gone) are raised here, as for a body read whole.
    """
    parsed_by_route(request)
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.seek(0)
        yield cast(BinaryIO, spool)


def file_chunks(body: BinaryIO, size: int = 64 * 1024) -> Iterator[bytes]:
    """A spooled body read back in chunks of ``size`` bytes."""
    return iter(lambda: body.read(size), b"")


SpooledBodyDep = Annotated[BinaryIO, Depends(spooled_body)]
