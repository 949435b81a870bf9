"""Decoded status bitstrings are reused by their text, bounded, and never shared mutably."""

from __future__ import annotations

import pytest

from app.status.bitstring import MIN_ENTRIES, Bitstring, EncodedListTooLarge
from app.verification.status_cache import StatusListCache

LIST_BYTES = MIN_ENTRIES // 8


def _encoded(*revoked: int) -> str:
    bits = Bitstring(MIN_ENTRIES)
    for index in revoked:
        bits.set(index, True)
    return bits.encode()


def test_a_text_is_expanded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    cache, calls = StatusListCache(), []
    decode = Bitstring.decode

    def counted(encoded: str, *, max_bytes: int) -> Bitstring:
        calls.append(encoded)
        return decode(encoded, max_bytes=max_bytes)

    monkeypatch.setattr(Bitstring, "decode", counted)
    first, second = _encoded(3), _encoded(3, 4)

    answers = [cache.decoded(text, LIST_BYTES) for text in (first, first, second, first)]

    assert calls == [first, second]
    assert [bits.get(4) for bits in answers] == [False, False, True, False]
    assert all(bits.get(3) for bits in answers)


def test_changing_an_answer_does_not_change_the_next() -> None:
    cache, text = StatusListCache(), _encoded()

    cache.decoded(text, LIST_BYTES).set(7, True)

    assert not cache.decoded(text, LIST_BYTES).get(7)


def test_a_smaller_size_cap_still_refuses_a_list_kept_under_a_larger_one() -> None:
    cache, text = StatusListCache(), _encoded(1)
    cache.decoded(text, LIST_BYTES)

    with pytest.raises(EncodedListTooLarge):
        cache.decoded(text, LIST_BYTES - 1)


def test_the_decoded_lists_stay_within_their_bound() -> None:
    cache = StatusListCache(max_decoded_bytes=3 * LIST_BYTES + 1000)

    for index in range(10):
        cache.decoded(_encoded(index), LIST_BYTES)

    assert 2 * LIST_BYTES < cache.decoded_bytes() <= 3 * LIST_BYTES + 1000
