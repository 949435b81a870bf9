"""A per-client token bucket, in process.

Batch verification costs one token per credential, so a client may verify a burst of
`capacity` credentials and then `refill_per_second` on average. Several instances each keep
their own buckets; a shared limit belongs in the reverse proxy.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable


class _Buckets:
    """Token buckets per client, the least recently seen forgotten beyond ``max_clients``."""

    def __init__(
        self,
        *,
        capacity: float,
        refill_per_second: float,
        max_clients: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity <= 0 or refill_per_second <= 0:
            raise ValueError("capacity and refill rate must be positive")
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self.max_clients = max_clients
        self.monotonic = monotonic
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _tokens(self, client: str, now: float) -> float:
        tokens, last = self._buckets.get(client, (self.capacity, now))
        return min(self.capacity, tokens + (now - last) * self.refill_per_second)

    def _keep(self, client: str, tokens: float, now: float) -> None:
        self._buckets[client] = (tokens, now)
        self._buckets.move_to_end(client)
        # Forgetting the least recently seen client only ever gives it a full bucket.
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)


class TokenBucketLimiter(_Buckets):
    def __init__(
        self,
        *,
        capacity: float = 5000,
        refill_per_second: float = 50,
        max_clients: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            capacity=capacity,
            refill_per_second=refill_per_second,
            max_clients=max_clients,
            monotonic=monotonic,
        )

    def take(self, client: str, cost: float = 1) -> float:
        """Spend `cost` tokens of `client`; 0 when allowed, else the seconds to wait."""
        cost = min(cost, self.capacity)  # a request bigger than the bucket still gets through
        now = self.monotonic()
        with self._lock:
            tokens = self._tokens(client, now)
            if cost > tokens:
                self._buckets[client] = (tokens, now)
                return max((cost - tokens) / self.refill_per_second, 0.001)
            self._keep(client, tokens - cost, now)
            return 0.0


class CpuBudgetLimiter(_Buckets):
    """Per-client bucket of CPU seconds: spent after each request, refilled over time.

    A request is admitted while the client's bucket is not in debt; what it costs is only
    known afterwards, so the bucket may go below zero (down to minus its capacity) and the
    client then waits until it has refilled.
    """

    def wait(self, client: str) -> float:
        """0 when `client` may start a request, else the seconds until it may."""
        with self._lock:
            tokens = self._tokens(client, self.monotonic())
        return 0.0 if tokens > 0 else max(-tokens / self.refill_per_second, 0.001)

    def charge(self, client: str, seconds: float) -> None:
        now = self.monotonic()
        with self._lock:
            self._keep(client, max(self._tokens(client, now) - seconds, -self.capacity), now)
