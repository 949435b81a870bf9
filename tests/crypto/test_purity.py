"""The pure cores stay pure: importing them loads no web, database or HTTP client code.

That is all of app.crypto, all of app.core, the status bitstring, and the verifier's checks
with the modules they use (README "Map of the code"); the resolver, fetcher and wiring of
app.verification are where I/O happens, and the HTTP wiring of the core's rules (the strict
JSON middleware, the OpenAPI problem responses) sits next to app/main.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
FORBIDDEN = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "httpx",
    "requests",
    "aiohttp",
    "app.main",
    "app.db",
    "app.config",
)
PURE_VERIFICATION = (
    "accreditation",
    "checks",
    "credential_input",
    "did_documents",
    "jwt_proofs",
    "meaning",
    "presentations",
    "proofs",
    "related",
    "report",
    "status_cache",
    "status_checks",
    "structure",
)


def _loaded_forbidden(modules: list[str]) -> str:
    script = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in modules)
        + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}"
        + f" or m in {FORBIDDEN!r}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()


def test_crypto_imports_nothing_from_the_service() -> None:
    modules = sorted(p.stem for p in (ROOT / "app" / "crypto").glob("*.py") if p.stem != "__init__")

    assert _loaded_forbidden([f"app.crypto.{name}" for name in modules]) == "[]"
    assert len(modules) >= 10


def test_core_imports_nothing_from_the_service() -> None:
    modules = sorted(p.stem for p in (ROOT / "app" / "core").glob("*.py") if p.stem != "__init__")

    assert _loaded_forbidden([f"app.core.{name}" for name in modules]) == "[]"
    assert {"clock", "urls", "cache", "strictjson"} <= set(modules)


@pytest.mark.parametrize(
    "module", [*(f"app.verification.{name}" for name in PURE_VERIFICATION), "app.status.bitstring"]
)
def test_verification_checks_import_no_database_or_web_code(module: str) -> None:
    assert _loaded_forbidden([module]) == "[]"


def test_the_check_sees_database_code() -> None:
    assert "sqlalchemy" in _loaded_forbidden(["app.verification.resolver", "app.db"])
