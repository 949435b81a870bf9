"""kill -9 of a serving process in the middle of batches and deliveries loses no event.

A real `learnproof serve` subprocess on 127.0.0.1 (a random port) with its delivery worker
on: a 1,000-item batch is issued; while its deliveries are in flight a second 1,000-item
batch starts, and two seconds later the process is killed with SIGKILL. After a restart,
every stored credential's ``credential.issued`` event reaches the receiver at least once,
and no event names a credential that was not stored.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.credentials.factories import ACHIEVEMENT
from tests.support.issuers import ISSUER
from tests.support.serving import BIN, free_port, serve_environment
from tests.webhooks.receiver import Receiver, loopback_receiver

pytestmark = pytest.mark.slow
DEADLINE_SECONDS = 420  # generous: the machine may be shared; it usually takes 1–3 minutes


def _environment(database_url: str, tmp_path: Path, port: int) -> dict[str, str]:
    # A short timeout gives a short lease (3 × timeout + 5 s): the killed process's
    # claimed deliveries are taken over within seconds.
    return serve_environment(
        database_url, tmp_path, port, fetch_allow_hosts="127.0.0.1", job_worker="false",
        webhook_worker="true", webhook_timeout_seconds="2",
    )  # fmt: skip


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"serve did not start: {log.read_text()[-2000:]}")


def _items(prefix: str, achievement_id: str) -> list[dict[str, Any]]:
    return [
        {
            "achievement_id": achievement_id,
            "recipient": {"name": f"Learner {i}", "email": f"{prefix}{i}@example.org"},
            "external_id": f"{prefix}-{i}",
        }
        for i in range(1_000)
    ]


def _stored_ids(base: str, slug: str, headers: dict[str, str]) -> set[str]:
    ids: set[str] = set()
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(
            f"{base}/v1/issuers/{slug}/credentials", params=params, headers=headers, timeout=60
        ).json()
        ids |= {item["id"] for item in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


def _mark(what: str, started: float) -> None:
    print(f"{time.monotonic() - started:7.1f}s {what}", file=sys.stderr)  # noqa: T201


def _issued_ids(receiver: Receiver) -> set[str]:
    return {r.json["data"]["id"] for r in receiver.of_type("credential.issued")}


def test_kill_9_during_a_batch_loses_no_issued_event(
    fresh_database_url: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    port = free_port()
    env = _environment(fresh_database_url, tmp_path, port)
    log = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    created = subprocess.run(
        [str(BIN), "apikey", "create", "--name", "crash", "--scope", "admin"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}

    with loopback_receiver() as receiver:
        receiver.delay = 0.005
        server = _serve(env, port, log)
        try:
            assert httpx.post(f"{base}/v1/issuers", json=ISSUER, headers=headers).status_code == 201
            slug = ISSUER["slug"]
            achievement = httpx.post(
                f"{base}/v1/issuers/{slug}/achievements", json=ACHIEVEMENT, headers=headers
            ).json()
            hook = httpx.post(
                f"{base}/v1/issuers/{slug}/webhooks",
                json={"url": receiver.url, "events": ["credential.issued"]},
                headers=headers,
            ).json()
            first = httpx.post(
                f"{base}/v1/issuers/{slug}/credentials/batch",
                json={"items": _items("a", achievement["id"])}, headers=headers, timeout=300,
            )  # fmt: skip
            assert first.status_code == 200, first.text
            assert first.json()["issued"] == 1_000
            _mark("first batch issued", started)

            def second_batch() -> None:
                try:
                    httpx.post(
                        f"{base}/v1/issuers/{slug}/credentials/batch",
                        json={"items": _items("b", achievement["id"])}, headers=headers,
                        timeout=300,
                    )  # fmt: skip
                except httpx.HTTPError:
                    pass  # killed under it: its transaction never committed

            while len(_issued_ids(receiver)) < 50:
                assert time.monotonic() - started < DEADLINE_SECONDS, "no deliveries"
                time.sleep(0.05)
            # Deliveries of the first batch are in flight; the second batch starts, and the
            # process dies under both.
            runner = threading.Thread(target=second_batch, daemon=True)
            runner.start()
            time.sleep(2)
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)
            _mark(f"killed with {len(_issued_ids(receiver))} delivered", started)
            delivered_before_kill = len(_issued_ids(receiver))
            runner.join(timeout=30)
            assert delivered_before_kill < 1_000, "deliveries were not in flight at the kill"

            server = _serve(env, port, log)
            stored = _stored_ids(base, slug, headers)
            _mark(f"restarted; {len(stored)} stored", started)
            assert len(stored) in (1_000, 2_000)  # the second batch is all or nothing
            while not stored <= _issued_ids(receiver):
                missing = len(stored - _issued_ids(receiver))
                assert time.monotonic() - started < DEADLINE_SECONDS, f"{missing} never arrived"
                time.sleep(0.2)
            _mark("all delivered", started)
        finally:
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)

    assert _issued_ids(receiver) == stored  # none missing, none invented
    webhook = Webhook(hook["secret"])
    for received in receiver.received:
        assert webhook.verify(received.body, received.headers)["type"] == "credential.issued"
