"""Flip status bits by list id and index: what a revocation, suspension or reinstatement
does to the lists (the credential side is ``app/credentials/lifecycle.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from app.status import lists
from app.status.bitstring import Bitstring
from app.status.models import StatusList


def set_bits(
    session: Session, by_list: Mapping[str, Sequence[int]], value: bool
) -> list[StatusList]:
    """Set (or clear) the bits, one version bump per list touched; rows locked in id order."""
    changed = []
    for list_id, status_list in lists.lock_lists(session, by_list).items():
        bitstring = Bitstring.from_bytes(status_list.bits)
        for index in by_list[list_id]:
            bitstring.set(index, value)
        status_list.bits = bitstring.to_bytes()
        status_list.version += 1
        changed.append(status_list)
    return changed
