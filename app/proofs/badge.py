"""Pure: a clean badge picture drawn from the achievement and issuer names, as PNG or SVG.

We never fetch an achievement's remote image server-side (it would let any issuer make us
request any URL), so every badge is drawn here: a coloured disc, the achievement name and
the issuer's name. The colour is derived from the names, so one achievement always looks the
same, and every colour in the palette keeps white text above WCAG AA contrast (4.5:1).
"""

from __future__ import annotations

import hashlib
import io
import math
import unicodedata
from collections.abc import Callable
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw

from app.proofs import pngtext
from app.proofs.summary import CredentialSummary

SIZE: Final = 512
PALETTE: Final = ("#1f4e79", "#1b5e20", "#4a148c", "#7f1d1d", "#004d40", "#37474f", "#0d47a1")
SVG_FONTS: Final = "'Noto Sans', 'Noto Sans CJK SC', 'Noto Sans Arabic', system-ui, sans-serif"
_NAME_SIZES: Final = (46, 40, 34, 28)
_NAME_MAX_LINES: Final = 4
_NAME_WIDTH: Final = 360
_ISSUER_SIZE: Final = 22
_ISSUER_WIDTH: Final = 300


def colour_for(summary: CredentialSummary) -> str:
    seed = f"{summary.achievement_name}\n{summary.issuer_name or ''}".encode()
    return PALETTE[hashlib.sha256(seed).digest()[0] % len(PALETTE)]


def wrap(value: str, fits: Callable[[str], bool], max_lines: int) -> tuple[list[str], bool]:
    """Greedy line breaking at spaces (or anywhere, for unspaced scripts such as Chinese).

    Returns the lines and whether everything fitted; the last line of a cut text ends in "…".
    """
    tokens: list[str] = []
    for word in value.split():
        tokens.extend(_split_unspaced(word, fits))
    lines: list[str] = []
    for token in tokens:
        joiner = "" if lines and _is_wide(lines[-1][-1]) and _is_wide(token[0]) else " "
        if lines and fits(lines[-1] + joiner + token):
            lines[-1] += joiner + token
        else:
            lines.append(token)
    if len(lines) <= max_lines:
        return lines, True
    kept = lines[:max_lines]
    last = kept[-1]
    while last and not fits(last + "…"):
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept, False


def _split_unspaced(word: str, fits: Callable[[str], bool]) -> list[str]:
    if fits(word):
        return [word]
    pieces, current = [], ""
    for ch in word:
        if current and not fits(current + ch):
            pieces.append(current)
            current = ""
        current += ch
    return [*pieces, current] if current else pieces


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _estimated_width(value: str, font_size: int) -> float:
    """Rough advance width for SVG layout, where the viewer's font is not ours to measure."""
    return sum((1.0 if _is_wide(ch) else 0.56) * font_size for ch in value)


# ---- PNG ---------------------------------------------------------------------------------


def _png_lines(
    value: str, sizes: tuple[int, ...], width: int, max_lines: int, *, bold: bool
) -> tuple[list[str], int]:
    for size in sizes:

        def fits(candidate: str, size: int = size) -> bool:
            return pngtext.measure(candidate, size, bold=bold) <= width

        lines, complete = wrap(value, fits, max_lines)
        if complete or size == sizes[-1]:
            return lines, size
    raise AssertionError("unreachable: the last size always returns")


def render_png(summary: CredentialSummary) -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=colour_for(summary))
    draw.ellipse((34, 34, SIZE - 34, SIZE - 34), outline=(255, 255, 255, 170), width=4)
    _draw_star(draw, SIZE // 2, 110, 30)
    name_lines, name_size = _png_lines(
        summary.achievement_name, _NAME_SIZES, _NAME_WIDTH, _NAME_MAX_LINES, bold=True
    )
    line_height = int(name_size * 1.25)
    top = 268 - line_height * (len(name_lines) - 1) // 2
    for index, line in enumerate(name_lines):
        pngtext.draw_centred(
            draw,
            line,
            centre_x=SIZE / 2,
            y=top + index * line_height,
            size=name_size,
            bold=True,
            fill="white",
        )
    if summary.issuer_name:
        [issuer_line], _ = _png_lines(
            summary.issuer_name, (_ISSUER_SIZE,), _ISSUER_WIDTH, 1, bold=False
        )
        pngtext.draw_centred(
            draw,
            issuer_line,
            centre_x=SIZE / 2,
            y=420,
            size=_ISSUER_SIZE,
            bold=False,
            fill=(255, 255, 255, 230),
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _star_points(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    points = []
    for index in range(10):
        r = radius if index % 2 == 0 else radius * 0.45
        angle = math.pi / 2 + index * math.pi / 5
        points.append((cx + r * math.cos(angle), cy - r * math.sin(angle)))
    return points


def _draw_star(draw: ImageDraw.ImageDraw, cx: int, cy: int, radius: int) -> None:
    draw.polygon(_star_points(cx, cy, radius), fill=(255, 255, 255, 235))


# ---- SVG ---------------------------------------------------------------------------------


def render_svg(summary: CredentialSummary, *, embedded: str = "") -> str:
    """The badge as SVG; ``embedded`` is markup placed first inside the root (the baked data)."""
    colour = colour_for(summary)
    name_lines, name_size = _svg_lines(summary.achievement_name)
    line_height = int(name_size * 1.25)
    top = 268 - line_height * (len(name_lines) - 1) // 2
    title = summary.achievement_name + (f" · {summary.issuer_name}" if summary.issuer_name else "")
    star = " ".join(f"{x:.1f},{y:.1f}" for x, y in _star_points(SIZE / 2, 110, 30))
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" '
        f'width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        'aria-labelledby="badge-title">',
        embedded,
        f'<title id="badge-title">{escape(title)}</title>',
        f'<circle cx="256" cy="256" r="248" fill="{colour}"/>',
        '<circle cx="256" cy="256" r="222" fill="none" stroke="#ffffff" '
        'stroke-opacity="0.67" stroke-width="4"/>',
        f'<polygon points="{star}" fill="#ffffff" fill-opacity="0.92"/>',
        f'<g font-family={quoteattr(SVG_FONTS)} fill="#ffffff" text-anchor="middle" '
        'dominant-baseline="central">',
    ]
    for index, line in enumerate(name_lines):
        y = top + index * line_height
        parts.append(
            f'<text x="256" y="{y}" font-size="{name_size}" font-weight="700">{escape(line)}</text>'
        )
    if summary.issuer_name:
        [issuer_line], _ = wrap(summary.issuer_name, _fits_issuer, 1)
        parts.append(
            f'<text x="256" y="420" font-size="{_ISSUER_SIZE}" fill-opacity="0.9">'
            f"{escape(issuer_line)}</text>"
        )
    parts.append("</g></svg>\n")
    return "".join(parts)


def _fits_issuer(candidate: str) -> bool:
    return _estimated_width(candidate, _ISSUER_SIZE) <= _ISSUER_WIDTH


def _svg_lines(value: str) -> tuple[list[str], int]:
    for size in _NAME_SIZES:

        def fits(candidate: str, size: int = size) -> bool:
            return _estimated_width(candidate, size) <= _NAME_WIDTH

        lines, complete = wrap(value, fits, _NAME_MAX_LINES)
        if complete or size == _NAME_SIZES[-1]:
            return lines, size
    raise AssertionError("unreachable: the last size always returns")
