"""Injectable time, so builders and checks can be tested at a pinned instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    instant: datetime

    def now(self) -> datetime:
        return self.instant


def isoformat_z(moment: datetime) -> str:
    """XML Schema dateTimeStamp in UTC with a ``Z`` suffix and second precision."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_datetime(value: str) -> datetime:
    """Parse a dateTimeStamp; a value without a time zone is refused (VCDM §4.9)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment
