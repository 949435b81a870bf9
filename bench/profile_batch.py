"""Where the time of the batch path goes: cProfile of one in-process batch (no HTTP).

    .venv/bin/python bench/profile_batch.py [--items 500] [--top 25] [--out batch.prof]

Builds a throw-away SQLite database (or uses LEARNPROOF_DATABASE_URL, a throw-away
PostgreSQL database), one issuer and one achievement, then profiles the same call the
``POST /v1/issuers/{slug}/credentials/batch`` route makes, in its own transaction, and prints
the functions with the most cumulative time. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.core.urls import PublicUrls

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import migrate  # noqa: E402
from app.config import Settings  # noqa: E402
from app.credentials import batch_jobs  # noqa: E402
from app.issuers import service as issuer_service  # noqa: E402
from app.main import create_app  # noqa: E402
from bench.in_process import profile_issuer  # noqa: E402

PUBLIC_URL = "http://127.0.0.1:8000"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", default=None, help="also write the raw pstats file here")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lp-profile-"))
    url = os.environ.get("LEARNPROOF_DATABASE_URL", f"sqlite:///{tmp / 'profile.db'}")
    migrate.upgrade(url)
    settings = Settings(
        env="development", database_url=url, public_url=PUBLIC_URL, keys_dir=tmp / "keys",
        job_worker=False, webhook_worker=False,
    )  # fmt: skip
    app = create_app(settings)
    with TestClient(app, base_url=PUBLIC_URL) as client:
        factory = app.state.sessionmaker
        headers, achievement_id = profile_issuer(app, client)
        items = [
            {
                "achievement_id": achievement_id,
                "recipient": {"name": f"Learner {i}", "email": f"l{i}@example.org"},
                "credits_earned": 5,
                "result": [{"status": "Completed"}],
            }  # fmt: skip
            for i in range(args.items + 1)
        ]

        def run(chunk: list[dict[str, object]]) -> None:
            with factory() as session:
                context = issuer_service.load_context(session, "prof", urls=PublicUrls(PUBLIC_URL))
                results = batch_jobs.issue_items(
                    session, app.state.keyring, context, chunk, first_index=0,
                    now=app.state.clock.now(), actor="profile", urls=PublicUrls(PUBLIC_URL),
                    status_sessions=factory,
                )  # fmt: skip
                session.commit()
            failed = [r for r in results if "error" in r]
            if failed:
                raise RuntimeError(f"batch items failed: {failed[:3]}")

        run(items[:1])  # warm: contexts, keys
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        run(items[1:])
        profiler.disable()
        elapsed = time.perf_counter() - started
    print(f"database: {url.split(':', 1)[0]}; {args.items} items in {elapsed:.2f} s under cProfile")
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    if args.out:
        stats.dump_stats(args.out)
    stats.print_stats(args.top)


if __name__ == "__main__":
    main()
