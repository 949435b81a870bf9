"""app.crypto stays pure: importing all of it loads no web, database or HTTP client code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "httpx", "requests", "aiohttp", "app.main")


def test_crypto_imports_nothing_from_the_service() -> None:
    modules = sorted(path.stem for path in (ROOT / "app" / "crypto").glob("*.py"))
    script = (
        "import sys\n"
        + "".join(f"import app.crypto.{name}\n" for name in modules if name != "__init__")
        + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}"
        + f" or m in {FORBIDDEN!r}))\n"
    )

    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )

    assert completed.stdout.strip() == "[]"
    assert len(modules) >= 10
