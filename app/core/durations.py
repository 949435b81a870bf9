"""ISO 8601 durations (``P2Y``, ``P18M``, ``P90D``, ``P1Y6M``) for credential validity.

Parsed by ``isodate``; calendar units stay calendar units, so 2024-02-29 + P1Y is
2025-02-28 and 2026-01-31 + P1M is 2026-02-28.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

import isodate

MAX_SPAN: Final = timedelta(days=366 * 100)
MAX_LENGTH: Final = 64


def parse_duration(value: str) -> isodate.Duration | timedelta:
    """A positive duration of at most 100 years; ValueError saying why not."""
    if not isinstance(value, str) or not value.startswith("P") or len(value) > MAX_LENGTH:
        raise ValueError("an ISO 8601 duration such as P2Y, P18M or P90D is expected")
    try:
        duration = isodate.parse_duration(value)
    except (isodate.ISO8601Error, ValueError, ArithmeticError) as error:
        raise ValueError(f"{value!r} is not an ISO 8601 duration ({error})") from None
    anchor = datetime(2000, 1, 1)
    try:
        span = (anchor + duration) - anchor
    except (OverflowError, ValueError, ArithmeticError):
        raise ValueError(f"{value!r} is longer than 100 years") from None
    if span <= timedelta(0):
        raise ValueError(f"{value!r} is not a positive duration")
    if span > MAX_SPAN:
        raise ValueError(f"{value!r} is longer than 100 years")
    return duration


def add_duration(start: datetime, value: str) -> datetime:
    result: datetime = start + parse_duration(value)
    return result
