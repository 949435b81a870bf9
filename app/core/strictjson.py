"""Strict JSON for everything we are sent: I-JSON (RFC 7493), no NaN or Infinity.

Python's json module accepts `NaN`, `Infinity` and `-Infinity` (not JSON, RFC 8259 §6), turns
`1e400` into infinity (which no JSON response can carry), and
keeps the last of duplicate keys, where another parser may keep the first: a document that
two parsers read differently cannot be signed or verified safely. `loads` refuses both, naming
what it found; `StrictJsonMiddleware` applies it to every JSON request body of the service, in
one place, as the body is read (the route then gets a 400 problem+json).
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Bodies larger than this are checked in a worker thread, off the event loop.
_INLINE_BYTES: Final = 256 * 1024
_JSON_MEDIA_TYPES: Final = (
    "application/json",
    "application/vc",
    "application/vp",
)


class StrictJsonError(ValueError):
    """Well-formed to Python's parser but not I-JSON; the message says what and where."""


def _refuse_constant(name: str) -> Any:
    raise StrictJsonError(
        f"The JSON holds {name}, which is not a JSON number (RFC 8259); send a number, "
        "a string or null."
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise StrictJsonError(
            f"The JSON number {text[:40]} is too large for a 64-bit float (I-JSON, RFC 7493)."
        )
    return value


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise StrictJsonError(
                f"The JSON has an object with the key {key!r} more than once; duplicate keys "
                "are refused (I-JSON, RFC 7493) because parsers disagree on which one counts."
            )
        result[key] = value
    return result


def loads(text: str | bytes | bytearray) -> Any:
    """json.loads that raises `StrictJsonError` for NaN/Infinity and duplicate keys.

    Other errors are json.loads' own (ValueError subclasses, RecursionError).
    """
    return json.loads(
        text,
        object_pairs_hook=_unique_pairs,
        parse_constant=_refuse_constant,
        parse_float=_finite_float,
    )


def strictness_problem(body: bytes) -> str:
    """Why a request body is not strict JSON, or "" (also when it is not JSON at all:
    the route answers that in its own way)."""
    try:
        loads(body)
    except StrictJsonError as error:
        return str(error)
    except (ValueError, RecursionError):
        return ""
    return ""


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
