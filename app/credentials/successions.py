"""Links between a re-issued credential and its successor (read by pages and verification)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from app.credentials.models import CredentialSuccession


@dataclass(frozen=True)
class Links:
    replaced_by: str | None
    replaces: str | None


def links_of(session: Session, credential_ids: list[str]) -> dict[str, Links]:
    """Successor and predecessor of each credential, in one query."""
    if not credential_ids:
        return {}
    rows = session.scalars(
        select(CredentialSuccession).where(
            CredentialSuccession.predecessor_id.in_(credential_ids)
            | CredentialSuccession.successor_id.in_(credential_ids)
        )
    ).all()
    after = {row.predecessor_id: row.successor_id for row in rows}
    before = {row.successor_id: row.predecessor_id for row in rows}
    return {cid: Links(after.get(cid), before.get(cid)) for cid in credential_ids}


# Built once: every verification of one of our credentials asks. Public so that a reader
# can fetch it together with other rows in one round trip.
SUCCESSOR: Final = select(CredentialSuccession.successor_id).where(
    CredentialSuccession.predecessor_id == bindparam("credential_id")
)


def successor_of(session: Session, credential_id: str) -> str | None:
    successor: str | None = session.scalar(SUCCESSOR, {"credential_id": credential_id})
    return successor
