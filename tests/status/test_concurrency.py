"""Two app instances (two engines) on one committed database, many threads at once.

On PostgreSQL the list row lock is what keeps indexes unique and bits from being lost; on
SQLite ``BEGIN IMMEDIATE`` serializes the writers. Either way the checks below must hold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.achievements.models import Achievement
from app.config import Settings
from app.core.urls import PublicUrls
from app.credentials import lifecycle
from app.credentials.models import Credential
from app.db import make_engine, make_sessionmaker
from app.issuers import service as issuer_service
from app.issuers.keystore import load_master_key
from app.issuers.signing import KeyRing
from app.status.allocation import reserve_in_blocks
from app.status.bitstring import Bitstring
from app.status.lists import LIST_SIZE
from app.status.models import StatusEntry, StatusList
from tests.conftest import TEST_PUBLIC_URL
from tests.status.factories import StatusWorld, make_credential

THREADS = 12
PER_THREAD = 10


@dataclass
class Shared:
    instances: list[sessionmaker[Session]]
    plain_id: str
    suspendable_id: str
    now: datetime

    def run(self, work: Callable[[Session, int], None], jobs: int) -> None:
        """Run ``work(session, job)`` for each job, in its own committed transaction,
        spread over both instances, all threads starting together."""
        barrier = threading.Barrier(THREADS)

        def thread(number: int) -> None:
            factory = self.instances[number % 2]
            barrier.wait()
            for job in range(number, jobs, THREADS):
                with factory() as session:
                    work(session, job)
                    session.commit()

        with ThreadPoolExecutor(THREADS) as pool:
            for future in [pool.submit(thread, n) for n in range(THREADS)]:
                future.result()


@pytest.fixture
def shared(fresh_database_url: str, settings: Settings, now: datetime) -> Iterator[Shared]:
    migrate.upgrade(fresh_database_url)
    engines = [make_engine(fresh_database_url, pool_size=THREADS) for _ in range(2)]
    try:
        factories = [make_sessionmaker(engine) for engine in engines]
        with factories[0]() as session:
            world = StatusWorld.create(session, KeyRing(load_master_key(settings)), now)
            session.commit()
            yield Shared(factories, world.plain.id, world.suspendable.id, now)
    finally:
        for engine in engines:
            engine.dispose()


def _issue(
    shared: Shared, *, suspendable_every: int = 0, reserve: bool = False
) -> Callable[[Session, int], None]:
    def work(session: Session, job: int) -> None:
        context = issuer_service.load_context(
            session, "uni-example", urls=PublicUrls(TEST_PUBLIC_URL)
        )
        suspendable = suspendable_every and job % suspendable_every == 0
        achievement_id = shared.suspendable_id if suspendable else shared.plain_id
        achievement = session.get_one(Achievement, achievement_id)
        # As the API does: the index reserved in a short transaction of the same instance.
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        reserve_with = make_sessionmaker(engine) if reserve else None
        make_credential(session, context, achievement, now=shared.now, reserve_with=reserve_with)

    return work


def _check_consistent(session: Session) -> None:
    duplicates = session.execute(
        select(StatusEntry.list_id, StatusEntry.index)
        .group_by(StatusEntry.list_id, StatusEntry.index)
        .having(func.count() > 1)
    ).all()
    assert duplicates == []
    for status_list in session.scalars(select(StatusList)):
        entries = session.scalar(select(func.count()).where(StatusEntry.list_id == status_list.id))
        assert status_list.allocated_count == entries
        assert Bitstring.from_bytes(status_list.occupancy).count() == entries


def test_concurrent_issuance_on_two_instances_never_duplicates_an_index(shared: Shared) -> None:
    jobs = THREADS * PER_THREAD

    shared.run(_issue(shared, suspendable_every=3), jobs)

    with shared.instances[0]() as session:
        _check_consistent(session)
        lists = session.execute(select(StatusList.purpose, StatusList.number)).all()
        # All raced to open list 1 at the start; exactly one list per purpose was created.
        assert sorted(lists) == [("revocation", 1), ("suspension", 1)]
        assert session.scalar(select(func.count()).select_from(StatusEntry)) == jobs + jobs // 3


def test_reserving_in_separate_transactions_never_duplicates_an_index(shared: Shared) -> None:
    jobs = THREADS * PER_THREAD

    shared.run(_issue(shared, suspendable_every=3, reserve=True), jobs)

    with shared.instances[0]() as session:
        _check_consistent(session)
        assert session.scalar(select(func.count()).select_from(StatusEntry)) == jobs + jobs // 3


def test_blocks_of_reserved_indexes_are_never_shared_between_instances(
    shared: Shared,
) -> None:
    # As create_app does on PostgreSQL: each instance reserves with sessions of its own,
    # a block at a time; 120 credentials take several blocks per instance and purpose.
    if shared.instances[0].kw["bind"].dialect.name == "sqlite":
        pytest.skip("SQLite reserves in the issuing transaction (one writer at a time)")
    block = 7
    reservations = []
    for factory in shared.instances:
        engine = factory.kw["bind"]
        assert isinstance(engine, Engine)
        reservations.append(make_sessionmaker(engine))
        reserve_in_blocks(reservations[-1], block)

    def work(session: Session, job: int) -> None:
        context = issuer_service.load_context(
            session, "uni-example", urls=PublicUrls(TEST_PUBLIC_URL)
        )
        suspendable = job % 3 == 0
        achievement = session.get_one(
            Achievement, shared.suspendable_id if suspendable else shared.plain_id
        )
        reserve_with = reservations[0 if session.get_bind() is reservations[0].kw["bind"] else 1]
        make_credential(session, context, achievement, now=shared.now, reserve_with=reserve_with)

    jobs = THREADS * PER_THREAD
    shared.run(work, jobs)

    with shared.instances[0]() as session:
        duplicates = session.execute(
            select(StatusEntry.list_id, StatusEntry.index)
            .group_by(StatusEntry.list_id, StatusEntry.index)
            .having(func.count() > 1)
        ).all()
        assert duplicates == []
        for status_list in session.scalars(select(StatusList)):
            occupied = Bitstring.from_bytes(status_list.occupancy)
            used = session.scalars(
                select(StatusEntry.index).where(StatusEntry.list_id == status_list.id)
            ).all()
            assert all(occupied.get(index) for index in used)
            # Reserved in whole blocks; what is reserved and unused is less than one block
            # per instance.
            assert status_list.allocated_count == occupied.count()
            assert status_list.allocated_count % block == 0
            assert 0 <= status_list.allocated_count - len(used) < 2 * block
        assert session.scalar(select(func.count()).select_from(StatusEntry)) == jobs + jobs // 3


def test_concurrent_issuance_fills_a_list_and_opens_exactly_one_more(shared: Shared) -> None:
    free = 20
    with shared.instances[0]() as session:
        _issue(shared)(session, 1)
        status_list = session.scalars(select(StatusList)).one()
        [taken] = session.scalars(select(StatusEntry.index)).all()
        occupancy = bytearray(b"\xff" * (LIST_SIZE // 8))
        for index in [i for i in range(0, LIST_SIZE, LIST_SIZE // free) if i != taken][:free]:
            occupancy[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF
        status_list.occupancy = bytes(occupancy)
        status_list.allocated_count = LIST_SIZE - free
        session.commit()

    shared.run(_issue(shared), 2 * free)

    with shared.instances[0]() as session:
        first, second = session.scalars(select(StatusList).order_by(StatusList.number)).all()
        assert (first.number, first.full, first.allocated_count) == (1, True, LIST_SIZE)
        assert (second.number, second.full, second.allocated_count) == (2, False, free)
        entries = session.scalar(select(func.count()).where(StatusEntry.list_id == first.id))
        assert entries == free + 1
        duplicates = session.execute(
            select(StatusEntry.list_id, StatusEntry.index)
            .group_by(StatusEntry.list_id, StatusEntry.index)
            .having(func.count() > 1)
        ).all()
        assert duplicates == []


def test_concurrent_revocations_lose_no_bit(shared: Shared) -> None:
    jobs = THREADS * 4
    shared.run(_issue(shared), jobs)
    with shared.instances[0]() as session:
        ids = list(session.scalars(select(Credential.id).order_by(Credential.id)))
        version = session.scalars(select(StatusList)).one().version

    def revoke(session: Session, job: int) -> None:
        credential = session.get_one(Credential, ids[job])
        lifecycle.change_status(
            session, credential, "revoke", reason=None, now=shared.now, actor="test"
        )

    shared.run(revoke, jobs)

    with shared.instances[0]() as session:
        status_list = session.scalars(select(StatusList)).one()
        assert Bitstring.from_bytes(status_list.bits).count() == jobs
        assert status_list.version == version + jobs
        statuses = session.scalars(select(Credential.status).distinct()).all()
        assert statuses == ["revoked"]
