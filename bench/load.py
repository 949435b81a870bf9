"""Closed-loop HTTP load from `bench/load.mjs` (Node): each body sent once by ``clients``
keep-alive connections; latencies, wall time and the generator's own CPU time.

The generator runs on the machine under test, so its CPU is taken from the server's: Node's
client costs a fraction of httpx's per request (both printed by the scripts that use it).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parent / "load.mjs"


@dataclass(frozen=True)
class Load:
    latencies_ms: list[float]
    seconds: float
    cpu_seconds: float
    statuses: dict[str, int]

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)


def available() -> bool:
    return shutil.which("node") is not None


def run(
    url: str,
    bodies: list[Any],
    *,
    clients: int,
    headers: dict[str, str] | None = None,
    expect: tuple[int, ...] = (200,),
) -> Load:
    """POST each of ``bodies`` (JSON values) once to ``url``; raises if any answer was not in
    ``expect``."""
    job = {
        "url": url,
        "method": "POST",
        "headers": headers or {},
        "bodies": [json.dumps(body) for body in bodies],
        "clients": clients,
        "expect": list(expect),
    }
    done = subprocess.run(
        ["node", str(SCRIPT)], input=json.dumps(job), capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    if result["failures"]:
        raise RuntimeError(f"unexpected answers {result['statuses']}: {result['failures']}")
    return Load(
        latencies_ms=result["latencies_ms"],
        seconds=result["seconds"],
        cpu_seconds=result["cpu_seconds"],
        statuses=result["statuses"],
    )
