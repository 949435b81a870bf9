"""HTTP content negotiation (RFC 9110 §12.5.1), shared by every page that offers several forms."""

from __future__ import annotations

from collections.abc import Sequence


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q values (bad q counts as 0)."""
    ranges = []
    for part in (header or "").split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media_range.lower(), quality))
    return ranges


def quality(ranges: list[tuple[str, float]], media_type: str) -> float:
    """The q of the most specific range matching ``media_type``; 0 when none matches."""
    major = media_type.split("/")[0]
    best, found = -1, 0.0
    for candidate, candidate_quality in ranges:
        specificity = {media_type: 2, f"{major}/*": 1, "*/*": 0}.get(candidate, -1)
        if specificity > best:
            best, found = specificity, candidate_quality
    return found


def best_match(accept: str | None, offered: Sequence[str]) -> str:
    """The offered type rated highest (earlier offers win ties); the first when none fits."""
    if not accept:
        return offered[0]
    ranges = parse_accept(accept)
    rated = [(quality(ranges, media_type), media_type) for media_type in offered]
    top = max(q for q, _ in rated)
    if top <= 0:
        return offered[0]
    return next(media_type for q, media_type in rated if q == top)


def prefers(accept: str | None, wanted: Sequence[str], over: Sequence[str]) -> bool:
    """True when some type of ``wanted`` is rated strictly above every type of ``over``."""
    if not accept:
        return False
    ranges = parse_accept(accept)
    return max(quality(ranges, t) for t in wanted) > max(quality(ranges, t) for t in over)
