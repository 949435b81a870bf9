"""How steady this machine's speed is: the CPU time of one fixed piece of Python work,
sampled once a second.

    .venv/bin/python bench/host.py [--seconds 120]

On a shared virtual machine the same instructions can take twice as long from one second to
the next (other tenants on the host's cores); every figure of the other scripts moves with
it. Run this on an idle machine before reading them. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time

_STEPS = 200_000


def _work() -> int:
    total = 0
    for i in range(_STEPS):
        total += i * i
    return total


def sample() -> float:
    """Milliseconds of this thread's CPU for the fixed work."""
    started = time.thread_time()
    _work()
    return (time.thread_time() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    samples = []
    for _ in range(args.seconds):
        samples.append(sample())
        time.sleep(1)
    fastest = min(samples)
    slow = [s for s in samples if s > 1.5 * fastest]
    print(f"{len(samples)} samples of the same work, one a second: fastest {fastest:.1f} ms, "
          f"median {statistics.median(samples):.1f} ms, slowest {max(samples):.1f} ms")  # fmt: skip
    print(f"more than 1.5x the fastest: {len(slow)} of {len(samples)} "
          f"({100 * len(slow) / len(samples):.0f} %)")  # fmt: skip
    print("in order:", " ".join(f"{s:.0f}" for s in samples))


if __name__ == "__main__":
    main()
