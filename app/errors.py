"""The one error tree and its RFC 9457 problem+json rendering.

Exception tree::

    AppError                 status 500, the base of every domain error
    ├── BadRequest           400
    ├── Unauthorized         401 (carries WWW-Authenticate)
    ├── Forbidden            403
    ├── NotFound             404
    ├── Conflict             409
    ├── PayloadTooLarge      413
    ├── InvalidInput         422 (optionally naming the offending field)
    ├── TooManyRequests      429 (with Retry-After)
    └── ServiceUnavailable   503 (with Retry-After when given)

Handlers translate these, FastAPI's validation errors, Starlette's HTTP errors and any
unexpected exception into ``application/problem+json`` with ``type``, ``title``,
``status`` and ``detail``; nothing else (no stack trace) leaves the process.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("learnproof.errors")

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_SLUGS = {code: title.lower().replace(" ", "-") for code, title in _TITLES.items()}


class AppError(Exception):
    status: int = 500
    slug: str = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        type_url: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.type_url = type_url
        self.extra = extra or {}
        self.headers = dict(headers or {})


class BadRequest(AppError):
    status = 400
    slug = "bad-request"


class Unauthorized(AppError):
    status = 401
    slug = "unauthorized"


class Forbidden(AppError):
    status = 403
    slug = "forbidden"


class NotFound(AppError):
    status = 404
    slug = "not-found"


class Conflict(AppError):
    status = 409
    slug = "conflict"


class PayloadTooLarge(AppError):
    status = 413
    slug = "payload-too-large"


class InvalidInput(AppError):
    status = 422
    slug = "invalid-input"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        type_url: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        merged = dict(extra or {})
        if field is not None:
            merged.setdefault("errors", [{"field": field, "message": detail}])
        super().__init__(detail, type_url=type_url, extra=merged)


class TooManyRequests(AppError):
    status = 429
    slug = "too-many-requests"


class ServiceUnavailable(AppError):
    status = 503
    slug = "service-unavailable"


def problem_body(
    status: int,
    detail: str,
    *,
    type_url: str,
    request_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The RFC 9457 body of every problem answer, also those sent below FastAPI's handlers."""
    body: dict[str, Any] = {
        "type": type_url,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request_id:
        body["instance"] = f"urn:request:{request_id}"
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return body


def problem_response(
    problems: str,
    request: Request,
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    type_url: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    body = problem_body(
        status,
        detail,
        type_url=type_url or f"{problems}/{slug or _SLUGS.get(status, 'error')}",
        request_id=request_id,
        extra=extra,
    )
    all_headers = dict(headers or {})
    if request_id:
        # Set here too: a 500 leaves through Starlette's outermost middleware,
        # past the one that stamps request ids on ordinary responses.
        all_headers["X-Request-ID"] = request_id
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=all_headers
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:] if len(parts) > 1 else parts
    return ".".join(parts)


async def _app_error(problems: str, request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = dict(exc.headers)
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return problem_response(
        problems,
        request,
        exc.status,
        exc.detail,
        slug=exc.slug,
        type_url=exc.type_url,
        extra=exc.extra,
        headers=headers,
    )


def _json_problem(err: Mapping[str, Any], document: Any) -> dict[str, Any]:
    """Where a malformed JSON body breaks, in words: line, column and what was expected."""
    loc = err.get("loc", ())
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    reason = str((err.get("ctx") or {}).get("error") or "it is not valid JSON")
    # json's messages read "Expecting ',' delimiter"; the sentence wants "expected …".
    reason = reason[0].lower() + reason[1:] if reason else reason
    reason = reason.replace("expecting ", "expected ", 1)
    if position is None or not isinstance(document, str | bytes):
        return {"field": "body", "message": f"The body is not valid JSON: {reason}."}
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    message = f"The body is not valid JSON: at line {line}, column {column}, {reason}."
    return {"field": "body", "message": message, "line": line, "column": column}


async def _validation_error(problems: str, request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    malformed = [err for err in exc.errors() if err.get("type") == "json_invalid"]
    if malformed:
        problem = _json_problem(malformed[0], exc.body)
        return problem_response(
            problems,
            request,
            422,
            problem["message"],
            slug="invalid-input",
            extra={"errors": [problem]},
        )
    errors = [
        {"field": _field_name(err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
        for err in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem_response(
        problems,
        request,
        422,
        f"The request is not valid: {summary}",
        slug="invalid-input",
        extra={"errors": errors},
    )


async def _http_error(problems: str, request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"Nothing is published at {request.url.path}."
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    return problem_response(problems, request, exc.status_code, detail, headers=exc.headers)


async def _unexpected_error(problems: str, request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "-")
    log.exception("unexpected error handling request %s", request_id)
    return problem_response(
        problems,
        request,
        500,
        f"An unexpected error occurred; quote request id {request_id} when reporting it.",
        slug="internal-error",
    )


def install_error_handlers(app: FastAPI, problems: str) -> None:
    """``problems``: the base of every problem ``type`` (`PublicUrls.problems`)."""
    for error, handler in (
        (AppError, _app_error),
        (RequestValidationError, _validation_error),
        (StarletteHTTPException, _http_error),
        (Exception, _unexpected_error),
    ):
        app.add_exception_handler(error, partial(handler, problems))
