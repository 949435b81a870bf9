"""A real `learnproof serve` for tests: a free port and the environment it runs with."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from tests.conftest import TEST_MASTER_KEY

BIN = Path(sys.executable).parent / "learnproof"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_environment(
    database_url: str, tmp_path: Path, port: int, **settings: str
) -> dict[str, str]:
    """This process's environment with the service's settings; ``settings`` adds more
    (``job_worker="false"`` sets LEARNPROOF_JOB_WORKER)."""
    return {
        **os.environ,
        "LEARNPROOF_DATABASE_URL": database_url,
        "LEARNPROOF_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LEARNPROOF_KEYS_DIR": str(tmp_path / "keys"),
        "LEARNPROOF_MASTER_KEY": TEST_MASTER_KEY,
        "LEARNPROOF_ENV": "test",
        **{f"LEARNPROOF_{name.upper()}": value for name, value in settings.items()},
    }
