"""Bitstring Status List v1.0: the bitstring, its ``encodedList`` form, and index allocation.

Pure code: no web or database imports, so verifiers and the status service share it.

Bit order follows the REC (§2.2, §7.1): index 0 is the most significant bit of byte 0.
Only ``statusSize`` 1 is modelled; wider statuses are not issued by LearnProof.

Exceptions::

    ValueError
     └── EncodedListError          the ``encodedList`` is not multibase base64url GZIP
          └── EncodedListTooLarge  it expands beyond the caller's ``max_bytes``
"""

from __future__ import annotations

import base64
import binascii
import random
import re
import struct
import zlib

MIN_ENTRIES = 131072
"""The REC's minimum list length (16 KiB of bits): the herd a credential hides in."""

DEFAULT_MAX_DECODED_BYTES = 16 * 1024 * 1024
"""Expanded-size cap for lists fetched from others: 128 Mi entries, far above any real list."""

_MULTIBASE_BASE64URL = "u"
_BASE64URL_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
_GZIP_MAGIC = b"\x1f\x8b"
# Run-length deflate (distance-1 matches, Huffman-coded literals) is what a bitmap needs: runs
# of zero bytes between the set bits. Level 9's lazy match search took 2-14 ms for a list
# holding 300-5,000 set bits (each revocation re-encodes its list), this 0.04-0.13 ms for output
# at most 9 % larger, smaller below 100 or above 5,000 set bits (README "Figures", night of the
# 7th).
_COMPRESS_STRATEGY = zlib.Z_RLE
# mtime 0, XFL 4 ("fastest algorithm", as zlib marks this strategy), OS 255 ("unknown"):
# fixed so equal bits give equal bytes and a strong ETag stays valid across processes and hosts.
_GZIP_HEADER = _GZIP_MAGIC + struct.pack("<BBIBB", 8, 0, 0, 4, 255)
_DECOMPRESS_CHUNK = 64 * 1024


class EncodedListError(ValueError):
    """An ``encodedList`` that cannot be expanded into a bitstring."""


class EncodedListTooLarge(EncodedListError):
    """An ``encodedList`` whose expansion exceeds the allowed size (a likely gzip bomb)."""


class Bitstring:
    """A mutable status bitstring, one bit per entry, stored as a ``bytearray``."""

    __slots__ = ("_bits",)

    def __init__(self, length: int = MIN_ENTRIES) -> None:
        if length < 0 or length % 8:
            raise ValueError(f"length must be a non-negative multiple of 8, got {length}")
        self._bits = bytearray(length // 8)

    def __len__(self) -> int:
        return len(self._bits) * 8

    def __repr__(self) -> str:
        return f"Bitstring(length={len(self)}, set={self.count()})"

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool) -> None:
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def count(self) -> int:
        """Number of entries whose bit is set."""
        return int.from_bytes(self._bits, "big").bit_count()

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    @classmethod
    def from_bytes(cls, data: bytes | bytearray) -> Bitstring:
        bitstring = cls(0)
        bitstring._bits = bytearray(data)
        return bitstring

    def encode(self) -> str:
        """The ``encodedList`` value: multibase base64url (no padding) of GZIP (RFC 1952)."""
        compressor = zlib.compressobj(
            zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS, 8, _COMPRESS_STRATEGY
        )
        deflated = compressor.compress(self._bits) + compressor.flush()
        trailer = struct.pack("<II", zlib.crc32(self._bits), len(self._bits) & 0xFFFFFFFF)
        gzipped = _GZIP_HEADER + deflated + trailer
        return _MULTIBASE_BASE64URL + base64.urlsafe_b64encode(gzipped).rstrip(b"=").decode()

    @classmethod
    def decode(cls, encoded: str, *, max_bytes: int = DEFAULT_MAX_DECODED_BYTES) -> Bitstring:
        """Expand an ``encodedList``, refusing more than ``max_bytes`` of output."""
        return cls.from_bytes(_gunzip_bounded(_multibase_base64url_decode(encoded), max_bytes))

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < len(self):
            raise IndexError(f"index {index} outside bitstring of length {len(self)}")
        return index >> 3, 0x80 >> (index & 7)


def _multibase_base64url_decode(encoded: str) -> bytes:
    if not encoded.startswith(_MULTIBASE_BASE64URL):
        raise EncodedListError("encodedList must be multibase base64url (prefix 'u')")
    payload = encoded[1:]
    # urlsafe_b64decode silently drops foreign characters; the REC forbids padding too.
    if not _BASE64URL_ALPHABET.fullmatch(payload):
        raise EncodedListError("encodedList holds characters outside base64url without padding")
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except binascii.Error as exc:
        raise EncodedListError(f"encodedList is not valid base64url: {exc}") from exc


def _gunzip_bounded(data: bytes, max_bytes: int) -> bytes:
    """Inflate every GZIP member of ``data``, never holding more than ``max_bytes + 1`` output.

    ``gzip.decompress`` would first inflate everything, so a few kilobytes from a hostile
    status list server could claim gigabytes of memory before any length check.
    """
    if not data.startswith(_GZIP_MAGIC):
        raise EncodedListError("encodedList is not GZIP data")
    output = bytearray()
    remaining = data
    while remaining:
        if not remaining.startswith(_GZIP_MAGIC):
            raise EncodedListError("trailing bytes after the GZIP stream")
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = remaining
        while not inflater.eof:
            room = max_bytes + 1 - len(output)
            try:
                chunk = inflater.decompress(pending, min(room, _DECOMPRESS_CHUNK))
            except zlib.error as exc:
                raise EncodedListError(f"encodedList GZIP data is corrupt: {exc}") from exc
            # With input spent, zlib may still hold output; only a call yielding nothing ends it.
            if not chunk and not pending:
                raise EncodedListError("encodedList GZIP data is truncated")
            output += chunk
            if len(output) > max_bytes:
                raise EncodedListTooLarge(f"encodedList expands beyond {max_bytes} bytes")
            pending = inflater.unconsumed_tail
        remaining = inflater.unused_data
    return bytes(output)


_BLOCK_BITS = 4096
_BLOCK_BYTES = _BLOCK_BITS // 8
_FREE_BITS_IN_BYTE = tuple(8 - byte.bit_count() for byte in range(256))
# Tries at a uniformly random index before ranking the free ones: with a quarter of a list
# free, 8 tries find a free index 9 times in 10.
_TRIES = 8


class FreeIndexSampler:
    """Uniform random allocation of free entries in an occupancy bitmap (bit set = taken).

    A draw first tries a few uniformly random indexes of the whole bitmap and keeps the first
    free one: on a list that is mostly free that is one or two tries. Only when those all hit
    taken entries does it rank the free ones: a two-level summary keeps the free count of each
    4096-bit block, so it picks a block weighted by its free count, then the free bit of that
    rank inside it. Either way every free index has the same chance: a try returns each free
    index with probability 1/size, and the ranked draw each with 1/free. The ranked draw
    walks up to 32 block counts and 512 bytes in Python, about 45 µs; a reservation of 256
    indexes took 11 ms of CPU that way (README "Figures", evening). The bitmap uses the
    status list bit order and is updated in place.
    """

    __slots__ = ("_occupancy", "_block_free")

    def __init__(self, occupancy: bytearray) -> None:
        self._occupancy = occupancy
        self._block_free = [
            _BLOCK_BITS - int.from_bytes(occupancy[start : start + _BLOCK_BYTES], "big").bit_count()
            for start in range(0, len(occupancy), _BLOCK_BYTES)
        ]
        # The last block may be short; its missing bytes must not count as free.
        short = -len(occupancy) % _BLOCK_BYTES
        if short:
            self._block_free[-1] -= short * 8

    @property
    def free_count(self) -> int:
        return sum(self._block_free)

    def allocate(self, rng: random.Random) -> int | None:
        """Mark and return a uniformly random free index; None when the bitmap is full."""
        free = self.free_count
        if free == 0:
            return None
        size = len(self._occupancy) * 8
        for _ in range(_TRIES):
            index = rng.randrange(size)
            byte_index, bit = divmod(index, 8)
            byte, mask = self._occupancy[byte_index], 0x80 >> bit
            if not byte & mask:
                self._occupancy[byte_index] = byte | mask
                self._block_free[index // _BLOCK_BITS] -= 1
                return index
        rank = rng.randrange(free)
        block = 0
        while rank >= self._block_free[block]:
            rank -= self._block_free[block]
            block += 1
        byte_index = block * _BLOCK_BYTES
        while rank >= _FREE_BITS_IN_BYTE[self._occupancy[byte_index]]:
            rank -= _FREE_BITS_IN_BYTE[self._occupancy[byte_index]]
            byte_index += 1
        byte = self._occupancy[byte_index]
        for bit in range(8):
            mask = 0x80 >> bit
            if not byte & mask:
                if rank == 0:
                    self._occupancy[byte_index] = byte | mask
                    self._block_free[block] -= 1
                    return byte_index * 8 + bit
                rank -= 1
        raise AssertionError("block free counts out of step with the occupancy bitmap")
