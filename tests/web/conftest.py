from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.credentials.factories import World
from tests.web.live import Live, live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def world(client: TestClient, session: Session, admin_headers: dict[str, str]) -> World:
    return World(client, session, admin_headers)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server(tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture
def browser() -> Iterator[Browser]:
    # Imported here: only the browser tests need Playwright.
    from tests.support.browser import launch

    with launch() as launched:
        yield launched
