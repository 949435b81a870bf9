"""No route hides another: each route, asked for with a path of its own shape, is the one
that answers (app/main.py orders its routers by traffic, busiest first)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from starlette.routing import BaseRoute, Match

from app.config import Settings
from app.main import create_app

_SAMPLES = {
    "string": "s1",
    "path": "a/b",
    "integer": "1",
    "float": "1.5",
    "uuid": str(uuid.uuid4()),
}


def _api_routes(app: FastAPI) -> Iterator[APIRoute]:
    for route in app.router.routes:
        if isinstance(route, _IncludedRouter):
            for context in route.effective_route_contexts():
                if isinstance(context.original_route, APIRoute):
                    yield context.original_route


def _resolve(app: FastAPI, method: str, path: str) -> BaseRoute | None:
    """The route Starlette's and FastAPI's matching picks for (method, path)."""
    scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": [],
             "query_string": b""}  # fmt: skip
    for route in app.router.routes:
        match, _scope = route.matches(scope)
        if match == Match.FULL:
            found: BaseRoute | None = route
            while isinstance(found, _IncludedRouter):
                _match, _child, found, _context = found._match(scope)
            return found
    return None


def _hidden(app: FastAPI) -> list[str]:
    hidden = []
    for route in _api_routes(app):
        path = route.path_format
        for name, convertor in route.param_convertors.items():
            kind = type(convertor).__name__.removesuffix("Convertor").lower()
            path = path.replace("{" + name + "}", _SAMPLES[kind])
        for method in sorted(route.methods):
            answered = _resolve(app, method, path)
            if answered is not route:
                hidden.append(f"{method} {route.path_format} -> {answered}")
    return hidden


def test_no_route_of_the_service_is_hidden_by_an_earlier_one() -> None:
    settings = Settings(env="development", database_url="sqlite:///:memory:",
                        job_worker=False, webhook_worker=False)  # fmt: skip
    app = create_app(settings)
    assert len(list(_api_routes(app))) > 100
    assert _hidden(app) == []


def test_a_hidden_route_is_found() -> None:
    # The check itself: a catch-all included first answers for the later, specific route.
    catch_all, specific = APIRouter(), APIRouter()
    catch_all.add_api_route("/things/{anything:path}", lambda anything: anything)
    specific.add_api_route("/things/{thing_id}/parts", lambda thing_id: thing_id)
    app = FastAPI()
    app.include_router(catch_all)
    app.include_router(specific)
    assert [h.split(" ->")[0] for h in _hidden(app)] == ["GET /things/{thing_id}/parts"]
