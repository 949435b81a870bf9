"""Run the reference JavaScript harness scripts of this folder from Python.

Each script reads one JSON request on stdin and prints one JSON result on stdout; it exits 0
even on a negative verdict, so a non-zero exit means the harness itself broke.

    from tests.interop.node import run_node
    run_node("verify-di.mjs", {"credential": vc})  # -> {"verified": ..., "errors": [...], ...}

Errors: ``NodeHarnessError`` (node or node_modules missing, crash, non-JSON output);
``subprocess.TimeoutExpired`` passes through.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

INTEROP_DIR = Path(__file__).resolve().parent
SCRIPTS = frozenset({"verify-di.mjs", "verify-jwt.mjs", "sign-di.mjs", "status-check.mjs"})


class NodeHarnessError(RuntimeError):
    """The Node harness could not run or crashed (not a negative verdict)."""


def _node_executable() -> str:
    node = shutil.which("node")
    if node is None:
        raise NodeHarnessError("`node` (>= 20) is not on PATH; the interop harness needs it")
    return node


def _check_installed() -> None:
    if not (INTEROP_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        raise NodeHarnessError(
            f"{INTEROP_DIR / 'node_modules'} is missing; run `npm ci --prefix tests/interop` "
            "from the repository root"
        )


def run_node(script: str, request: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    """Run ``tests/interop/<script>`` with ``request`` as JSON on stdin; return its JSON result."""
    name = script if script.endswith(".mjs") else f"{script}.mjs"
    if name not in SCRIPTS:
        raise ValueError(f"unknown harness script {script!r}; expected one of {sorted(SCRIPTS)}")
    _check_installed()
    proc = subprocess.run(
        [_node_executable(), name],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=INTEROP_DIR,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise NodeHarnessError(
            f"{name} exited with {proc.returncode}: {proc.stdout.strip()}\n{proc.stderr.strip()}"
        )
    try:
        result: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise NodeHarnessError(f"{name} printed non-JSON output: {proc.stdout[:500]!r}") from exc
    return result
