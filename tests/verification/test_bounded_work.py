"""Issue 11 item 2: bounded work per verification request (size, CPU, time, client, pool)."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyld.jsonld import JsonLdProcessor

from app.core import budget as work_budget
from app.core.budget import WorkBudget, WorkLimitExceeded
from app.crypto.errors import CanonicalizationLimitExceeded
from app.crypto.jsonld import canonize
from app.crypto.node_map import indexed_values, value_key
from app.errors import ServiceUnavailable
from app.verification.fetch import Fetcher
from app.verification.limits import VerifyLimits
from app.verification.pool import VerificationPool
from app.verification.ratelimit import CpuBudgetLimiter
from app.verification.service import Verifier
from app.verification.state import VerificationState
from bench.adversarial import blank_node_chains, blank_node_rings, many_names, presentation


def _unsigned(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def test_node_map_duplicate_checks_are_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """19,000 names cost 96 s: pyld compared each new value with every earlier one."""
    calls = 0
    original = JsonLdProcessor.compare_values

    def counting(v1: Any, v2: Any) -> bool:
        nonlocal calls
        calls += 1
        return bool(original(v1, v2))

    monkeypatch.setattr(JsonLdProcessor, "compare_values", staticmethod(counting))
    canonize(_unsigned(many_names(3000)))

    assert calls < 3000  # quadratic: about 4.5 million


def test_indexed_duplicate_checks_give_pyld_answers() -> None:
    values: list[Any] = [
        "a",
        1,
        1.0,
        True,
        False,
        0,
        {"@value": "x"},
        {"@value": "x", "@language": "en"},
        {"@value": 1, "@type": "http://t"},
        {"@value": True},
        {"@id": "http://a"},
        {"@id": "_:b"},
        {"@list": []},
        {"@value": {"j": 1}, "@type": "@json"},
    ]
    for probe in values:
        expected = any(JsonLdProcessor.compare_values(probe, v) for v in values[:-1])
        with indexed_values():
            found = JsonLdProcessor.has_value({"p": values[:-1]}, "p", probe)
        assert found == expected, probe
    assert value_key({"@value": True}) != value_key({"@value": 1})


def test_duplicate_values_canonicalize_as_before() -> None:
    document = _unsigned(many_names(5))
    document["credentialSubject"]["name"] += ["n1", "n1", "n3"]
    document["type"] += ["VerifiableCredential"]

    with_index = canonize(document)
    assert with_index.count('"n1"') == 1
    assert "n3" in with_index


def test_long_blank_node_chain_is_refused_not_a_recursion_error() -> None:
    """A 4×1,200 blank-node chain ended in RecursionError deep inside pyld."""
    with pytest.raises(CanonicalizationLimitExceeded, match="look-alike blank nodes"):
        canonize(_unsigned(blank_node_chains(1, 400)))


def test_chain_through_the_api_is_a_clear_proof_failure(client: TestClient) -> None:
    response = client.post(
        "/credentials/verify", json={"verifiableCredential": blank_node_chains(2, 400)}
    )

    assert response.status_code == 422
    checks = {c["check"]: c for c in response.json()["checks"]}
    assert "internal" not in checks
    assert "look-alike blank nodes" in checks["proof"]["reason"]


def _state(app: FastAPI, fetcher: Fetcher, **limits: Any) -> VerificationState:
    state = VerificationState(fetcher=fetcher, limits=replace(VerifyLimits(), **limits))
    app.state.verification = state
    return state


def test_request_cpu_budget_stops_a_batch_with_a_named_limit(
    app: FastAPI, client: TestClient, fetcher: Fetcher
) -> None:
    _state(app, fetcher, cpu_seconds=1e-9)

    response = client.post("/v1/verify/batch", json={"credentials": [many_names(50)] * 3})

    assert response.status_code == 200
    for result in response.json()["results"]:
        assert result["verified"] is False
        limits = [c for c in result["checks"] if c["check"] == "limits"]
        assert limits
        assert "LEARNPROOF_VERIFY_CPU_SECONDS" in limits[0]["reason"]


def test_request_cpu_budget_on_one_credential_and_a_presentation(
    app: FastAPI, client: TestClient, fetcher: Fetcher
) -> None:
    _state(app, fetcher, cpu_seconds=1e-9)

    single = client.post("/credentials/verify", json={"verifiableCredential": many_names(50)})
    presented = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation(50), "options": {"challenge": "c"}},
    )

    assert single.status_code == 422
    assert single.json()["checks"][-1]["check"] == "limits"
    assert presented.status_code == 422
    assert "LEARNPROOF_VERIFY_CPU_SECONDS" in json.dumps(presented.json()["checks"])


def test_budget_check_inside_canonicalization_stops_a_ring() -> None:
    spent = WorkBudget(cpu_seconds=1e-9, wall_seconds=60)
    verifier_input = _unsigned(blank_node_rings(2, 40))
    with work_budget.installed(spent), pytest.raises(WorkLimitExceeded, match="CPU"):
        canonize(verifier_input)  # the clocks are read every 32 checks: a ring makes more


def test_a_cancelled_budget_stops_verification(offline_verifier: Verifier) -> None:
    cancelled = WorkBudget(cpu_seconds=60, wall_seconds=60)
    cancelled.cancel()

    report = work_budget.run_within(cancelled, lambda: offline_verifier.credential(many_names(5)))

    assert not report.verified
    assert "client closed the connection" in report.failed[-1].reason


class _GoneClient:
    client = None

    async def is_disconnected(self) -> bool:
        return True


def test_work_stops_when_the_client_disconnects() -> None:
    pool = VerificationPool(
        workers=1, queue=0, cpu_limiter=CpuBudgetLimiter(capacity=10, refill_per_second=1)
    )
    progress = threading.Event()

    def endless() -> None:
        while True:  # only the budget can end this
            progress.set()
            work_budget.check()

    try:
        with pytest.raises(WorkLimitExceeded, match="client closed"):
            asyncio.run(pool.run(_GoneClient(), VerifyLimits(cpu_seconds=600), endless))  # type: ignore[arg-type]
        assert progress.is_set()
    finally:
        pool.shutdown()


def test_client_cpu_bucket_answers_429_with_retry_after(
    app: FastAPI, client: TestClient, fetcher: Fetcher
) -> None:
    state = _state(app, fetcher)
    state.pool.cpu_limiter = CpuBudgetLimiter(capacity=1e-6, refill_per_second=1e-6)
    body = {"verifiableCredential": many_names(20)}

    first = client.post("/credentials/verify", json=body)
    second = client.post("/credentials/verify", json=body)

    assert first.status_code == 422
    assert second.status_code == 429
    assert second.headers["content-type"] == "application/problem+json"
    assert int(second.headers["Retry-After"]) >= 1
    assert "LEARNPROOF_VERIFY_CLIENT_CPU_SECONDS" in second.json()["detail"]


def test_a_full_verification_pool_leaves_healthz_alone(
    app: FastAPI, client: TestClient, fetcher: Fetcher, fake_web: Any
) -> None:
    """45 slow verifications used to fill the shared threadpool; /healthz took 28 s."""
    state = _state(app, fetcher)
    state.pool.shutdown()
    state.pool = VerificationPool(
        workers=1, queue=0, cpu_limiter=CpuBudgetLimiter(capacity=100, refill_per_second=1)
    )
    entered, release = threading.Event(), threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        entered.set()
        release.wait(30)
        return httpx.Response(404)

    fake_web.handlers[("slow.example", "/.well-known/did.json")] = slow
    stuck = many_names(3)
    stuck["proof"][0]["verificationMethod"] = "did:web:slow.example#key-1"
    results: list[int] = []
    worker = threading.Thread(
        target=lambda: results.append(
            client.post("/credentials/verify", json={"verifiableCredential": stuck}).status_code
        )
    )
    worker.start()
    try:
        assert entered.wait(30)
        assert client.get("/healthz").status_code == 200
        busy = client.post("/credentials/verify", json={"verifiableCredential": many_names(3)})
        assert busy.status_code == 503
        assert busy.headers["Retry-After"]
        assert "LEARNPROOF_VERIFY_WORKERS" in busy.json()["detail"]
    finally:
        release.set()
        worker.join(30)
    assert results == [422]


def test_pool_refuses_beyond_workers_and_queue() -> None:
    pool = VerificationPool(
        workers=1, queue=0, cpu_limiter=CpuBudgetLimiter(capacity=10, refill_per_second=1)
    )
    pool.in_flight = 1
    try:
        with pytest.raises(ServiceUnavailable):
            asyncio.run(pool.run(_GoneClient(), VerifyLimits(), lambda: None))  # type: ignore[arg-type]
    finally:
        pool.shutdown()
