"""Closed-loop HTTP load from `bench/load.mjs` (Node): each body sent once by ``clients``
keep-alive connections; latencies, wall time and the generator's own CPU time.

The generator runs on the machine under test, so its CPU is taken from the server's: Node's
client costs a fraction of httpx's per request (both printed by the scripts that use it).
"""

from __future__ import annotations

import json
import shutil
import signal
import statistics
import subprocess
from collections.abc import Callable
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
    warm_latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def percentile(self, fraction: float) -> float:
        return percentile(self.latencies_ms, fraction)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)


def percentile(latencies: list[float], fraction: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def available() -> bool:
    return shutil.which("node") is not None


def run(
    url: str,
    bodies: list[Any],
    *,
    clients: int,
    headers: dict[str, str] | None = None,
    expect: tuple[int, ...] = (200,),
    warm: list[Any] | None = None,
    on_warm: Callable[[], None] | None = None,
) -> Load:
    """POST each of ``bodies`` (JSON values) once to ``url``; raises if any answer was not in
    ``expect``.

    ``warm``: bodies sent first by the same clients on the same kept-alive connections, so
    that the timed run starts in the steady state (connections open and spread across the
    server's workers); ``on_warm`` is called between the two (to read CPU clocks).
    """
    job = {
        "url": url,
        "method": "POST",
        "headers": headers or {},
        "bodies": [json.dumps(body) for body in bodies],
        "warm": [json.dumps(body) for body in warm or []],
        "clients": clients,
        "expect": list(expect),
    }
    with subprocess.Popen(
        ["node", str(SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(json.dumps(job))
        process.stdin.close()
        if warm:
            line = process.stdout.readline()
            if line != "warmed\n":
                raise RuntimeError(f"the warm-up failed: {line[:500]}")
            if on_warm is not None:
                on_warm()
            process.send_signal(signal.SIGUSR2)
        output = process.stdout.read()
    if process.returncode:
        raise RuntimeError(f"the load generator failed ({process.returncode}): {output[:500]}")
    result = json.loads(output)
    if result["failures"]:
        raise RuntimeError(f"unexpected answers {result['statuses']}: {result['failures']}")
    return Load(
        latencies_ms=result["latencies_ms"],
        seconds=result["seconds"],
        cpu_seconds=result["cpu_seconds"],
        statuses=result["statuses"],
        warm_latencies_ms=result["warm_latencies_ms"],
    )
