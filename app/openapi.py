"""The problem responses of every route, declared in one place of the OpenAPI document.

Routes declare what is special to them (a 409 on a state change, the verification report on
a 422); what follows from how a route is built is added here, so the document lists every
status the service really answers with:

- a request body: 400 (not strict JSON, unreadable), 413 (too large), 422 (invalid);
- path, query or header parameters: 422 (invalid); query parameters also 400 (a cursor or
  date the API did not hand out);
- a path parameter: 404;
- an API key (`security`): 401 (missing or bad key), 403 (scope or issuer binding), and on
  writes 409 (the state does not allow it).

FastAPI's own 422 (`HTTPValidationError`) is replaced by the RFC 9457 problem schema that the
error handlers really send; every 4xx/5xx may be a problem, and HTML pages also answer their
own errors as pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

from fastapi import FastAPI

PROBLEM_SCHEMA: Final[dict[str, Any]] = {
    "title": "Problem",
    "description": "RFC 9457 problem details (application/problem+json).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "A URL naming the kind of problem"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong and how to fix it"},
        "instance": {"type": "string", "description": "urn:request:<request id>"},
        "errors": {
            "type": "array",
            "description": "Validation errors, one per field",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_DESCRIPTIONS: Final = {
    "400": "The request cannot be read (not strict JSON, or a cursor or date not handed out)",
    "401": "No API key, or an unknown, revoked or expired one",
    "403": "The API key lacks the scope, or is bound to another issuer",
    "404": "Nothing with that identifier (or not visible to this key)",
    "409": "The current state does not allow this",
    "413": "The request body is too large",
    "422": "The request is not valid; `errors` names each field",
}
_WRITES: Final = ("post", "put", "patch", "delete")
_DEFAULT_422 = "#/components/schemas/HTTPValidationError"


def _statuses(method: str, operation: dict[str, Any]) -> list[str]:
    places = {parameter.get("in") for parameter in operation.get("parameters", [])}
    found: set[str] = set()
    if "requestBody" in operation:
        found |= {"400", "413", "422"}
    if places & {"path", "query", "header"}:
        found.add("422")
    if "query" in places:
        found.add("400")
    if "path" in places:
        found.add("404")
    if operation.get("security"):
        found |= {"401", "403"}
        if method in _WRITES:
            found.add("409")
    return sorted(found)


def _is_page(operation: dict[str, Any]) -> bool:
    ok = operation.get("responses", {}).get("200", {})
    return "text/html" in ok.get("content", {})


def add_problem_responses(schema: dict[str, Any]) -> None:
    """Add the problem responses each operation can give (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            page = _is_page(operation)
            for status in _statuses(method, operation):
                responses.setdefault(status, {"description": _DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status[0] not in "45":
                    continue
                content = response.setdefault("content", {})
                if _DEFAULT_422 in json.dumps(content):
                    content.clear()
                    response["description"] = _DESCRIPTIONS[status]
                # Any 4xx may be a problem (validation, strict JSON, size), even where the
                # route also answers that status with its own body (a report, a page).
                content["application/problem+json"] = problem
                if page:
                    content.setdefault("text/html", {"schema": {"type": "string"}})
    if _DEFAULT_422 not in json.dumps(schema.get("paths", {})):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)


def install_problem_responses(app: FastAPI) -> None:
    """Make `app.openapi()` return the document with the problem responses added."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_problem_responses(generate())
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]
