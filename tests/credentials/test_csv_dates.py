"""CSV rows take plain dates (a spreadsheet's) as well as full timestamps."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from app.credentials.csv_rows import read_rows

HEADER = "name,email,valid_from,valid_until\n"


def _rows(text: str) -> list:  # type: ignore[type-arg]
    return list(read_rows(io.StringIO(HEADER + text), "ach-1"))


def test_a_plain_date_is_midnight_utc() -> None:
    (row,) = _rows("Zoë,zoe@example.org,2026-09-01,2027-09-01\n")
    assert row.error is None, row.error
    assert row.request is not None
    assert row.request.valid_from == datetime(2026, 9, 1, tzinfo=UTC)
    assert row.request.valid_until == datetime(2027, 9, 1, tzinfo=UTC)


def test_full_timestamps_still_work() -> None:
    (row,) = _rows("Zoë,zoe@example.org,2026-09-01T08:30:00+02:00,\n")
    assert row.error is None, row.error
    assert row.request is not None
    assert row.request.valid_from == datetime(2026, 9, 1, 6, 30, tzinfo=UTC)


def test_a_bad_date_is_reported_on_its_row() -> None:
    rows = _rows("A,a@example.org,2026-13-01,\nB,b@example.org,01/09/2026,\n")
    assert [row.line for row in rows] == [2, 3]
    assert all(row.request is None and row.error and "valid_from" in row.error for row in rows)
