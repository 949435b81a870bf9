"""The caches of status lists shared by the verifiers of one process."""

from __future__ import annotations

from typing import Final

from app.core.cache import ExpiringCache, LruCache
from app.status.bitstring import Bitstring
from app.verification.report import Check

STATUS_CACHE_SECONDS = 300.0
DECODED_CACHE_BYTES: Final = 32 * 1024 * 1024
"""Decoded bitstrings kept, with the text they came from: 2,000 lists of the REC's minimum."""


def _weight(entry: tuple[bytes, int]) -> int:
    bits, text_length = entry
    return len(bits) + text_length


class StatusListCache:
    """Verified status list credentials, keyed by URL and content digest, and their bits.

    A list is re-verified only when its content changes (a revocation publishes new bits,
    hence a new digest) or after a few minutes; fetching is cached separately by `Fetcher`.
    """

    def __init__(
        self, max_entries: int = 256, *, max_decoded_bytes: int = DECODED_CACHE_BYTES
    ) -> None:
        self._entries: ExpiringCache[tuple[str, str], Check | None] = ExpiringCache(
            STATUS_CACHE_SECONDS, max_entries=max_entries
        )
        # Keyed by the encodedList text itself: one text always expands to the same bits, so
        # an entry cannot go stale (a status change publishes a new text). Weighed by the
        # text and the bits, so hostile lists cannot make it grow past its bound.
        self._decoded: LruCache[tuple[str, int], tuple[bytes, int]] = LruCache(
            max_decoded_bytes, weigh=_weight
        )

    def get(self, key: tuple[str, str]) -> tuple[bool, Check | None]:
        return self._entries.get(key)

    def put(self, key: tuple[str, str], failure: Check | None) -> None:
        self._entries.put(key, failure)

    def decoded(self, encoded: str, max_bytes: int) -> Bitstring:
        """`Bitstring.decode` of an ``encodedList``, expanded once per text (and size cap)."""
        key = (encoded, max_bytes)
        kept = self._decoded.get(key)
        if kept is not None:
            return Bitstring.from_bytes(kept[0])
        bits = Bitstring.decode(encoded, max_bytes=max_bytes)
        self._decoded.put(key, (bits.to_bytes(), len(encoded)))
        return bits

    def decoded_bytes(self) -> int:
        """What the decoded bitstrings held weigh together (texts included)."""
        return sum(_weight(entry) for entry in self._decoded.values())
