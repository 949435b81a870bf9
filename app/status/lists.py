"""Status list rows: naming, URLs, creation and row locks shared by allocation, changes and
publishing.

Every writer of a list row (allocation, status changes, republishing) takes its row lock
first. On PostgreSQL that is ``SELECT … FOR UPDATE``; SQLite ignores it, but there every
write transaction starts with ``BEGIN IMMEDIATE`` and so runs alone anyway.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import LargeBinary, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.db import UTCDateTime
from app.status.bitstring import MIN_ENTRIES
from app.status.models import StatusList

Purpose = Literal["revocation", "suspension"]
REVOCATION: Final = "revocation"
SUSPENSION: Final = "suspension"
LIST_SIZE: Final = MIN_ENTRIES
"""Entries per list: the REC's minimum herd, and 16 KiB per bitmap."""

_PUBLIC_ID = re.compile(r"^(revocation|suspension)-([1-9][0-9]{0,8})$")


def public_id(purpose: str, number: int) -> str:
    return f"{purpose}-{number}"


def parse_public_id(value: str) -> tuple[Purpose, int] | None:
    """``"revocation-3"`` → ``("revocation", 3)``; None for anything else."""
    match = _PUBLIC_ID.fullmatch(value)
    if match is None:
        return None
    purpose: Purpose = REVOCATION if match.group(1) == REVOCATION else SUSPENSION
    return purpose, int(match.group(2))


def list_url(urls: PublicUrls, slug: str, list_public_id: str) -> str:
    return urls.status_list(slug, list_public_id)


def lock_list(session: Session, list_id: str) -> StatusList:
    """The list row, locked and re-read: values cached earlier in the session may be stale.

    ``FOR NO KEY UPDATE`` (key_share): only non-key columns change, and it must not wait on
    the KEY SHARE locks that inserting status entries (their foreign key) takes, or an index
    reservation would wait on the very issuing transaction it serves.
    """
    return session.scalars(
        select(StatusList)
        .where(StatusList.id == list_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()


def lock_lists(session: Session, list_ids: Iterable[str]) -> dict[str, StatusList]:
    """Several list rows, locked in id order so concurrent writers cannot deadlock."""
    ordered = sorted(set(list_ids))
    if not ordered:
        return {}
    rows = session.scalars(
        select(StatusList)
        .where(StatusList.id.in_(ordered))
        .order_by(StatusList.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {row.id: row for row in rows}


def first_open_list_id(session: Session, issuer_id: str, purpose: str) -> str | None:
    return session.scalar(
        select(StatusList.id)
        .where(
            StatusList.issuer_id == issuer_id,
            StatusList.purpose == purpose,
            StatusList.full.is_(False),
        )
        .order_by(StatusList.number)
        .limit(1)
    )


def create_next_list(
    session: Session, issuer_id: str, purpose: str, *, now: datetime
) -> str | None:
    """Open the issuer's next list for ``purpose`` and return its id, or None if not needed.

    One ``INSERT … SELECT … WHERE NOT EXISTS`` statement, so "no list is open" and "the next
    number" are read from the same snapshot: a list another transaction has committed
    meanwhile stops the insert, and one it has not yet committed makes ours wait, then fail
    on the unique (issuer, purpose, number) constraint. Either way the caller looks again
    for the open list instead of opening a second one. The savepoint keeps that failure
    from aborting the caller's transaction on PostgreSQL.
    """
    same_purpose = (StatusList.issuer_id == issuer_id, StatusList.purpose == purpose)
    next_number = (
        select(func.coalesce(func.max(StatusList.number), 0) + 1)
        .where(*same_purpose)
        .scalar_subquery()
    )
    open_list = select(StatusList.id).where(*same_purpose, StatusList.full.is_(False))
    list_id = new_id()
    empty = bytes(LIST_SIZE // 8)
    values = {
        "id": literal(list_id),
        "issuer_id": literal(issuer_id),
        "purpose": literal(purpose),
        "number": next_number,
        "size": literal(LIST_SIZE),
        "allocated_count": literal(0),
        "occupancy": literal(empty, LargeBinary()),
        "bits": literal(empty, LargeBinary()),
        "version": literal(1),
        "full": literal(False),
        "created_at": literal(now, UTCDateTime()),
    }
    statement = insert(StatusList).from_select(
        list(values), select(*values.values()).where(~exists(open_list))
    )
    try:
        with session.begin_nested():
            inserted = session.connection().execute(statement).rowcount
    except IntegrityError:
        return None
    return list_id if inserted == 1 else None
