"""Logging, request ids, Prometheus metrics and the request body limit.

The middlewares are plain ASGI so they see every response, including problem+json
errors, and add no per-request work beyond a timer and a counter.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, problem_body

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(*, as_json: bool, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if as_json:
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger("learnproof")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class Metrics:
    """Per-app registry, so several apps in one process (tests) do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "learnproof_http_requests_total",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "learnproof_http_request_duration_seconds",
            "HTTP request latency by route template and method",
            ["route", "method"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.credentials_issued = Counter(
            "learnproof_credentials_issued_total",
            "Credentials issued",
            registry=self.registry,
        )


class RequestContextMiddleware:
    """Assigns a request id, times the request and counts it by route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "-")
            self.metrics.requests.labels(template, method, str(status_holder["status"])).inc()
            self.metrics.latency.labels(template, method).observe(time.perf_counter() - started)
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuses request bodies over the limit with 413, whether or not Content-Length is sent."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        problem_type: str,
        html_page: Callable[[str], tuple[bytes, dict[str, str]]] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.problem_type = problem_type
        # Browsers (which ask for text/html) get a page they can act on, not problem+json.
        self.html_page = html_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, send)
            return
        received = 0
        exceeded = started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    # An HTTPException passes through FastAPI's body parsing untouched
                    # and stops the route; its problem+json is replaced below.
                    raise HTTPException(413, self._detail())
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # A streamed (chunked) body found too large: the answer is the same as for a
            # declared Content-Length (an HTML page for browsers), so the route's is dropped.
            if exceeded and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
        if exceeded and not started:
            await self._reject(scope, send)

    def _detail(self) -> str:
        return f"The request body exceeds the limit of {self.max_bytes} bytes."

    async def _reject(self, scope: Scope, send: Send) -> None:
        accept = dict(scope.get("headers") or []).get(b"accept", b"")
        if self.html_page is not None and b"text/html" in accept.lower():
            page, page_headers = self.html_page(self._detail())
            headers = [
                (name.lower().encode(), value.encode()) for name, value in page_headers.items()
            ]
            headers.append((b"content-type", b"text/html; charset=utf-8"))
            headers.append((b"content-length", str(len(page)).encode()))
            await send({"type": "http.response.start", "status": 413, "headers": headers})
            await send({"type": "http.response.body", "body": page})
            return
        state = scope.get("state") or {}
        body = problem_body(
            413, self._detail(), type_url=self.problem_type, request_id=state.get("request_id")
        )
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
