"""Fixtures: a fake internet (httpx.MockTransport) serving the third-party `served/` folders.

Requests reach the transport pinned to the address the fetcher checked, with the original
host in `Host`, so the fake web answers by `Host` header and path. Host names resolve through
`FakeDns`: public names get a documentation-free public address, a few names are private.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.verification.fetch import Fetcher
from app.verification.resolver import Resolver
from app.verification.service import Verifier
from app.verification.state import VerificationState
from tests.credentials.factories import World

THIRD_PARTY = Path(__file__).resolve().parents[1] / "vectors" / "interop" / "third-party"
VECTORS = THIRD_PARTY.parent.parent
JOSE_ISSUER = "https://example.issuer/vc-jose-cose"
PUBLIC_ADDRESS = "93.184.216.34"
MANIFEST_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


class FakeDns:
    """Host name → addresses; every name not listed is public."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {
            "intranet.example": ["10.1.2.3"],
            "localhost": ["127.0.0.1", "::1"],
            "rebind.example": [PUBLIC_ADDRESS, "127.0.0.1"],
            "metadata.example": ["169.254.169.254"],
        }

    def __call__(self, host: str, port: int) -> list[str]:
        return self.names.get(host, [PUBLIC_ADDRESS])


class FakeWeb:
    """Serves files by (host, path); records every request it receives."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], tuple[bytes, dict[str, str]]] = {}
        self.requests: list[httpx.Request] = []
        self.handlers: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = {}
        for source in THIRD_PARTY.iterdir():
            served = source / "served"
            if not served.is_dir():
                continue
            for path in served.rglob("*"):
                if path.is_file():
                    url_path = "/" + path.relative_to(served).as_posix()
                    self.add("*", url_path, path.read_bytes())
        jwks = json.loads(
            (THIRD_PARTY / "w3c-vc-jose-cose-test-suite/served/jwks.json").read_bytes()
        )
        self.add_json(
            "example.issuer",
            "/.well-known/jwt-vc-issuer/vc-jose-cose",
            {"issuer": JOSE_ISSUER, "jwks": jwks},
        )

    def add(self, host: str, path: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.files[(host, path)] = (body, {"content-type": "application/json", **(headers or {})})

    def add_json(self, host: str, path: str, document: Any, **headers: str) -> None:
        self.add(host, path, json.dumps(document).encode(), headers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host = request.headers["host"].split(":")[0]
        handler = self.handlers.get((host, request.url.path))
        if handler is not None:
            return handler(request)
        found = self.files.get((host, request.url.path)) or self.files.get(("*", request.url.path))
        if found is None:
            return httpx.Response(404)
        body, headers = found
        return httpx.Response(200, content=body, headers=headers)


@pytest.fixture
def fake_web() -> FakeWeb:
    return FakeWeb()


@pytest.fixture
def fake_dns() -> FakeDns:
    return FakeDns()


@pytest.fixture
def http_client(fake_web: FakeWeb) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(fake_web)) as client:
        yield client


@pytest.fixture
def fetcher(http_client: httpx.Client, fake_dns: FakeDns) -> Fetcher:
    return Fetcher(
        http_client,
        allow_hosts=[],
        max_bytes=200_000,
        timeout_seconds=2,
        resolve_host=fake_dns,
    )


@pytest.fixture
def offline_verifier(fetcher: Fetcher) -> Verifier:
    """A verifier without our database, at the instant the manifest verdicts assume."""
    return Verifier(resolver=Resolver(fetcher), now=MANIFEST_NOW)


@pytest.fixture
def verification_state(app: FastAPI, fetcher: Fetcher) -> VerificationState:
    """The app's verification state, fetching from the fake web."""
    state = VerificationState(fetcher=fetcher)
    app.state.verification = state
    return state


def load_vector(relative: str) -> Any:
    path = THIRD_PARTY / relative
    text = path.read_text(encoding="utf-8")
    return text.strip() if path.suffix in (".jwt", ".txt") else json.loads(text)


@pytest.fixture
def world(client: TestClient, session: Session, admin_headers: dict[str, str]) -> World:
    return World(client, session, admin_headers)
