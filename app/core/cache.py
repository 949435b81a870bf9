"""The one cache module: small thread-safe caches over ``cachetools``.

- `TtlCache`: loads a value at most once per ``ttl_seconds`` per key (our own documents,
  as the verifier reads them); ``ttl_seconds=0`` disables it.
- `ExpiringCache`: values put with one time to live, read back until then (verified lists,
  rate-limit buckets).
- `PerEntryTtlCache`: values put each with its own time to live (the verifier's fetches,
  which follow the remote ``Cache-Control``).
- `LruCache`: the most recently used immutable values, bounded (published status lists,
  pyld's processed JSON-LD contexts).

Every cache is bounded: some are fed by what untrusted callers send.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache, TLRUCache, TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _monotonic() -> float:
    # Looked up at call time, so a test can move the clock.
    return time.monotonic()


class TtlCache(Generic[K, V]):
    """Loads a value at most once per ``ttl_seconds`` per key; ``ttl_seconds=0`` disables it.

    With ``copies`` every caller gets its own deep copy, so a mutable value cannot be
    changed for the next caller. Loading happens outside the lock: two callers may both
    load a missing key, and the later one's value is kept.
    """

    def __init__(self, ttl_seconds: float, *, max_entries: int = 1024, copies: bool = True) -> None:
        self.ttl_seconds = ttl_seconds
        self.copies = copies
        self._entries: TTLCache[K, V] | None = (
            TTLCache(max_entries, ttl_seconds, timer=_monotonic) if ttl_seconds > 0 else None
        )
        self._lock = threading.Lock()

    def get(self, key: K, load: Callable[[], V]) -> V:
        if self._entries is None:
            return load()
        try:
            with self._lock:
                value = self._entries[key]
        except KeyError:
            value = load()
            with self._lock:
                self._entries[key] = value
        return copy.deepcopy(value) if self.copies else value

    def clear(self) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries.clear()


class ExpiringCache(Generic[K, V]):
    """``put`` a value, ``get`` it back for ``ttl_seconds`` (``found`` tells None from absent).

    ``timer`` (monotonic seconds) lets a caller with a clock of its own expire by it.
    """

    def __init__(
        self,
        ttl_seconds: float,
        *,
        max_entries: int,
        timer: Callable[[], float] | None = None,
    ) -> None:
        self._entries: TTLCache[K, V] = TTLCache(
            max_entries, ttl_seconds, timer=timer or _monotonic
        )
        self._lock = threading.Lock()

    def get(self, key: K) -> tuple[bool, V | None]:
        try:
            with self._lock:
                return True, self._entries[key]
        except KeyError:
            return False, None

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class PerEntryTtlCache(Generic[K, V]):
    """``put`` each value with its own time to live; the least recently used go first when full."""

    def __init__(self, *, max_entries: int, timer: Callable[[], float] | None = None) -> None:
        self._entries: TLRUCache[K, tuple[float, V]] = TLRUCache(
            max_entries, _expires_at, timer=timer or _monotonic
        )
        self._lock = threading.Lock()

    def get(self, key: K) -> tuple[bool, V | None]:
        try:
            with self._lock:
                return True, self._entries[key][1]
        except KeyError:
            return False, None

    def put(self, key: K, value: V, ttl_seconds: float) -> None:
        """Nothing is kept when ``ttl_seconds`` is not positive."""
        if ttl_seconds <= 0:
            return
        with self._lock:
            self._entries[key] = (ttl_seconds, value)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _expires_at(_key: object, entry: tuple[float, object], now: float) -> float:
    return now + entry[0]


class LruCache(Generic[K, V]):
    """The most recently used values, ``max_size`` of them or, with ``weigh``, as many as
    weigh ``max_size`` together (a value heavier than that is not kept); share only
    immutable ones."""

    def __init__(self, max_size: int, *, weigh: Callable[[V], float] | None = None) -> None:
        self._entries: LRUCache[K, V] = LRUCache(max_size, getsizeof=weigh)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            try:
                self._entries[key] = value
            except ValueError:  # cachetools: heavier than the whole cache
                self._entries.pop(key, None)

    def __getitem__(self, key: K) -> V:
        """The value (also a cached None), or KeyError."""
        with self._lock:
            return self._entries[key]

    # pyld's context resolver reads its shared cache with ``get`` and writes by item.
    __setitem__ = put

    def values(self) -> list[V]:
        """A snapshot of the values, least recently used first."""
        with self._lock:
            return list(self._entries.values())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
