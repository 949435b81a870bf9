"""Two instances on one database share the outbox without sending one attempt twice."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from pydantic import SecretStr

from app import migrate
from app.auth.scopes import Scope
from app.config import Settings
from app.core.clock import FixedClock
from app.main import create_app
from tests.conftest import TEST_MASTER_KEY, TEST_PUBLIC_URL, make_key
from tests.credentials.factories import ACHIEVEMENT, RECIPIENT
from tests.support.issuers import ISSUER
from tests.webhooks.receiver import loopback_receiver


def test_two_instances_deliver_each_event_once(
    fresh_database_url: str, settings: Settings, clock: FixedClock
) -> None:
    migrate.upgrade(fresh_database_url)
    shared = settings.model_copy(
        update={"database_url": fresh_database_url, "master_key": SecretStr(TEST_MASTER_KEY)}
    )
    first, second = create_app(shared, clock=clock), create_app(shared, clock=clock)
    with (
        loopback_receiver() as receiver,
        TestClient(first, base_url=TEST_PUBLIC_URL) as a,
        TestClient(second, base_url=TEST_PUBLIC_URL),
    ):
        receiver.delay = 0.01  # slow enough that both instances are busy at once
        with first.state.sessionmaker() as session:
            headers = {"Authorization": f"Bearer {make_key(session, Scope.admin)}"}
        assert a.post("/v1/issuers", json=ISSUER, headers=headers).status_code == 201
        slug = ISSUER["slug"]
        achievement = a.post(
            f"/v1/issuers/{slug}/achievements", json=ACHIEVEMENT, headers=headers
        ).json()
        for url in (receiver.url, receiver.url + "/second"):
            hook = {"url": url, "events": ["credential.issued"]}
            assert a.post(f"/v1/issuers/{slug}/webhooks", json=hook, headers=headers).is_success
        items = [{"achievement_id": achievement["id"], "recipient": RECIPIENT}] * 60
        issued = a.post(f"/v1/issuers/{slug}/credentials/batch", json={"items": items},
                        headers=headers)  # fmt: skip
        assert issued.json()["issued"] == 60

        attempted: list[int] = []

        def drain(app_state: object) -> None:
            attempted.append(app_state.webhooks.drain())  # type: ignore[attr-defined]

        threads = [threading.Thread(target=drain, args=(app.state,)) for app in (first, second) * 2]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert sum(attempted) == 120  # 60 events × 2 endpoints, each attempted exactly once
    assert len(receiver.received) == 120
    pairs = {(r.headers["webhook-id"], r.json["data"]["id"]) for r in receiver.received}
    assert len(pairs) == 60
    assert sum(1 for n in attempted if n > 0) >= 2  # the work was actually shared
