"""The cache of verified status list credentials, shared by the verifiers of one process."""

from __future__ import annotations

from app.core.cache import ExpiringCache
from app.verification.report import Check

STATUS_CACHE_SECONDS = 300.0


class StatusListCache:
    """Verified status list credentials, keyed by URL and content digest.

    A list is re-verified only when its content changes (a revocation publishes new bits,
    hence a new digest) or after a few minutes; fetching is cached separately by `Fetcher`.
    """

    def __init__(self, max_entries: int = 256) -> None:
        self._entries: ExpiringCache[tuple[str, str], Check | None] = ExpiringCache(
            STATUS_CACHE_SECONDS, max_entries=max_entries
        )

    def get(self, key: tuple[str, str]) -> tuple[bool, Check | None]:
        return self._entries.get(key)

    def put(self, key: tuple[str, str], failure: Check | None) -> None:
        self._entries.put(key, failure)
