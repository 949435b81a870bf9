"""Racing wallets on one committed database, through two engines (two app instances).

Single use and the cap on transaction-code guesses must hold when the requests arrive at the
same moment, not only one after the other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.auth.scopes import Scope
from app.auth.service import Principal
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.issuers.keystore import load_master_key
from app.issuers.signing import KeyRing
from app.wallet import service
from app.wallet.models import WalletOffer
from app.wallet.oauth import OAuthError
from app.wallet.schemas import PRE_AUTHORIZED_GRANT, TokenRequest
from tests.status.factories import StatusWorld

THREADS = 12
ADMIN = Principal(key_id="k", name="test", scope=Scope.admin, issuer_slug=None)


@dataclass
class Race:
    instances: list[sessionmaker[Session]]
    credential_id: str
    now: datetime

    def offer(self, *, tx_code: bool) -> service.NewOffer:
        with self.instances[0]() as session:
            new = service.offer_for_issuer(
                session, self.credential_id, ADMIN, tx_code=tx_code, now=self.now
            )
            session.commit()
            return new

    def redeem(self, code: str, tx_codes: list[str | None]) -> list[str]:
        """Each token request in its own committed transaction, all starting together;
        "ok" or the OAuth error's description, in order."""
        barrier = threading.Barrier(len(tx_codes))

        def attempt(number: int) -> str:
            request = TokenRequest(
                grant_type=PRE_AUTHORIZED_GRANT, pre_authorized_code=code, tx_code=tx_codes[number]
            )
            barrier.wait()
            with self.instances[number % 2]() as session:
                try:
                    service.redeem(session, request, now=self.now)
                    outcome = "ok"
                except OAuthError as error:
                    outcome = error.description
                session.commit()  # as the route does: a wrong code stays counted
                return outcome

        with ThreadPoolExecutor(len(tx_codes)) as pool:
            return list(pool.map(attempt, range(len(tx_codes))))

    def attempts(self, offer_id: str) -> int:
        with self.instances[0]() as session:
            offer = session.get(WalletOffer, offer_id)
            assert offer is not None
            return offer.tx_code_attempts


@pytest.fixture
def race(fresh_database_url: str, settings: Settings, now: datetime) -> Iterator[Race]:
    migrate.upgrade(fresh_database_url)
    engines = [make_engine(fresh_database_url, pool_size=THREADS) for _ in range(2)]
    try:
        factories = [make_sessionmaker(engine) for engine in engines]
        with factories[0]() as session:
            world = StatusWorld.create(session, KeyRing(load_master_key(settings)), now)
            credential_id = world.credential().id
            session.commit()
        yield Race(factories, credential_id, now)
    finally:
        for engine in engines:
            engine.dispose()


def test_a_code_redeemed_by_many_at_once_gives_one_token(race: Race) -> None:
    new = race.offer(tx_code=False)
    outcomes = race.redeem(new.code, [None] * THREADS)
    assert outcomes.count("ok") == 1, outcomes
    assert all("already used" in o for o in outcomes if o != "ok"), outcomes


def test_parallel_guesses_get_five_attempts_in_all(race: Race) -> None:
    new = race.offer(tx_code=True)
    assert new.tx_code is not None
    wrong = f"{(int(new.tx_code) + 1) % 1_000_000:06d}"
    outcomes = race.redeem(new.code, [wrong] * THREADS)
    assert sum("transaction code is wrong" in o for o in outcomes) == 5, outcomes
    assert race.attempts(new.record.id) == 5
    assert race.redeem(new.code, [new.tx_code]) != ["ok"]


@pytest.mark.parametrize(
    ("tx_code", "behind_its_back"),
    [(False, {"redeemed_at": "now"}), (True, {"tx_code_attempts": 5})],
)
def test_the_conditional_updates_decide_not_the_row_read_before(
    session: Session,
    settings: Settings,
    now: datetime,
    tx_code: bool,
    behind_its_back: dict[str, object],
) -> None:
    """What SQLite's whole-transaction lock hides: the row read first may be stale."""
    world = StatusWorld.create(session, KeyRing(load_master_key(settings)), now)
    new = service.offer_for_issuer(session, world.credential().id, ADMIN, tx_code=tx_code, now=now)
    session.refresh(new.record)  # every column loaded: what this instance has read
    values = {k: now if v == "now" else v for k, v in behind_its_back.items()}
    # Another instance redeems or burns the offer after this session has loaded it.
    session.connection().execute(
        update(WalletOffer).where(WalletOffer.id == new.record.id).values(**values)
    )
    request = TokenRequest(
        grant_type=PRE_AUTHORIZED_GRANT, pre_authorized_code=new.code, tx_code=new.tx_code
    )
    with pytest.raises(OAuthError) as caught:
        service.redeem(session, request, now=now)
    assert caught.value.error == "invalid_grant"
