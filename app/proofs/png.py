"""Open Badges 3.0 PNG baking: one ``iTXt`` chunk, keyword ``openbadgecredential``.

The chunk's text is the credential as JSON (with its embedded proof) or as a compact JWT,
uncompressed, as the OB 3.0 baking rules ask. Chunks are read and written directly: extracting
never decodes pixel data, so an image-decompression bomb costs nothing, and the header's
declared size is still checked against a pixel limit before anything else is read.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Final

from app.proofs.payload import (
    MAX_PAYLOAD_BYTES,
    ExtractionError,
    Payload,
    check_file_size,
    parse_payload,
)

SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
KEYWORD: Final = b"openbadgecredential"
# Pillow's own default bomb limit is about 89 megapixels; a badge needs far fewer.
MAX_PIXELS: Final = 40_000_000
_CHUNK_HEAD = struct.Struct(">I4s")


def _chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, data) for every chunk, checking lengths and CRCs against the real byte count."""
    if not data.startswith(SIGNATURE):
        raise ExtractionError("The file is not a PNG image.")
    offset = len(SIGNATURE)
    while offset < len(data):
        if offset + 12 > len(data):
            raise ExtractionError("The PNG image is truncated.")
        length, kind = _CHUNK_HEAD.unpack_from(data, offset)
        end = offset + 8 + length
        if end + 4 > len(data):
            raise ExtractionError("The PNG image is truncated.")
        body = data[offset + 8 : end]
        (crc,) = struct.unpack_from(">I", data, end)
        if zlib.crc32(kind + body) != crc:
            raise ExtractionError("The PNG image is damaged (a chunk checksum is wrong).")
        yield kind, body
        offset = end + 4
        if kind == b"IEND":
            return
    raise ExtractionError("The PNG image has no end chunk.")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return _CHUNK_HEAD.pack(len(body), kind) + body + struct.pack(">I", zlib.crc32(kind + body))


def _is_badge_chunk(kind: bytes, body: bytes) -> bool:
    return kind == b"iTXt" and body.split(b"\x00", 1)[0] == KEYWORD


def bake_png(image: bytes, payload: str) -> bytes:
    """``image`` with ``payload`` (credential JSON or JWT) as its only badge chunk."""
    text = payload.encode("utf-8")
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translation NUL
    body = KEYWORD + b"\x00\x00\x00" + b"\x00" + b"\x00" + text
    out = [SIGNATURE]
    for kind, chunk_body in _chunks(image):
        if _is_badge_chunk(kind, chunk_body):
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", body))
        out.append(_chunk(kind, chunk_body))
    return b"".join(out)


def extract_from_png(data: bytes) -> Payload:
    """The credential baked into a PNG badge (JSON object or compact JWT)."""
    check_file_size(data)
    found: list[str] = []
    for index, (kind, body) in enumerate(_chunks(data)):
        if index == 0:
            _check_header(kind, body)
        elif _is_badge_chunk(kind, body):
            found.append(_itxt_text(body))
    if not found:
        raise ExtractionError("The PNG image carries no Open Badges credential.")
    if len(found) > 1:
        raise ExtractionError("The PNG image carries more than one credential; it is ambiguous.")
    return parse_payload(found[0])


def _check_header(kind: bytes, body: bytes) -> None:
    if kind != b"IHDR" or len(body) != 13:
        raise ExtractionError("The PNG image has no valid header.")
    width, height = struct.unpack_from(">II", body)
    if width * height > MAX_PIXELS:
        raise ExtractionError("The PNG image is too large to be a badge.")


def _itxt_text(body: bytes) -> str:
    try:
        _keyword, rest = body.split(b"\x00", 1)
        compressed, method = rest[0], rest[1]
        _language, rest = rest[2:].split(b"\x00", 1)
        _translated, raw = rest.split(b"\x00", 1)
    except (ValueError, IndexError):
        raise ExtractionError("The PNG badge chunk is malformed.") from None
    if compressed:
        if method != 0:
            raise ExtractionError("The PNG badge chunk uses an unknown compression method.")
        raw = _inflate(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ExtractionError("The PNG badge chunk is not UTF-8 text.") from None


def _inflate(raw: bytes) -> bytes:
    """Decompress at most ``MAX_PAYLOAD_BYTES``: a zlib bomb stops there."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, MAX_PAYLOAD_BYTES + 1)
    except zlib.error:
        raise ExtractionError("The PNG badge chunk does not decompress.") from None
    if len(out) > MAX_PAYLOAD_BYTES or inflater.unconsumed_tail:
        raise ExtractionError("The embedded credential is larger than 1 MB.")
    return out
