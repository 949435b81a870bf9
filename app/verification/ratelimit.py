"""A per-client token bucket, in process.

Batch verification costs one token per credential, so a client may verify a burst of
`capacity` credentials and then `refill_per_second` on average. Several instances each keep
their own buckets; a shared limit belongs in the reverse proxy.

Buckets are kept in a bounded `ExpiringCache`, for as long as a bucket takes to fill up again:
a forgotten client gets a full bucket, which is what it would have had by then anyway, and a
caller cycling through client addresses cannot grow memory past ``max_clients``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.core.cache import ExpiringCache


def _buckets(
    ttl_seconds: float, max_clients: int, monotonic: Callable[[], float]
) -> ExpiringCache[str, tuple[float, float]]:
    """client → (tokens, when they were counted)."""
    return ExpiringCache(ttl_seconds, max_entries=max_clients, timer=monotonic)


class TokenBucketLimiter:
    def __init__(
        self,
        *,
        capacity: float = 5000,
        refill_per_second: float = 50,
        max_clients: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity <= 0 or refill_per_second <= 0:
            raise ValueError("capacity and refill rate must be positive")
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self.max_clients = max_clients
        self.monotonic = monotonic
        # Empty at worst: full again after capacity / refill.
        self._buckets = _buckets(
            capacity / refill_per_second, max_clients, lambda: self.monotonic()
        )
        self._lock = threading.Lock()

    def take(self, client: str, cost: float = 1) -> float:
        """Spend `cost` tokens of `client`; 0 when allowed, else the seconds to wait."""
        cost = min(cost, self.capacity)  # a request bigger than the bucket still gets through
        now = self.monotonic()
        with self._lock:
            found, bucket = self._buckets.get(client)
            tokens, last = bucket if found and bucket is not None else (self.capacity, now)
            tokens = min(self.capacity, tokens + (now - last) * self.refill_per_second)
            if cost > tokens:
                self._buckets.put(client, (tokens, now))
                return max((cost - tokens) / self.refill_per_second, 0.001)
            self._buckets.put(client, (tokens - cost, now))
            return 0.0


class CpuBudgetLimiter:
    """Per-client bucket of CPU seconds: spent after each request, refilled over time.

    A request is admitted while the client's bucket is not in debt; what it costs is only
    known afterwards, so the bucket may go below zero (down to minus its capacity) and the
    client then waits until it has refilled.
    """

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
        # At most capacity in debt: full again after 2 × capacity / refill.
        self._buckets = _buckets(
            2 * capacity / refill_per_second, max_clients, lambda: self.monotonic()
        )
        self._lock = threading.Lock()

    def _tokens(self, client: str, now: float) -> float:
        found, bucket = self._buckets.get(client)
        tokens, last = bucket if found and bucket is not None else (self.capacity, now)
        return min(self.capacity, tokens + (now - last) * self.refill_per_second)

    def wait(self, client: str) -> float:
        """0 when `client` may start a request, else the seconds until it may."""
        with self._lock:
            tokens = self._tokens(client, self.monotonic())
        return 0.0 if tokens > 0 else max(-tokens / self.refill_per_second, 0.001)

    def charge(self, client: str, seconds: float) -> None:
        now = self.monotonic()
        with self._lock:
            tokens = max(self._tokens(client, now) - seconds, -self.capacity)
            self._buckets.put(client, (tokens, now))
