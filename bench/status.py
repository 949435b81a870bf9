"""Status list figures: revoke latency with N stored credentials, cached list GET, list rebuild,
encoding a list as its revocations accumulate.

    LEARNPROOF_DATABASE_URL=postgresql+psycopg://…/bench .venv/bin/python bench/status.py
    .venv/bin/python bench/status.py --credentials 10000   # quick, on a throw-away SQLite file

Point it at a throw-away database: it migrates it and adds a ``bench-…`` issuer with its
credentials (bulk-inserted rows, not issued through the API). Unless LEARNPROOF_KEYS_DIR or
LEARNPROOF_MASTER_KEY is set, a temporary key store is used. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.achievements.models import Achievement
from app.config import Settings, load_settings
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import lifecycle
from app.credentials.models import Credential
from app.db import make_engine, make_sessionmaker
from app.issuers import service as issuer_service
from app.issuers.keystore import MasterKey, check_master_key, load_master_key
from app.issuers.models import Issuer
from app.issuers.schemas import IssuerCreate
from app.issuers.signing import KeyRing
from app.main import create_app
from app.status import service as status_service
from app.status.bitstring import Bitstring
from app.status.lists import LIST_SIZE
from app.status.models import StatusEntry, StatusList

BATCH = 10_000


def _percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):.3f} ms  p99 {p99:.3f} ms  (n={len(ms)})"


def _timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def _batches(total: int, size: int = BATCH) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


def _seed(
    factory: sessionmaker[Session], master: MasterKey, count: int, urls: PublicUrls
) -> tuple[str, list[str]]:
    """An issuer with ``count`` credentials, each holding a random revocation index."""
    now = datetime.now(UTC)
    slug = f"bench-{new_id()[:8]}"
    with factory() as session:
        check_master_key(session, master, now=now)
        issuer_service.create_issuer(
            session,
            KeyRing(master),
            IssuerCreate.model_validate(
                {"slug": slug, "name": "Bench", "url": "https://bench.example", "email": "b@x.org"}
            ),
            now=now,
            actor="bench",
        )
        context = issuer_service.load_context(session, slug, urls=urls)
        achievement = Achievement(
            id=new_id(),
            issuer_id=context.issuer.id,
            name="Bench",
            description="Bench",
            tags=[],
            skills=[],
            result_descriptions=[],
            framework_levels=[],
            suspendable=False,
            created_at=now,
        )
        session.add(achievement)
        session.commit()
        issuer_id, key_id, achievement_id = context.issuer.id, context.active_key.id, achievement.id

    rng = random.Random(1)
    ids = [new_id() for _ in range(count)]
    lists: list[tuple[str, list[int]]] = []
    for number, start in enumerate(range(0, count, LIST_SIZE), start=1):
        size = min(LIST_SIZE, count - start)
        occupancy = Bitstring(LIST_SIZE)
        indexes = rng.sample(range(LIST_SIZE), size)
        for index in indexes:
            occupancy.set(index, True)
        list_id = new_id()
        lists.append((list_id, indexes))
        with factory() as session:
            session.add(
                StatusList(
                    id=list_id,
                    issuer_id=issuer_id,
                    purpose="revocation",
                    number=number,
                    size=LIST_SIZE,
                    allocated_count=size,
                    occupancy=occupancy.to_bytes(),
                    bits=bytes(LIST_SIZE // 8),
                    version=1,
                    full=size == LIST_SIZE,
                    created_at=now,
                )
            )
            session.commit()
    placements = [(list_id, index) for list_id, indexes in lists for index in indexes]

    started = time.perf_counter()
    with factory() as session:
        postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        _seed_server_side(factory, ids, placements, issuer_id, achievement_id, key_id, now,
                          urls)  # fmt: skip
    for chunk in [] if postgresql else _batches(count):
        with factory() as session:
            session.execute(
                insert(Credential),
                [
                    {
                        "id": ids[i],
                        "issuer_id": issuer_id,
                        "achievement_id": achievement_id,
                        "signing_key_id": key_id,
                        "document": {"id": urls.credential(ids[i])},
                        "jwt": "-",
                        "valid_from": now,
                        "status": "active",
                        "public_page": False,
                        "issued_at": now,
                    }
                    for i in chunk
                ],
            )
            session.execute(
                insert(StatusEntry),
                [
                    {
                        "credential_id": ids[i],
                        "purpose": "revocation",
                        "list_id": placements[i][0],
                        "index": placements[i][1],
                    }
                    for i in chunk
                ],
            )
            session.commit()
    elapsed = time.perf_counter() - started
    print(f"seeded {count:,} credentials in {len(lists)} list(s): {elapsed:.1f} s")
    with factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            # As autovacuum would have by now in a live database: plans need statistics.
            session.execute(text("ANALYZE credential, status_entry, status_list"))
            session.commit()
    return slug, ids


_SEED_CREDENTIALS = text(
    """
    INSERT INTO credential (id, issuer_id, achievement_id, signing_key_id, document, jwt,
                            valid_from, status, public_page, issued_at)
    SELECT id, :issuer_id, :achievement_id, :key_id, json_build_object('id', :prefix || id),
           '-', :now, 'active', false, :now
    FROM unnest(CAST(:ids AS text[])) AS id
    """
)
_SEED_ENTRIES = text(
    """
    INSERT INTO status_entry (credential_id, purpose, list_id, index)
    SELECT id, 'revocation', :list_id, position
    FROM unnest(CAST(:ids AS text[]), CAST(:indexes AS integer[])) AS t(id, position)
    """
)


def _seed_server_side(
    factory: sessionmaker[Session], ids: list[str], placements: list[tuple[str, int]],
    issuer_id: str, achievement_id: str, key_id: str, now: datetime, urls: PublicUrls,
) -> None:  # fmt: skip
    """PostgreSQL: each batch is two statements whose rows the server builds from arrays,
    instead of a million bound rows through the driver (1,000,000 in about a minute)."""
    common = {"issuer_id": issuer_id, "achievement_id": achievement_id, "key_id": key_id,
              "now": now, "prefix": urls.credential("")}  # fmt: skip
    for chunk in _batches(len(ids), 50_000):
        with factory() as session:
            batch = [ids[i] for i in chunk]
            session.execute(_SEED_CREDENTIALS, {**common, "ids": batch})
            by_list: dict[str, tuple[list[str], list[int]]] = {}
            for i in chunk:
                list_id, index = placements[i]
                into = by_list.setdefault(list_id, ([], []))
                into[0].append(ids[i])
                into[1].append(index)
            for list_id, (list_ids, indexes) in by_list.items():
                session.execute(
                    _SEED_ENTRIES, {"list_id": list_id, "ids": list_ids, "indexes": indexes}
                )
            session.commit()


def _revoke_latency(
    factory: sessionmaker[Session], ids: list[str], repeat: int, urls: PublicUrls
) -> None:
    warm_up = 10
    chosen = iter(random.Random(2).sample(ids, repeat + warm_up))

    def revoke() -> None:
        with factory() as session:
            target = lifecycle.find_credential(session, next(chosen), urls=urls)
            lifecycle.change_status(
                session,
                target.credential,
                "revoke",
                reason="bench",
                now=datetime.now(UTC),
                actor="bench",
            )
            session.commit()

    _timed(revoke, warm_up)
    print(f"revoke (lookup + lock + flip + audit + commit): {_percentiles(_timed(revoke, repeat))}")


def _first_list(slug: str) -> tuple[Any, ...]:
    issuer_id = select(Issuer.id).where(Issuer.slug == slug).scalar_subquery()
    return (StatusList.issuer_id == issuer_id, StatusList.number == 1)


def _publishing(settings: Settings, slug: str, gets: int, rebuilds: int) -> None:
    # Imported here, after main() has silenced Starlette's httpx deprecation notice.
    from fastapi.testclient import TestClient

    app = create_app(settings)
    path = f"/status/{slug}/revocation-1"
    with TestClient(app, base_url=settings.public_url) as client:
        factory: sessionmaker[Session] = app.state.sessionmaker
        keyring: KeyRing = app.state.keyring
        first = client.get(path)
        print(f"list GET, first (may rebuild): {len(first.content):,} bytes JSON")
        baseline = _timed(lambda: client.get("/healthz"), gets)
        print(f"baseline GET /healthz (no DB) via TestClient: {_percentiles(baseline)}")
        samples = _timed(lambda: client.get(path), gets)
        print(f"cached list GET via TestClient: {_percentiles(samples)}")

        def direct() -> None:
            with factory() as session:
                status_service.published_list(
                    session,
                    keyring,
                    slug,
                    "revocation-1",
                    urls=settings.urls,
                    now=datetime.now(UTC),
                    ttl_seconds=settings.status_list_ttl_seconds,
                )

        print(f"cached published_list() call:   {_percentiles(_timed(direct, gets))}")

        with factory() as session:
            bits = session.scalars(select(StatusList.bits).where(*_first_list(slug))).one()
        bitstring = Bitstring.from_bytes(bits)
        print(f"encodedList of the list ({bitstring.count():,} bits set): ", end="")
        print(_percentiles(_timed(bitstring.encode, rebuilds)))

        def rebuild() -> None:
            with factory() as session:
                status_list = session.scalars(select(StatusList).where(*_first_list(slug))).one()
                status_list.version += 1
                session.flush()
                started = time.perf_counter()
                status_service.published_list(
                    session,
                    keyring,
                    slug,
                    "revocation-1",
                    urls=settings.urls,
                    now=datetime.now(UTC),
                    ttl_seconds=settings.status_list_ttl_seconds,
                )
                rebuild_times.append(time.perf_counter() - started)
                session.rollback()

        rebuild_times: list[float] = []
        for _ in range(rebuilds):
            rebuild()
        print(f"rebuild of a {LIST_SIZE:,}-entry list (encode + DI sign + JWT + store): ", end="")
        print(_percentiles(rebuild_times))


def _encoding(repeat: int) -> None:
    """The encodedList of one list as its revocations accumulate: each status change of a
    credential re-encodes its whole list (``app.status.publishing.republish``)."""
    for set_bits in (300, 2_000, 5_000, 13_000):
        bitstring = Bitstring(LIST_SIZE)
        for index in random.Random(set_bits).sample(range(LIST_SIZE), set_bits):
            bitstring.set(index, True)
        size = len(bitstring.encode())
        figures = _percentiles(_timed(bitstring.encode, repeat))
        print(f"encodedList, {set_bits:,} of {LIST_SIZE:,} bits set ({size:,} chars): {figures}")


def main() -> None:
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--credentials", type=int, default=1_000_000)
    parser.add_argument("--revokes", type=int, default=200)
    parser.add_argument("--gets", type=int, default=1000)
    parser.add_argument("--rebuilds", type=int, default=20)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="learnproof-bench-"))
    settings = load_settings()
    overrides: dict[str, Any] = {}
    if "LEARNPROOF_DATABASE_URL" not in os.environ:
        overrides["database_url"] = f"sqlite:///{scratch / 'bench.db'}"
    if not {"LEARNPROOF_KEYS_DIR", "LEARNPROOF_MASTER_KEY"} & set(os.environ):
        overrides["keys_dir"] = scratch / "keys"
    settings = settings.model_copy(update=overrides)
    print(f"database: {settings.database_url.split('@')[-1]}")
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    try:
        master = load_master_key(settings)
        slug, ids = _seed(factory, master, args.credentials, settings.urls)
        _revoke_latency(factory, ids, args.revokes, settings.urls)
        _publishing(settings, slug, args.gets, args.rebuilds)
        _encoding(args.rebuilds)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
