"""Awards: only when met, once per learner and pathway — also when requests race on one
database through two app instances."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import migrate
from app.auth.scopes import Scope
from app.config import Settings
from app.core.clock import FixedClock
from app.credentials.models import Credential
from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.pathways.models import PathwayAward
from tests.conftest import TEST_PUBLIC_URL, make_key
from tests.pathways.factories import LEARNER, Bank

THREADS = 6


def _award(client: TestClient, bank: Bank, pathway: dict[str, Any], body: dict[str, Any]) -> Any:
    return client.post(
        f"/v1/issuers/{bank.college.slug}/pathways/{pathway['id']}/award",
        json=body,
        headers=bank.college.issue_headers,
    )


def _count(session: Session, model: Any, *where: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_nothing_is_awarded_or_stored_when_not_met(bank: Bank, session: Session) -> None:
    pathway = bank.pathway()
    python = bank.mooc.issue(bank.python)["credential"]
    response = _award(bank.client, bank, pathway, {"recipient": LEARNER, "credentials": [python]})
    assert response.status_code == 422
    assert response.json()["evaluation"]["missing"]
    assert _count(session, PathwayAward) == 0
    college = bank.client.get(
        f"/v1/issuers/{bank.college.slug}/credentials", headers=bank.college.issue_headers
    ).json()
    assert college["items"] == []


def test_credentials_of_someone_else_do_not_count(bank: Bank) -> None:
    pathway = bank.pathway()
    bank.rule(pathway)
    other = {"name": "Mallory", "email": "mallory@example.org"}
    credentials = [
        bank.mooc.issue(bank.python, recipient=other)["credential"],
        bank.mooc.issue(bank.web)["credential"],
        bank.outside_databases(),
    ]
    response = _award(
        bank.client, bank, pathway, {"recipient": LEARNER, "credentials": credentials}
    )
    assert response.status_code == 422, response.text
    first = response.json()["evaluation"]["credentials"][0]
    assert not first["counted"]
    assert "someone else" in first["reason"]
    # The same credentials evaluated publicly (no recipient) do meet it.
    assert bank.evaluate(pathway, credentials)["met"]


def test_award_to_a_did_and_keys_of_other_issuers(bank: Bank, now: Any) -> None:
    pathway = bank.pathway(requirements=[{"achievement": bank.python["id"]}], min_credits=None)
    learner = {
        "name": "Grace Hopper",
        "did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    }
    python = bank.mooc.issue(bank.python, recipient=learner)["credential"]
    body = {"recipient": learner, "credentials": [python]}
    assert _award(bank.client, bank, pathway, body).status_code == 201
    foreign = bank.client.post(
        f"/v1/issuers/{bank.college.slug}/pathways/{pathway['id']}/award",
        json=body,
        headers=bank.mooc.issue_headers,
    )
    assert foreign.status_code == 403
    wrong_slug = bank.client.post(
        f"/v1/issuers/{bank.mooc.slug}/pathways/{pathway['id']}/award",
        json=body,
        headers=bank.mooc.issue_headers,
    )
    assert wrong_slug.status_code == 404
    too_many = {"recipient": learner, "credentials": [python] * 101}
    assert _award(bank.client, bank, pathway, too_many).status_code == 422


@pytest.fixture
def two_instances(
    fresh_database_url: str, settings: Settings, clock: FixedClock
) -> Iterator[tuple[TestClient, TestClient, Session]]:
    migrate.upgrade(fresh_database_url)
    shared = settings.model_copy(update={"database_url": fresh_database_url})
    engine = make_engine(fresh_database_url)
    try:
        with (
            TestClient(create_app(shared, clock=clock), base_url=TEST_PUBLIC_URL) as first,
            TestClient(create_app(shared, clock=clock), base_url=TEST_PUBLIC_URL) as second,
            make_sessionmaker(engine)() as session,
        ):
            yield first, second, session
    finally:
        engine.dispose()


def test_racing_awards_give_one_credential(
    two_instances: tuple[TestClient, TestClient, Session], now: Any
) -> None:
    first, second, session = two_instances
    admin = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
    bank = Bank(first, session, admin, now)
    pathway = bank.pathway()
    bank.rule(pathway)
    credentials = [
        bank.mooc.issue(bank.python)["credential"],
        bank.mooc.issue(bank.web)["credential"],
        bank.outside_databases(),
    ]
    body = {"recipient": LEARNER, "credentials": credentials}
    barrier = threading.Barrier(THREADS)

    def attempt(number: int) -> Any:
        barrier.wait()
        return _award(first if number % 2 else second, bank, pathway, body)

    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(attempt, range(THREADS)))
    assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201], [
        r.text for r in responses if r.status_code not in (200, 201)
    ]
    assert len({r.json()["credential_id"] for r in responses}) == 1
    session.expire_all()
    assert _count(session, PathwayAward) == 1
    target = bank.qualification["id"]
    assert _count(session, Credential, Credential.achievement_id == target) == 1
