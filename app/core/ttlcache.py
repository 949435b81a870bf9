"""A small thread-safe time-to-live cache for values that are cheap to keep and costly to load."""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Loads a value at most once per ``ttl_seconds`` per key; ``ttl_seconds=0`` disables it.

    With ``copies`` every caller gets its own deep copy, so a mutable value cannot be
    changed for the next caller.
    """

    def __init__(self, ttl_seconds: float, *, max_entries: int = 1024, copies: bool = True) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.copies = copies
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, load: Callable[[], V]) -> V:
        if self.ttl_seconds <= 0:
            return load()
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
        if found is None or found[0] < now:
            found = (now + self.ttl_seconds, load())
            with self._lock:
                self._entries[key] = found
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return copy.deepcopy(found[1]) if self.copies else found[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
