"""Two app instances on one database sign with the same active key (committed data)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from app import migrate
from app.auth.scopes import Scope
from app.config import Settings
from app.core.clock import FixedClock
from app.core.urls import PublicUrls
from app.issuers import service
from app.main import create_app
from tests.conftest import TEST_MASTER_KEY, TEST_PUBLIC_URL, make_key
from tests.support.issuers import ISSUER


def test_second_instance_signs_with_the_same_key(
    fresh_database_url: str, settings: Settings, clock: FixedClock
) -> None:
    migrate.upgrade(fresh_database_url)
    shared = settings.model_copy(
        update={"database_url": fresh_database_url, "master_key": SecretStr(TEST_MASTER_KEY)}
    )
    first, second = create_app(shared, clock=clock), create_app(shared, clock=clock)
    with (
        TestClient(first, base_url=TEST_PUBLIC_URL) as a,
        TestClient(second, base_url=TEST_PUBLIC_URL) as b,
    ):
        with first.state.sessionmaker() as session:
            admin = make_key(session, Scope.admin)
        headers = {"Authorization": f"Bearer {admin}"}
        assert a.post("/v1/issuers", json=ISSUER, headers=headers).status_code == 201
        signers = []
        for app in (first, second):
            with app.state.sessionmaker() as session:
                context = service.load_context(
                    session, "uni-example", urls=PublicUrls(TEST_PUBLIC_URL)
                )
                signers.append(service.active_signer(app.state.keyring, context))
        assert signers[0].key_id == signers[1].key_id
        message = b"same key on both instances"
        signature = signers[1].sign(message)
        signers[0].public_key.verify(signature, message)  # type: ignore[call-arg]
        # A rotation through instance B is what instance A signs with next.
        assert b.post("/v1/issuers/uni-example/keys", headers=headers).status_code == 201
        with first.state.sessionmaker() as session:
            context = service.load_context(session, "uni-example", urls=PublicUrls(TEST_PUBLIC_URL))
            assert service.active_signer(first.state.keyring, context).key_id.endswith("#key-2")
