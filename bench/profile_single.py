"""Where the time of one single issuance goes: cProfile of N in-process requests.

    .venv/bin/python bench/profile_single.py [--postgresql] [--requests 300] [--top 30]
        [--out single.prof] [--no-profile]

Builds a throw-away SQLite database (or uses LEARNPROOF_DATABASE_URL, a throw-away
PostgreSQL database), one issuer and one achievement, then sends ``POST
/v1/issuers/{slug}/credentials`` N times through the ASGI app (Starlette's TestClient, one
client) with every thread profiled: the event loop's, the threadpool's and this one (the
client). Prints this process's CPU time per request, the SQL statements per request, and the
functions with the most cumulative and own time. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import migrate  # noqa: E402
from app.config import Settings  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.in_process import profile_issuer  # noqa: E402
from bench.server import throwaway_postgresql  # noqa: E402

PUBLIC_URL = "http://127.0.0.1:8000"


class ThreadProfiles:
    """One cProfile per thread: ``threading.setprofile`` runs in every thread started after
    it, and the first event there swaps in a profiler of that thread's own."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self.on = False
        self._lock = threading.Lock()

    def _start(self, *_args: Any) -> None:
        # Each thread's own CPU clock: waits (locks, the database, the event loop's poll)
        # count for nothing, so the shares are shares of CPU.
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self.profiles.append(profile)
        profile.enable()

    def install(self) -> None:
        """Profile this thread and every thread started from now on."""
        threading.setprofile(self._start)
        self._start()

    def stats(self) -> pstats.Stats:
        first, *rest = self.profiles
        stats = pstats.Stats(first)
        for profile in rest:
            stats.add(profile)
        return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", default=None, help="also write the raw pstats file here")
    parser.add_argument("--no-profile", action="store_true", help="CPU time and statements only")
    parser.add_argument("--sql-width", type=int, default=90, help="characters of SQL shown")
    parser.add_argument("--postgresql", action="store_true", help="a throw-away PostgreSQL db")
    args = parser.parse_args()
    if args.postgresql:
        with throwaway_postgresql() as url:
            run(args, url)
    else:
        tmp = Path(tempfile.mkdtemp(prefix="lp-profile-"))
        run(args, os.environ.get("LEARNPROOF_DATABASE_URL", f"sqlite:///{tmp / 'profile.db'}"))


def run(args: argparse.Namespace, url: str) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="lp-profile-"))
    migrate.upgrade(url)
    settings = Settings(
        env="development", database_url=url, public_url=PUBLIC_URL, keys_dir=tmp / "keys",
        job_worker=False, webhook_worker=False,
    )  # fmt: skip
    app = create_app(settings)
    statements: Counter[str] = Counter()
    profiles = ThreadProfiles()
    if not args.no_profile:
        # Before the client starts its event loop thread; set-up is cleared away below.
        profiles.install()
    with TestClient(app, base_url=PUBLIC_URL) as client:
        headers, achievement_id = profile_issuer(app, client)
        engine = app.state.sessionmaker.kw["bind"]

        def issue(i: int) -> None:
            body = {
                "achievement_id": achievement_id,
                "recipient": {"name": f"Learner {i}", "email": f"l{i}@example.org"},
                "credits_earned": 5, "result": [{"status": "Completed"}],
            }  # fmt: skip
            client.post("/v1/issuers/prof/credentials", headers=headers, json=body)
            # raise_for_status is left out of the profile's client share on purpose

        for i in range(5):  # warm: contexts, keys, template caches, statement caches
            issue(-1 - i)

        width = args.sql_width

        def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            statements[" ".join(statement.split())[:width]] += 1

        for bind in {engine, app.state.status_sessions.kw["bind"]}:
            event.listen(bind, "before_cursor_execute", count)
        for profile in list(profiles.profiles):
            profile.clear()
        cpu, started = time.process_time(), time.perf_counter()
        for i in range(args.requests):
            issue(i)
        cpu, elapsed = time.process_time() - cpu, time.perf_counter() - started
        threading.setprofile(None)  # type: ignore[arg-type]
    n = args.requests
    print(f"database: {url.split(':', 1)[0]}; {n} requests in {elapsed:.2f} s")
    print(
        f"process CPU {1000 * cpu / n:.2f} ms per request (server and client in one process"
        f"{', under cProfile' if not args.no_profile else ''})"
    )
    print(f"SQL statements per request: {sum(statements.values()) / n:.1f}")
    for text, times in statements.most_common():
        print(f"  {times / n:5.2f}  {text}")
    if args.no_profile:
        return
    for profile in profiles.profiles:
        profile.disable()
    stats = profiles.stats()
    if args.out:
        stats.dump_stats(args.out)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
