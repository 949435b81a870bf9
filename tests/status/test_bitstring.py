import base64
import gzip
import random
import zlib
from collections import Counter

import pytest

from app.status.bitstring import (
    MIN_ENTRIES,
    Bitstring,
    EncodedListError,
    EncodedListTooLarge,
    FreeIndexSampler,
)
from tests.support.status import REC_EXAMPLE_ENCODED_LIST

# Chi-square critical value for 0.1% significance; the seeds are fixed, so a pass is stable
# and a biased sampler (block or byte order favoured) lands far above it.
CHI_SQUARE_999 = {39: 72.055, 110: 161.581}


def _multibase_gzip(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw)).rstrip(b"=").decode()


def _chi_square(counts: Counter[int | None], expected: float) -> float:
    return sum((observed - expected) ** 2 / expected for observed in counts.values())


def test_rec_example_decodes_to_minimum_length_of_zeros() -> None:
    bitstring = Bitstring.decode(REC_EXAMPLE_ENCODED_LIST)

    assert len(bitstring) == MIN_ENTRIES
    assert bitstring.to_bytes() == bytes(MIN_ENTRIES // 8)


def test_empty_minimum_list_round_trips() -> None:
    encoded = Bitstring().encode()

    assert encoded.startswith("u")
    assert "=" not in encoded
    assert Bitstring.decode(encoded).to_bytes() == bytes(MIN_ENTRIES // 8)


def test_bit_zero_is_most_significant_bit_of_first_byte() -> None:
    bitstring = Bitstring()
    bitstring.set(0, True)

    decoded = Bitstring.decode(bitstring.encode())

    raw = decoded.to_bytes()
    assert raw[0] == 0x80
    assert raw[1:] == bytes(len(raw) - 1)
    assert decoded.get(0)
    assert not decoded.get(1)


def test_last_bit_is_least_significant_bit_of_last_byte() -> None:
    bitstring = Bitstring()
    bitstring.set(MIN_ENTRIES - 1, True)

    decoded = Bitstring.decode(bitstring.encode())

    raw = decoded.to_bytes()
    assert raw[-1] == 0x01
    assert raw[:-1] == bytes(len(raw) - 1)
    assert decoded.get(MIN_ENTRIES - 1)


def test_clearing_a_bit_leaves_its_neighbours() -> None:
    bitstring = Bitstring.from_bytes(b"\xff")

    bitstring.set(3, False)

    assert bitstring.to_bytes() == b"\xef"
    assert bitstring.count() == 7


@pytest.mark.parametrize("index", [-1, 16])
def test_index_outside_the_list_is_refused(index: int) -> None:
    bitstring = Bitstring(16)

    with pytest.raises(IndexError):
        bitstring.get(index)
    with pytest.raises(IndexError):
        bitstring.set(index, True)


def test_encoding_is_deterministic_with_zero_mtime() -> None:
    first, second = Bitstring(), Bitstring()
    for bitstring in (first, second):
        bitstring.set(94567, True)

    assert first.encode() == second.encode()
    gzipped = base64.urlsafe_b64decode(first.encode()[1:] + "==")
    assert gzipped[:2] == b"\x1f\x8b"
    assert gzipped[4:8] == b"\x00\x00\x00\x00"
    # XFL 4 (RFC 1952: "fastest algorithm", as zlib marks run-length deflate), OS unknown.
    assert gzipped[8:10] == b"\x04\xff"


@pytest.mark.parametrize("set_bits", [0, 10, 300, 1_000, 2_000, 5_000, 13_000, 30_000, 131_072])
def test_encoding_stays_close_to_the_best_compression(set_bits: int) -> None:
    # A verifier downloads the list: the fast encoding may cost at most a little size.
    bitstring = Bitstring()
    for index in random.Random(set_bits).sample(range(len(bitstring)), set_bits):
        bitstring.set(index, True)

    gzipped = base64.urlsafe_b64decode(bitstring.encode()[1:] + "==")
    best = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    best_size = len(best.compress(bitstring.to_bytes()) + best.flush())

    assert gzip.decompress(gzipped) == bitstring.to_bytes()
    assert len(gzipped) - 18 <= best_size * 1.15  # 18: the gzip header and trailer


def test_our_encoding_is_read_by_the_standard_gzip_module() -> None:
    bitstring = Bitstring()
    bitstring.set(12345, True)

    gzipped = base64.urlsafe_b64decode(bitstring.encode()[1:] + "==")

    assert gzip.decompress(gzipped) == bitstring.to_bytes()


def test_multi_member_gzip_is_read_whole() -> None:
    gzipped = gzip.compress(b"\x80") + gzip.compress(b"\x01")
    encoded = "u" + base64.urlsafe_b64encode(gzipped).rstrip(b"=").decode()

    assert Bitstring.decode(encoded).to_bytes() == b"\x80\x01"


def test_gzip_bomb_is_refused() -> None:
    bomb = _multibase_gzip(bytes(32 * 1024 * 1024))
    assert len(bomb) < 64 * 1024

    with pytest.raises(EncodedListTooLarge, match="expands beyond"):
        Bitstring.decode(bomb)


def test_max_bytes_is_an_inclusive_limit() -> None:
    encoded = _multibase_gzip(bytes(1024))

    assert len(Bitstring.decode(encoded, max_bytes=1024)) == 8192
    with pytest.raises(EncodedListTooLarge):
        Bitstring.decode(encoded, max_bytes=1023)


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param(REC_EXAMPLE_ENCODED_LIST[1:], id="no-multibase-prefix"),
        pytest.param("z" + REC_EXAMPLE_ENCODED_LIST[1:], id="base58-prefix"),
        pytest.param(REC_EXAMPLE_ENCODED_LIST + "==", id="padding"),
        pytest.param(REC_EXAMPLE_ENCODED_LIST.replace("-", "+"), id="standard-base64"),
        pytest.param("uA", id="impossible-base64-length"),
        pytest.param("u" + base64.urlsafe_b64encode(b"plain").decode(), id="not-gzip"),
        pytest.param(REC_EXAMPLE_ENCODED_LIST[:-12], id="truncated"),
        pytest.param(_multibase_gzip(b"\x00") + "AAAA", id="trailing-garbage"),
    ],
)
def test_malformed_encoded_list_is_refused(encoded: str) -> None:
    with pytest.raises(EncodedListError):
        Bitstring.decode(encoded)


def test_corrupt_deflate_stream_is_refused() -> None:
    gzipped = bytearray(gzip.compress(bytes(4096)))
    gzipped[12] ^= 0xFF
    encoded = "u" + base64.urlsafe_b64encode(bytes(gzipped)).rstrip(b"=").decode()

    with pytest.raises(EncodedListError):
        Bitstring.decode(encoded)


def test_length_must_be_whole_bytes() -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        Bitstring(12)


def test_allocation_fills_a_small_list_exactly_once_each() -> None:
    occupancy = bytearray(8)
    rng = random.Random(11)

    order = [FreeIndexSampler(occupancy).allocate(rng) for _ in range(64)]

    allocated = [i for i in order if i is not None]
    assert len(allocated) == 64
    assert sorted(allocated) == list(range(64))
    assert allocated != sorted(allocated)
    assert occupancy == bytearray(b"\xff" * 8)
    assert FreeIndexSampler(occupancy).allocate(rng) is None


def test_allocation_marks_the_bit_it_returns() -> None:
    occupancy = bytearray(2)

    index = FreeIndexSampler(occupancy).allocate(random.Random(3))

    assert index is not None
    assert occupancy[index // 8] == 0x80 >> (index % 8)


def test_near_full_list_returns_only_its_free_indexes() -> None:
    occupancy = bytearray(b"\xff" * (MIN_ENTRIES // 8))
    free = {5, 4095, 4096, 40000, 65535, 65536, 99999, 123456, 131070, 131071}
    for index in free:
        occupancy[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF
    sampler = FreeIndexSampler(occupancy)
    rng = random.Random(99)

    assert sampler.free_count == len(free)
    got = [sampler.allocate(rng) for _ in range(len(free))]

    assert set(got) == free
    assert sampler.allocate(rng) is None
    assert occupancy == bytearray(b"\xff" * (MIN_ENTRIES // 8))


def test_short_last_block_counts_only_real_bits() -> None:
    occupancy = bytearray(600)

    sampler = FreeIndexSampler(occupancy)

    assert sampler.free_count == 4800
    assert all(sampler.allocate(random.Random(i)) is not None for i in range(20))
    assert sampler.free_count == 4780


def test_allocation_is_uniform_across_unevenly_filled_blocks() -> None:
    # Three 4096-bit blocks with 1, 10 and 100 free entries: a sampler that picked blocks
    # uniformly, or favoured low indexes, would give the lone free entry ~33x its share.
    template = bytearray(b"\xff" * (3 * 512))
    free = [17] + [4096 + 400 * k for k in range(10)] + [8192 + 37 * k for k in range(100)]
    for index in free:
        template[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF
    rng = random.Random(5)
    trials = len(free) * 200

    counts = Counter(FreeIndexSampler(bytearray(template)).allocate(rng) for _ in range(trials))

    assert set(counts) == set(free)
    assert _chi_square(counts, trials / len(free)) < CHI_SQUARE_999[110]


def _with_free(size_bytes: int, free: list[int]) -> bytearray:
    occupancy = bytearray(b"\xff" * size_bytes)
    for index in free:
        occupancy[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF
    return occupancy


@pytest.mark.parametrize(
    ("size_bytes", "free"),
    [
        # Half free, the free ones bunched at the start: nearly every draw is a first try.
        (10, list(range(32)) + [40 + 5 * k for k in range(8)]),
        # One in sixteen free: about 4 draws in 10 are tries, the rest ranked.
        (80, [3, 4, 5] + [64 + 15 * k for k in range(37)]),
    ],
    ids=["mostly-tries", "tries-and-ranks"],
)
def test_a_draw_is_uniform_whether_a_try_or_the_rank_finds_it(
    size_bytes: int, free: list[int]
) -> None:
    template = _with_free(size_bytes, free)
    rng = random.Random(7)
    trials = len(free) * 200

    counts = Counter(FreeIndexSampler(bytearray(template)).allocate(rng) for _ in range(trials))

    assert set(counts) == set(free)
    assert _chi_square(counts, trials / len(free)) < CHI_SQUARE_999[39]


def test_a_mostly_free_list_fills_in_random_order_through_its_tries() -> None:
    occupancy = bytearray(MIN_ENTRIES // 8)
    sampler = FreeIndexSampler(occupancy)
    rng = random.Random(13)

    drawn = [sampler.allocate(rng) for _ in range(256)]

    assert len(set(drawn)) == 256
    assert sampler.free_count == MIN_ENTRIES - 256
    assert sum(bin(byte).count("1") for byte in occupancy) == 256
    # Spread over the whole list, as a uniform draw is: no block holds most of them.
    per_block = Counter(index // 4096 for index in drawn if index is not None)
    assert max(per_block.values()) < 32
