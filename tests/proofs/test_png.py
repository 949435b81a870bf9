from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image

from app.proofs.badge import render_png
from app.proofs.payload import ExtractionError
from app.proofs.png import KEYWORD, SIGNATURE, _chunk, bake_png, extract_from_png
from app.proofs.summary import summarise
from tests.proofs.samples import JWT, credential


@pytest.fixture(scope="module")
def badge() -> bytes:
    return render_png(summarise(credential()))


def _with_chunk(image: bytes, kind: bytes, body: bytes) -> bytes:
    """``image`` with one more chunk just before IEND."""
    end = image.rindex(b"IEND") - 4
    return image[:end] + _chunk(kind, body) + image[end:]


def test_json_round_trip_keeps_every_character(badge: bytes) -> None:
    vc = credential()
    baked = bake_png(badge, json.dumps(vc, ensure_ascii=False))
    assert extract_from_png(baked) == vc


def test_the_baked_chunk_is_a_standard_itxt_that_pillow_reads(badge: bytes) -> None:
    vc = credential()
    image = Image.open(io.BytesIO(bake_png(badge, json.dumps(vc))))
    image.load()
    assert image.size == (512, 512)
    assert json.loads(image.text["openbadgecredential"]) == vc


def test_jwt_round_trip(badge: bytes) -> None:
    assert extract_from_png(bake_png(badge, JWT)) == JWT


def test_baking_again_replaces_the_credential(badge: bytes) -> None:
    twice = bake_png(bake_png(badge, json.dumps(credential())), JWT)
    assert twice.count(KEYWORD) == 1
    assert extract_from_png(twice) == JWT


def test_a_compressed_chunk_from_another_baker_is_read(badge: bytes) -> None:
    text = json.dumps(credential()).encode()
    body = KEYWORD + b"\x00\x01\x00\x00\x00" + zlib.compress(text)
    assert extract_from_png(_with_chunk(badge, b"iTXt", body)) == credential()


def test_a_zlib_bomb_stops_at_the_payload_limit(badge: bytes) -> None:
    bomb = zlib.compress(b"{" + b" " * 50_000_000 + b"}", 9)
    assert len(bomb) < 100_000
    body = KEYWORD + b"\x00\x01\x00\x00\x00" + bomb
    with pytest.raises(ExtractionError, match="larger than 1 MB"):
        extract_from_png(_with_chunk(badge, b"iTXt", body))


def test_a_declared_pixel_bomb_is_refused_before_reading_further() -> None:
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 6, 0, 0, 0))
    data = SIGNATURE + header + _chunk(b"IEND", b"")
    with pytest.raises(ExtractionError, match="too large"):
        extract_from_png(data)


def test_two_credentials_are_ambiguous(badge: bytes) -> None:
    once = bake_png(badge, JWT)
    body = KEYWORD + b"\x00\x00\x00\x00\x00" + JWT.encode()
    with pytest.raises(ExtractionError, match="more than one"):
        extract_from_png(_with_chunk(once, b"iTXt", body))


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda b: b[:-20], "truncated"),
        (lambda b: b[:40] + bytes([b[40] ^ 0xFF]) + b[41:], "damaged"),
        (lambda b: b"GIF89a" + b[6:], "not a PNG"),
    ],
)
def test_broken_files_are_refused_in_words(badge: bytes, mangle: object, message: str) -> None:
    baked = bake_png(badge, JWT)
    with pytest.raises(ExtractionError, match=message):
        extract_from_png(mangle(baked))  # type: ignore[operator]


def test_a_plain_png_has_no_credential(badge: bytes) -> None:
    with pytest.raises(ExtractionError, match="no Open Badges credential"):
        extract_from_png(badge)
