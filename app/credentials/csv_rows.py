"""Bulk issuance from CSV rows: each row is one credential request.

Rows are issued in chunks, each committed on its own, so a bad row is reported and skipped
without losing the good ones, and an interrupted run loses at most the chunk in progress.
Every row has an ``external_id`` (its own column, or one derived from the achievement and
the row's content), so re-running the same file replays what was issued instead of issuing
it twice.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from pydantic import ValidationError

from app.credentials.schemas import CredentialCreate

COLUMNS = ("name", "email", "did", "external_id", "valid_from", "valid_until", "credits_earned")
RESULT_COLUMNS = ("row", "credential_id", "page", "error")


def derived_external_id(achievement_id: str, body: dict[str, Any]) -> str:
    """A stable external id for a row without one: the same row of the same file (or of a
    re-exported one) gets the same id, so a re-run replays it."""
    recipient = body.get("recipient", {})
    fields = [achievement_id, *(recipient.get(k) or "" for k in ("name", "email", "did"))]
    fields += [str(body.get(k) or "") for k in ("valid_from", "valid_until", "credits_earned")]
    digest = hashlib.sha256("\x1f".join(fields).encode()).hexdigest()
    return f"csv-{digest[:40]}"


# A spreadsheet's plain date: the start of that day in UTC (a credential needs an instant).
_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Row:
    line: int
    request: CredentialCreate | None
    error: str | None
    body: dict[str, Any] | None = None


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
        body.setdefault("external_id", derived_external_id(achievement_id, body))
        try:
            yield Row(line, CredentialCreate.model_validate(body), None, body)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            yield Row(line, None, problems)
