"""Text on the PNG badge in any mix of scripts.

Pillow draws a string in one font, and no single installed font covers Latin, Arabic and
Chinese together. So a line is cut into runs, each set in the first face that covers its
letters; spaces and punctuation stay in the run they follow when its face has them. Runs are
laid out left to right, or right to left when the line's first strong letter is Arabic or
Hebrew (the paragraph direction of the Unicode bidi algorithm); inside a run, Pillow's Raqm
layout shapes and orders the letters itself.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageDraw, ImageFont

from app.proofs.fonts import FontFace, available_faces, coverage

AnyFont = ImageFont.FreeTypeFont | ImageFont.ImageFont | ImageFont.TransposedFont
_STRONG = frozenset({"L", "R", "AL"})
_RIGHT_TO_LEFT = frozenset({"R", "AL"})


@dataclass(frozen=True)
class Run:
    text: str
    font: AnyFont


@lru_cache(maxsize=64)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def _font(face: FontFace, size: int, bold: bool) -> AnyFont:
    return _load(str(face.bold if bold else face.regular), face.collection_index, size)


def _covered(face: FontFace) -> frozenset[int]:
    return coverage(face.regular, face.collection_index)


def _face_for(ch: str, faces: list[FontFace]) -> FontFace:
    code = ord(ch)
    return next((face for face in faces if code in _covered(face)), faces[0])


def runs(value: str, size: int, *, bold: bool) -> list[Run]:
    """``value`` as runs in drawing order (left to right on the badge)."""
    faces = available_faces()
    if not faces:
        return [Run(value, ImageFont.load_default(size))]
    pieces: list[tuple[str, FontFace]] = []
    for ch in value:
        strong = unicodedata.bidirectional(ch) in _STRONG
        keep = pieces and not strong and ord(ch) in _covered(pieces[-1][1])
        face = pieces[-1][1] if keep else _face_for(ch, faces)
        if pieces and pieces[-1][1] == face:
            pieces[-1] = (pieces[-1][0] + ch, face)
        else:
            pieces.append((ch, face))
    ordered = [Run(text, _font(face, size, bold)) for text, face in pieces]
    return ordered[::-1] if _right_to_left(value) else ordered


def _right_to_left(value: str) -> bool:
    for ch in value:
        kind = unicodedata.bidirectional(ch)
        if kind in _STRONG:
            return kind in _RIGHT_TO_LEFT
    return False


def measure(value: str, size: int, *, bold: bool) -> float:
    return sum(run.font.getlength(run.text) for run in runs(value, size, bold=bold))


def draw_centred(
    draw: ImageDraw.ImageDraw,
    value: str,
    *,
    centre_x: float,
    y: float,
    size: int,
    bold: bool,
    fill: str | tuple[int, int, int, int],
) -> None:
    """Draw ``value`` centred on ``centre_x`` with its middle at ``y``."""
    line = runs(value, size, bold=bold)
    x = centre_x - sum(run.font.getlength(run.text) for run in line) / 2
    for run in line:
        draw.text((x, y), run.text, font=run.font, fill=fill, anchor="lm")
        x += run.font.getlength(run.text)
