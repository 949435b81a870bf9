"""The fonts certificates and badges are set in: Noto, and WenQuanYi Micro Hei for CJK.

They ship inside the package (``app/proofs/typefaces``, copied unchanged from Debian's
``fonts-noto-core`` and ``fonts-wqy-microhei``; OFL-1.1 and Apache-2.0, licences beside
them), so a plain install on any OS prints a Chinese or Arabic name right; the system's
font folders are only a fallback for a trimmed package. Chinese, Japanese and Korean are set in
WenQuanYi Micro Hei rather than Noto Sans CJK because Noto CJK has CFF outlines, whose subsets
fpdf2 embeds with wrong glyph widths (text extraction and strict viewers misplace the
characters); Micro Hei has TrueType outlines and no bold, so its regular face serves both
weights. For each text we pick the faces that cover its characters, reading only each font's
character map (cached), so a Latin-only certificate never loads the CJK font. When none of
these fonts is installed the badge falls back to what it can draw; a PDF certificate whose
text has a character no font covers is refused (``UnprintableText``) rather than printed
with replacement glyphs.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

# fontTools ships no type information; pyproject.toml tells mypy so.
from fontTools.ttLib import TTFont

log = logging.getLogger("learnproof.proofs")

BUNDLED: Final = Path(__file__).parent / "typefaces"
# Where Debian puts the same files: used only when a bundled file is missing.
SYSTEM_FOLDERS: list[Path] = [
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/truetype/wqy"),
]


class UnprintableText(ValueError):
    """No available font draws some characters of a certificate."""

    def __init__(self, characters: list[str]) -> None:
        self.characters = characters
        shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in characters[:5])
        more = f" and {len(characters) - 5} more" if len(characters) > 5 else ""
        super().__init__(
            f"The certificate cannot be printed: no font shipped with LearnProof can draw "
            f"{shown}{more}. The credential itself is unaffected; its JSON-LD and VC-JWT "
            f"downloads carry the text exactly."
        )


def locate(name: str) -> Path:
    """The bundled font file, else the system's copy (a path that may not exist)."""
    for folder in (BUNDLED, *SYSTEM_FOLDERS):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return BUNDLED / name


@dataclass(frozen=True)
class FontFace:
    family: str
    regular: Path
    bold: Path
    collection_index: int = 0


# Order matters: the first face covering a character draws it. (family, regular, bold)
_FILES: Final = (
    ("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    ("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    ("NotoSansDevanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    ("NotoSansThai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"),
    # Covers Han, kana and hangul; index 0 is the proportional face (1 is monospaced).
    ("WenQuanYiMicroHei", "wqy-microhei.ttc", "wqy-microhei.ttc"),
)


def faces() -> tuple[FontFace, ...]:
    return tuple(
        FontFace(family, locate(regular), locate(bold)) for family, regular, bold in _FILES
    )


_IGNORABLE: Final = frozenset(" \t\n\r\u200b\u200c\u200d\u200e\u200f\ufeff")


def available_faces() -> list[FontFace]:
    """The faces installed on this machine, in preference order."""
    return [face for face in faces() if face.regular.is_file() and face.bold.is_file()]


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
    """The faces needed to draw ``texts``: the primary face, then only useful ones.

    Raises UnprintableText when some character is drawn by none of them.
    """
    found = available_faces()
    missing = {ord(ch) for chunk in texts for ch in chunk if ch not in _IGNORABLE}
    if not found:
        raise UnprintableText(sorted(chr(code) for code in missing)[:20] or ["?"])
    chosen = [found[0]]
    missing -= coverage(found[0].regular, found[0].collection_index)
    for face in found[1:]:
        if not missing:
            break
        covered = missing & coverage(face.regular, face.collection_index)
        if covered:
            chosen.append(face)
            missing -= covered
    # Control and format characters are never drawn; a printable one no font has is refused.
    unprintable = sorted(chr(c) for c in missing if unicodedata.category(chr(c))[0] != "C")
    if unprintable:
        raise UnprintableText(unprintable)
    return chosen
