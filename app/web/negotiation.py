"""Accept-header negotiation for the credential page: HTML unless JSON is preferred."""

from __future__ import annotations

from typing import Final

_JSON_TYPES: Final = ("application/json", "application/ld+json", "application/vc+ld+json")


def _ranges(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        media_type, *params = (piece.strip() for piece in part.split(";"))
        if not media_type:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media_type.lower(), quality))
    return ranges


def _quality(ranges: list[tuple[str, float]], media_type: str) -> float:
    """The q of the most specific range matching ``media_type`` (RFC 9110 §12.5.1)."""
    main = media_type.split("/")[0]
    best, quality = -1, 0.0
    for candidate, candidate_quality in ranges:
        specificity = {media_type: 2, f"{main}/*": 1, "*/*": 0}.get(candidate, -1)
        if specificity > best:
            best, quality = specificity, candidate_quality
    return quality


def wants_json(accept: str | None) -> bool:
    """True when the client ranks a JSON type strictly above HTML; browsers get HTML."""
    if not accept:
        return False
    ranges = _ranges(accept)
    json_quality = max(_quality(ranges, media_type) for media_type in _JSON_TYPES)
    return json_quality > _quality(ranges, "text/html")
