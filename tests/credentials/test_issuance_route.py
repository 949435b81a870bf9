"""`IssuanceRoute` (POST /v1/issuers/{slug}/credentials, solved in one thread) answers as
FastAPI's own handler of the same endpoint does: the same status and problem for every key,
body, media type and header, in the same order (400 for the body's JSON, then 401/403 for
the key, then one 422 for every invalid value); and a route it cannot solve fails when built.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditEvent
from app.auth.dependencies import IssuerAdminDep, IssuerIssueDep, RevokeDep
from app.auth.scopes import Scope
from app.config import Settings
from app.core.clock import FixedClock
from app.credentials import issuance_router as issuance_router_module
from app.credentials.issuance_router import IssuanceRoute
from app.credentials.issuance_router import router as issuance_router
from app.credentials.models import Credential
from app.credentials.schemas import CredentialCreate, CredentialIssued
from app.dependencies import IssuingDep, SessionDep
from app.errors import Unauthorized
from app.guards import APP_GUARDS
from app.main import create_app
from tests.conftest import TEST_PUBLIC_URL, make_key
from tests.credentials.factories import RECIPIENT, World

PLAIN = "/plain"


@pytest.fixture
def plain(app: FastAPI) -> None:
    """The same endpoint behind FastAPI's own request handler, under /plain."""
    route = next(r for r in issuance_router.routes if isinstance(r, IssuanceRoute))
    router = APIRouter()
    router.add_api_route(
        route.path, route.endpoint, methods=["POST"], status_code=201,
        response_model=CredentialIssued,
    )  # fmt: skip
    app.include_router(router, prefix=PLAIN, dependencies=[Depends(g) for g in APP_GUARDS])


def _answer(response: Any) -> tuple[int, Any]:
    if response.status_code == 201:
        return 201, sorted(response.json())
    body = response.json()
    if isinstance(body, dict):
        body.pop("request_id", None)
        body.pop("instance", None)
    return response.status_code, body


def _both(client: TestClient, path: str, content: bytes | None, headers: dict[str, str]) -> Any:
    answers = [
        _answer(client.post(prefix + path, content=content, headers=headers))
        for prefix in ("", PLAIN)
    ]
    assert answers[0] == answers[1], (path, content, headers)
    return answers[0]


@pytest.mark.usefixtures("plain")
def test_every_answer_is_fastapis_own(
    world: World, client: TestClient, session: Session, admin_headers: dict[str, str]
) -> None:
    other = World(client, session, admin_headers, slug="other-platform", name="Other")
    keys = {
        "none": {},
        "own": world.issue_headers,
        "other tenant": other.issue_headers,
        "revoke scope": world.revoke_headers,
        "admin": admin_headers,
        "unknown": {"Authorization": "Bearer lp_000000000000_nope"},
        "malformed": {"Authorization": "Bearer nope"},
        "basic": {"Authorization": "Basic dXNlcjpwYXNz"},
        "empty bearer": {"Authorization": "Bearer "},
    }
    valid = {"achievement_id": world.achievement["id"], "recipient": RECIPIENT}
    bodies: dict[str, bytes | None] = {
        "valid": json.dumps(valid).encode(),
        "empty object": b"{}",
        "wrong types": json.dumps({"achievement_id": 5, "recipient": "x"}).encode(),
        "extra field": json.dumps({**valid, "surprise": 1}).encode(),
        "list": b"[]",
        "string": b'"text"',
        "null": b"null",
        "number": b"0",
        "NaN": b'{"achievement_id": NaN}',
        "duplicate keys": b'{"recipient": {}, "recipient": {}}',
        "truncated": b'{"achievement_id": ',
        "empty": b"",
        "none": None,
        "deep": b"[" * 5_000 + b"]" * 5_000,
        "unknown achievement": json.dumps({**valid, "achievement_id": "nope"}).encode(),
        "control character": json.dumps({**valid, "recipient": {"name": "A\u0001"}}).encode(),
    }
    media_types = [
        "application/json", "application/ld+json", "application/json; charset=utf-8",
        "text/plain", "application/vc", None,
    ]  # fmt: skip
    seen: set[int] = set()
    for key in keys.values():
        for body_name, body in bodies.items():
            for media_type in media_types:
                if media_type not in ("application/json", None) and body_name != "valid":
                    continue  # every body once as JSON; each media type with the valid one
                headers = {**key, **({"Content-Type": media_type} if media_type else {})}
                status, _problem = _both(client, f"/v1/issuers/{world.slug}/credentials", body,
                                         headers)  # fmt: skip
                seen.add(status)
    # The table reached every kind of answer, or it compared less than it claims.
    assert {201, 400, 401, 403, 404, 422} <= seen


@pytest.mark.usefixtures("plain")
def test_headers_and_body_are_refused_together_after_the_key(
    world: World, client: TestClient
) -> None:
    long_key = {"Idempotency-Key": "k" * 201}
    path = f"/v1/issuers/{world.slug}/credentials"
    bad = json.dumps({"recipient": 5}).encode()
    json_type = {"Content-Type": "application/json"}

    status, problem = _both(client, path, bad, {**world.issue_headers, **long_key, **json_type})
    assert status == 422
    fields = {e["field"] for e in problem["errors"]}
    assert {"Idempotency-Key", "achievement_id", "recipient"} <= {f.split(".")[-1] for f in fields}

    assert _both(client, path, bad, {**long_key, **json_type})[0] == 401
    assert _both(client, "/v1/issuers/nobody/credentials", bad,
                 {**world.issue_headers, **json_type})[0] == 403  # fmt: skip


def test_a_failed_issuance_writes_nothing(world: World, session: Session) -> None:
    def counts() -> tuple[int, int]:
        return (
            session.scalar(select(func.count()).select_from(Credential)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )

    before = counts()
    world.issue(expected=422, credits_earned=10_000)  # more than the achievement awards
    world.issue(expected=404, achievement_id="missing")
    assert counts() == before
    world.issue()
    assert counts() == (before[0] + 1, before[1] + 1)


def test_a_nul_in_the_path_is_refused_first(world: World, client: TestClient) -> None:
    response = client.post("/v1/issuers/a%00b/credentials", json={})
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_route_it_cannot_solve_fails_when_built() -> None:
    router = APIRouter(route_class=IssuanceRoute)

    def query(
        slug: str, body: CredentialCreate, session: SessionDep, principal: IssuerIssueDep,
        issuing: IssuingDep, page: int = 0,
    ) -> Response:  # fmt: skip
        raise AssertionError("never called")

    def unbound(
        slug: str, body: CredentialCreate, session: SessionDep, principal: RevokeDep,
        issuing: IssuingDep,
    ) -> Response:  # fmt: skip
        raise AssertionError("never called")

    def no_slug(
        name: str, body: CredentialCreate, session: SessionDep, principal: IssuerAdminDep,
        issuing: IssuingDep,
    ) -> Response:  # fmt: skip
        raise AssertionError("never called")

    async def not_sync(
        slug: str, body: CredentialCreate, session: SessionDep, principal: IssuerIssueDep,
        issuing: IssuingDep,
    ) -> Response:  # fmt: skip
        raise AssertionError("never called")

    built = ((query, "/{slug}"), (unbound, "/{slug}"), (no_slug, "/{name}"), (not_sync, "/{slug}"))
    for endpoint, path in built:
        with pytest.raises(TypeError, match="IssuanceRoute"):
            router.add_api_route(path, endpoint, methods=["POST"])


def test_a_key_of_another_scope_bound_elsewhere_is_refused(
    world: World, client: TestClient, session: Session
) -> None:
    read_key = {"Authorization": f"Bearer {make_key(session, Scope.read, issuer=world.slug)}"}
    response = client.post(
        f"/v1/issuers/{world.slug}/credentials", json={"recipient": 1}, headers=read_key
    )
    assert response.status_code == 403


class _Overlap:
    """Stands for the key check: notes how many requests were inside at once, waits long
    enough for the others to arrive, then refuses the key (so no request uses the test's one
    database connection, which concurrent sessions could not share)."""

    def __init__(self) -> None:
        self.inside, self.most = 0, 0
        self.lock = threading.Lock()

    def __call__(self, *_args: Any, **_kwargs: Any) -> Any:
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.05)
        with self.lock:
            self.inside -= 1
        raise Unauthorized("counted")


@pytest.mark.parametrize("concurrency", [1, 2, 3])
def test_a_process_runs_at_most_its_issue_concurrency_at_once(
    settings: Settings, clock: FixedClock, connection: Connection,
    monkeypatch: pytest.MonkeyPatch, concurrency: int,
) -> None:  # fmt: skip
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    # Groups of one: a group would begin its transaction on the test's one connection.
    capped = settings.model_copy(update={"issue_concurrency": concurrency, "issue_group_size": 1})
    app = create_app(capped, clock=clock, session_factory=factory)
    overlap = _Overlap()
    monkeypatch.setattr(issuance_router_module, "authenticate_bearer", overlap)
    with TestClient(app, base_url=TEST_PUBLIC_URL) as client:

        def issue(_i: int) -> int:
            body = {"achievement_id": "a", "recipient": RECIPIENT}
            return client.post("/v1/issuers/s/credentials", json=body).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(issue, range(8)))
    assert statuses == [401] * 8
    assert overlap.most == concurrency
