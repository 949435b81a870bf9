"""Pure: an issuer's look on its certificates (logo, colour, signatory, background).

Images arrive as ``data:`` URLs, never as links to fetch: the page and the PDF draw only
bytes that were checked when the issuer stored them. A stored image is a PNG or a JPEG
(its magic bytes agree with the declared type), at most ``MAX_IMAGE_BYTES`` and
``MAX_PIXELS``, and Pillow decodes it fully once, with the pixel count read from the header
before any decoding, so a decompression bomb is refused before it inflates.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import warnings
from dataclasses import dataclass, fields
from typing import Final

from PIL import Image

MAX_IMAGE_BYTES: Final = 512 * 1024
MAX_PIXELS: Final = 8_000_000
MAX_SIDE: Final = 6_000
# The longest data: URL a MAX_IMAGE_BYTES image can be (base64 of it, plus the prefix).
MAX_DATA_URL_CHARS: Final = 4 * -(-MAX_IMAGE_BYTES // 3) + len("data:image/jpeg;base64,")
_DATA_URL: Final = re.compile(r"data:image/(png|jpeg);base64,([A-Za-z0-9+/]*={0,2})")
_MAGIC: Final = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
_FORMATS: Final = {"png": "PNG", "jpeg": "JPEG"}
_COLOUR: Final = re.compile(r"#[0-9a-fA-F]{6}")
INK: Final = "#1a1a1a"
PAPER: Final = "#ffffff"
# Text on a brand colour is black or white: one of them reaches 4.5:1 on any colour (a softer
# ink would not on mid-tones).
BLACK: Final = "#000000"
DEFAULT_COLOUR: Final = "#1f4e79"
# WCAG 2.x AA for normal text.
READABLE: Final = 4.5


def as_data_url(data: bytes) -> str:
    """``data`` (the bytes of a PNG or JPEG file) as the data: URL the API takes; ValueError
    when it is neither or too large (the URL is then checked like any other)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"the image is larger than {MAX_IMAGE_BYTES // 1024} KB")
    kind = next((k for k, magic in _MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise ValueError("the file is not a PNG or JPEG image")
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


@dataclass(frozen=True)
class DataImage:
    media_type: str
    data: bytes
    width: int
    height: int


def check_data_image(value: str) -> DataImage:
    """The image a ``data:image/png|jpeg;base64,…`` URL holds; ValueError says what is wrong."""
    if len(value) > MAX_DATA_URL_CHARS:
        raise ValueError(f"the image is larger than {MAX_IMAGE_BYTES // 1024} KB")
    match = _DATA_URL.fullmatch(value)
    if match is None:
        raise ValueError(
            "an image is a data: URL of a PNG or JPEG, 'data:image/png;base64,…' "
            "(SVG and links to other servers are not accepted)"
        )
    kind, encoded = match.groups()
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the image's base64 is not valid") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise ValueError(f"the image is larger than {MAX_IMAGE_BYTES // 1024} KB")
    if not data.startswith(_MAGIC[kind]):
        raise ValueError(f"the data is not a {kind.upper()} image")
    width, height = _decode(data, _FORMATS[kind])
    return DataImage(media_type=f"image/{kind}", data=data, width=width, height=height)


def _decode(data: bytes, expected: str) -> tuple[int, int]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                    raise ValueError(
                        f"the image is {width}×{height} pixels; at most {MAX_PIXELS:,} pixels "
                        f"and {MAX_SIDE} on a side are accepted"
                    )
                image.load()
    except ValueError:
        raise
    except Exception:  # noqa: BLE001
        # Pillow raises many types on broken or hostile files; they all mean "not an image".
        raise ValueError(f"the data could not be read as a {expected} image") from None
    return width, height


def check_colour(value: str) -> str:
    """A ``#rrggbb`` colour, lower-cased."""
    if not _COLOUR.fullmatch(value):
        raise ValueError("a colour is written #rrggbb, e.g. #1f4e79")
    return value.lower()


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (at least 4.5:1 either way)."""
    return BLACK if contrast(colour, BLACK) >= contrast(colour, PAPER) else PAPER


@dataclass(frozen=True)
class Branding:
    """What an issuer (or one achievement of it) prints; images as checked data: URLs."""

    colour: str | None = None
    logo: str | None = None
    signatory_name: str | None = None
    signatory_title: str | None = None
    signature: str | None = None
    background: str | None = None

    @property
    def accent(self) -> str:
        return self.colour or DEFAULT_COLOUR

    @property
    def on_accent(self) -> str:
        return text_on(self.accent)

    @property
    def accent_as_text(self) -> str:
        """The colour itself when it reads on white paper, else ink (a pale yellow brand)."""
        return self.accent if contrast(self.accent, PAPER) >= READABLE else INK

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything printed changes (part of the downloads' ETag)."""
        digest = hashlib.sha256()
        for field in fields(self):
            digest.update(f"{field.name}={getattr(self, field.name) or ''}\n".encode())
        return digest.hexdigest()[:16]


def page_style(brand: Branding) -> str:
    """The credential page's inline style for this look: validated colours and base64 only,
    so it holds nothing HTML would escape (the page's CSP allows it by its hash). Empty
    for the house look, which the site's stylesheet already is."""
    if brand.colour is None and brand.background is None:
        return ""
    rules = [
        f".credential{{--brand:{brand.accent};--on-brand:{brand.on_accent};"
        f"--brand-text:{brand.accent_as_text}}}"
    ]
    if brand.background and _DATA_URL.fullmatch(brand.background):
        veil = "rgba(255,255,255,.86)"
        rules.append(
            f".credential .hero{{background-image:linear-gradient({veil},{veil}),"
            f"url({brand.background});background-size:cover;background-position:center}}"
        )
    return "".join(rules)


def style_hash(style: str) -> str:
    """The CSP source that allows exactly this inline style."""
    digest = hashlib.sha256(style.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def image_bytes(data_url: str | None) -> bytes | None:
    """The bytes of a stored (already checked) image; None for a remote URL or nothing."""
    if not data_url:
        return None
    match = _DATA_URL.fullmatch(data_url)
    return base64.b64decode(match.group(2)) if match else None


def rgb(colour: str) -> tuple[int, int, int]:
    return _rgb(colour)
