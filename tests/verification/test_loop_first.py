"""`POST /credentials/verify` tries one credential on the event loop first; whatever would
wait (a fetch, JSON-LD processing) or take more than `LOOP_CPU_SECONDS` of CPU runs again in
the verification pool, with the same report. Batches and presentations use the pool."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app import migrate
from app.config import Settings
from app.core import budget
from app.crypto.data_integrity import add_proof
from app.main import create_app
from app.verification import pool as verification_pool
from app.verification.ratelimit import CpuBudgetLimiter
from app.verification.state import VerificationState
from bench.adversarial import blank_node_chains, many_names
from tests.conftest import TEST_PUBLIC_URL
from tests.credentials.factories import World
from tests.support.remote_status import LIST_URL, NOW, V2, did_key_signer
from tests.verification.conftest import FakeWeb


class Submissions:
    """Counts the work handed to the verification pool's threads."""

    def __init__(self, state: VerificationState) -> None:
        self.count = 0
        executor = state.pool.executor
        submit = executor.submit

        def counted(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return submit(fn, *args, **kwargs)

        executor.submit = counted  # type: ignore[method-assign]


@pytest.fixture
def submissions(
    app: FastAPI, client: TestClient, verification_state: VerificationState
) -> Submissions:
    """With read sessions apart from the writers', as `serve` has them on PostgreSQL (the
    tests' sessions share the test's connection)."""
    app.state.reads_apart = True
    return Submissions(verification_state)


def _verify(world: World, credential: Any) -> dict[str, Any]:
    response = world.client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert response.status_code in (200, 422), response.text
    body: dict[str, Any] = response.json()
    return body


def test_our_credential_is_verified_on_the_loop(world: World, submissions: Submissions) -> None:
    vc = world.issue()["credential"]
    # The first one of its shape may need JSON-LD processing (in the pool) ...
    assert _verify(world, vc)["verified"] is True
    before = submissions.count
    # ... and then it is a few ms on the event loop: no thread.
    for _ in range(3):
        assert _verify(world, vc)["verified"] is True
    assert submissions.count == before


def test_a_credential_that_needs_a_fetch_goes_to_the_pool(
    world: World, submissions: Submissions, fake_web: FakeWeb
) -> None:
    did, signer = did_key_signer()
    credential = add_proof(
        {
            "@context": [V2],
            "type": ["VerifiableCredential"],
            "issuer": did,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner"},
            "credentialStatus": {
                "id": f"{LIST_URL}#7",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "7",
                "statusListCredential": LIST_URL,
            },
        },
        signer,
        created=NOW,
    )
    body = _verify(world, credential)
    # The list was not served: the report says so, from the pool's try, not from the loop's.
    status = next(c for c in body["checks"] if c["check"] == "status")
    assert status["outcome"] == "failed"
    assert "404" in status["reason"]
    assert submissions.count == 1
    assert len(fake_web.requests) == 1


def test_work_over_the_loops_cpu_goes_to_the_pool(
    world: World, submissions: Submissions, monkeypatch: pytest.MonkeyPatch
) -> None:
    vc = world.issue()["credential"]
    _verify(world, vc)
    before = submissions.count
    monkeypatch.setattr(verification_pool, "LOOP_CPU_SECONDS", 1e-9)
    assert _verify(world, vc)["verified"] is True
    assert submissions.count == before + 1


def test_without_read_connections_of_its_own_it_stays_in_the_pool(
    app: FastAPI, world: World, submissions: Submissions
) -> None:
    """SQLite: writers waiting for the database hold connections of the readers' pool, and
    a verification waiting for one on the event loop would stall the whole process."""
    app.state.reads_apart = False
    vc = world.issue()["credential"]
    _verify(world, vc)
    before = submissions.count
    assert _verify(world, vc)["verified"] is True
    assert submissions.count == before + 1


def test_serve_reads_apart_on_postgresql_only(settings: Settings, fresh_database_url: str) -> None:
    migrate.upgrade(fresh_database_url)
    app = create_app(settings.model_copy(update={"database_url": fresh_database_url}))
    with TestClient(app, base_url=TEST_PUBLIC_URL):
        assert app.state.reads_apart is fresh_database_url.startswith("postgresql")


def test_batches_and_presentations_use_the_pool(world: World, submissions: Submissions) -> None:
    vc = world.issue()["credential"]
    response = world.client.post("/v1/verify/batch", json={"credentials": [vc]})
    assert response.status_code == 200, response.text
    response = world.client.post(
        "/presentations/verify",
        json={"presentation": {"@context": [V2], "type": ["VerifiablePresentation"]}},
    )
    assert response.status_code in (200, 422), response.text
    assert submissions.count == 2


def test_a_loop_budget_refuses_to_wait_and_to_run_long() -> None:
    with budget.installed(budget.LoopBudget(cpu_seconds=0.001)):
        with pytest.raises(budget.WouldBlock, match="fetching"):
            budget.about_to_wait("fetching x")
    with budget.installed(budget.WorkBudget(cpu_seconds=1, wall_seconds=1)):
        budget.about_to_wait("fetching x")  # in a thread, waiting is allowed
    budget.about_to_wait("fetching x")  # and with no budget at all
    tried = budget.LoopBudget(cpu_seconds=0.001)
    started = time.thread_time()
    while time.thread_time() - started < 0.002:
        pass
    with pytest.raises(budget.WouldBlock, match="CPU"):
        tried.check_now()


def test_would_block_is_not_an_exception() -> None:
    """The verifier turns any Exception of a check into a failed check; not this one."""
    assert not issubclass(budget.WouldBlock, Exception)


def test_hostile_credentials_tried_on_the_loop_end_in_the_pool(
    world: World, submissions: Submissions
) -> None:
    """A blank-node chain needs JSON-LD processing: the loop's try stops at once, and the
    pool's gives the same clear failure as before, never a 500."""
    chain = world.client.post(
        "/credentials/verify", json={"verifiableCredential": blank_node_chains(2, 400)}
    )
    assert chain.status_code == 422
    checks = {c["check"]: c for c in chain.json()["checks"]}
    assert "internal" not in checks
    assert "look-alike blank nodes" in checks["proof"]["reason"]
    assert submissions.count == 1


def test_the_request_budget_and_the_clients_bucket_still_bound_it(
    app: FastAPI, world: World, submissions: Submissions, verification_state: VerificationState
) -> None:
    verification_state.limits = replace(verification_state.limits, cpu_seconds=1e-9)
    single = world.client.post("/credentials/verify", json={"verifiableCredential": many_names(50)})
    assert single.status_code == 422
    assert "LEARNPROOF_VERIFY_CPU_SECONDS" in single.json()["checks"][-1]["reason"]

    verification_state.limits = replace(verification_state.limits, cpu_seconds=2)
    verification_state.pool.cpu_limiter = CpuBudgetLimiter(capacity=1e-6, refill_per_second=1e-6)
    vc = world.issue()["credential"]
    first = world.client.post("/credentials/verify", json={"verifiableCredential": vc})
    second = world.client.post("/credentials/verify", json={"verifiableCredential": vc})
    assert first.status_code == 200
    # The loop's CPU is charged to the client like the pool's.
    assert second.status_code == 429
    assert "LEARNPROOF_VERIFY_CLIENT_CPU_SECONDS" in second.json()["detail"]
