from __future__ import annotations

import pytest

from app.core import cache as cache_module
from app.core.cache import ExpiringCache, LruCache, PerEntryTtlCache, TtlCache


def test_loads_once_within_ttl_and_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    loads: list[int] = []
    cache: TtlCache[str, dict[str, int]] = TtlCache(5.0)

    def load() -> dict[str, int]:
        loads.append(1)
        return {"n": len(loads)}

    first = cache.get("k", load)
    first["n"] = 99
    assert cache.get("k", load) == {"n": 1}
    clock[0] += 6
    assert cache.get("k", load) == {"n": 2}
    assert len(loads) == 2


def test_zero_ttl_always_loads() -> None:
    calls: list[int] = []
    cache: TtlCache[str, int] = TtlCache(0)
    for _ in range(3):
        cache.get("k", lambda: calls.append(1) or len(calls))
    assert len(calls) == 3


def test_oldest_entries_are_evicted() -> None:
    cache: TtlCache[int, int] = TtlCache(60, max_entries=2, copies=False)
    for key in range(3):
        cache.get(key, lambda key=key: key * 10)  # type: ignore[misc]
    reloaded: list[int] = []
    cache.get(0, lambda: reloaded.append(0) or 0)
    cache.get(2, lambda: reloaded.append(2) or 20)
    assert reloaded == [0]


def test_expiring_cache_tells_a_cached_none_from_a_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    cache: ExpiringCache[str, int | None] = ExpiringCache(5.0, max_entries=2)
    cache.put("none", None)
    assert cache.get("none") == (True, None)
    assert cache.get("absent") == (False, None)
    clock[0] += 6
    assert cache.get("none") == (False, None)
    for key in "abc":
        cache.put(key, 1)
    assert len(cache) == 2


def test_lru_cache_keeps_the_recently_used() -> None:
    cache: LruCache[int, str] = LruCache(2)
    cache.put(1, "one")
    cache.put(2, "two")
    assert cache.get(1) == "one"
    cache.put(3, "three")
    assert (cache.get(1), cache.get(2), cache.get(3)) == ("one", None, "three")


def test_lru_cache_reads_a_cached_none_by_item() -> None:
    cache: LruCache[str, str | None] = LruCache(2)
    cache["dropped"] = None
    assert cache["dropped"] is None
    with pytest.raises(KeyError):
        cache["absent"]


def test_per_entry_ttl_cache_keeps_each_value_for_its_own_time() -> None:
    clock = [0.0]
    cache: PerEntryTtlCache[str, str] = PerEntryTtlCache(max_entries=2, timer=lambda: clock[0])
    cache.put("short", "s", 10)
    cache.put("long", "l", 60)
    cache.put("never", "n", 0)
    clock[0] = 11
    assert cache.get("short") == (False, None)
    assert cache.get("long") == (True, "l")
    assert cache.get("never") == (False, None)
    for key in "abc":
        cache.put(key, key, 60)
    assert len(cache) == 2
