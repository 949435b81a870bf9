"""The fonts certificates and badges are set in: Noto, and WenQuanYi Micro Hei for CJK.

They come from the operating system (Debian ``fonts-noto-core`` and
``fonts-wqy-microhei``), not from the repository. Chinese, Japanese and Korean are set in
WenQuanYi Micro Hei rather than Noto Sans CJK because Noto CJK has CFF outlines, whose subsets
fpdf2 embeds with wrong glyph widths (text extraction and strict viewers misplace the
characters); Micro Hei has TrueType outlines and no bold, so its regular face serves both
weights. For each text we pick the faces that cover its characters, reading only each font's
character map (cached), so a Latin-only certificate never loads the CJK font. When none of
these fonts is installed the renderers fall back to what they can draw and say so in the
log; the embedded credential, which is the proof, is unaffected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

# fontTools ships no type information; pyproject.toml tells mypy so.
from fontTools.ttLib import TTFont

log = logging.getLogger("learnproof.proofs")

_TRUETYPE: Final = Path("/usr/share/fonts/truetype/noto")
_MICRO_HEI: Final = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@dataclass(frozen=True)
class FontFace:
    family: str
    regular: Path
    bold: Path
    collection_index: int = 0


# Order matters: the first face covering a character draws it.
FACES: Final = (
    FontFace("NotoSans", _TRUETYPE / "NotoSans-Regular.ttf", _TRUETYPE / "NotoSans-Bold.ttf"),
    FontFace(
        "NotoSansArabic",
        _TRUETYPE / "NotoSansArabic-Regular.ttf",
        _TRUETYPE / "NotoSansArabic-Bold.ttf",
    ),
    FontFace(
        "NotoSansHebrew",
        _TRUETYPE / "NotoSansHebrew-Regular.ttf",
        _TRUETYPE / "NotoSansHebrew-Bold.ttf",
    ),
    FontFace(
        "NotoSansDevanagari",
        _TRUETYPE / "NotoSansDevanagari-Regular.ttf",
        _TRUETYPE / "NotoSansDevanagari-Bold.ttf",
    ),
    FontFace(
        "NotoSansThai", _TRUETYPE / "NotoSansThai-Regular.ttf", _TRUETYPE / "NotoSansThai-Bold.ttf"
    ),
    # Covers Han, kana and hangul; index 0 is the proportional face (1 is monospaced).
    FontFace("WenQuanYiMicroHei", _MICRO_HEI, _MICRO_HEI),
)

_IGNORABLE: Final = frozenset(" \t\n\r\u200b\u200c\u200d\u200e\u200f\ufeff")


def available_faces() -> list[FontFace]:
    """The faces installed on this machine, in preference order."""
    return [face for face in FACES if face.regular.is_file() and face.bold.is_file()]


@cache
def coverage(path: Path, collection_index: int) -> frozenset[int]:
    """The code points a font file maps to glyphs (its best cmap)."""
    try:
        font = TTFont(path, fontNumber=collection_index, lazy=True)
        try:
            cmap = font.getBestCmap() or {}
        finally:
            font.close()
    except (OSError, ValueError, KeyError, AssertionError):
        # A damaged font is as good as a missing one: draw with the others.
        log.warning("font %s could not be read; text it alone covers will not render", path)
        return frozenset()
    return frozenset(cmap)


def faces_for(texts: Iterable[str]) -> list[FontFace]:
    """The installed faces needed to draw ``texts``: the primary face, then only useful ones."""
    faces = available_faces()
    if not faces:
        return []
    missing = {ord(ch) for chunk in texts for ch in chunk if ch not in _IGNORABLE}
    chosen = [faces[0]]
    missing -= coverage(faces[0].regular, faces[0].collection_index)
    for face in faces[1:]:
        if not missing:
            break
        covered = missing & coverage(face.regular, face.collection_index)
        if covered:
            chosen.append(face)
            missing -= covered
    if missing:
        log.warning("no installed font covers %d character(s) of a certificate", len(missing))
    return chosen
