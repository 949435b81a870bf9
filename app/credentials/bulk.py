"""Bulk issuance from CSV rows: each row is one credential request, issued one by one.

Each row commits on its own, so a bad row is reported and skipped without losing the good
ones, and a re-run of the same file is safe: rows with an ``external_id`` replay instead of
issuing twice.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from pydantic import ValidationError

from app.credentials.schemas import CredentialCreate

COLUMNS = ("name", "email", "did", "external_id", "valid_from", "valid_until", "credits_earned")


# A spreadsheet's plain date: the start of that day in UTC (a credential needs an instant).
_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Row:
    line: int
    request: CredentialCreate | None
    error: str | None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def read_rows(handle: IO[str], achievement_id: str) -> Iterator[Row]:
    reader = csv.DictReader(handle)
    unknown = set(reader.fieldnames or []) - set(COLUMNS)
    if not reader.fieldnames or unknown:
        raise ValueError(
            f"the CSV header must use the columns {', '.join(COLUMNS)}"
            + (f"; unknown: {', '.join(sorted(unknown))}" if unknown else "")
        )
    for row in reader:
        line = reader.line_num
        body: dict[str, Any] = {
            "achievement_id": achievement_id,
            "recipient": {
                k: _clean(row.get(k)) for k in ("name", "email", "did") if _clean(row.get(k))
            },
        }
        for key in ("external_id", "valid_from", "valid_until", "credits_earned"):
            value = _clean(row.get(key))
            if value is not None:
                if key.startswith("valid_") and _PLAIN_DATE.match(value):
                    value += "T00:00:00Z"
                body[key] = value
        try:
            yield Row(line, CredentialCreate.model_validate(body), None)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            yield Row(line, None, problems)
