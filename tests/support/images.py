"""Small PNG/JPEG images as data: URLs, and hostile ones, for the branding tests."""

from __future__ import annotations

import base64
import io
import struct
import zlib

from PIL import Image


def image(
    width: int = 60, height: int = 20, *, kind: str = "PNG", colour: str = "#1f4e79"
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format=kind)
    return buffer.getvalue()


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def png_url(width: int = 60, height: int = 20, colour: str = "#1f4e79") -> str:
    return data_url(image(width, height, colour=colour))


def jpeg_url(width: int = 60, height: int = 20) -> str:
    return data_url(image(width, height, kind="JPEG"), "image/jpeg")


def claimed_size_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height``: a decompression bomb's opening."""
    data = bytearray(image(8, 8))
    # Signature (8), IHDR length (4) and type (4), then width and height; CRC over type+data.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)
