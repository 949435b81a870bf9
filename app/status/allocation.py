"""Status index allocation at issuance: a uniformly random free index of the issuer's open list.

Random (not sequential) indexes are what gives a holder herd privacy (BSL §6.1, §6.5): the
index reveals nothing about issue order. Free indexes come from the list's occupancy bitmap,
so allocation never scans the status entries already handed out.
"""

from __future__ import annotations

import random
import threading
import weakref
from collections import deque
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy.orm import Session, sessionmaker

from app.core.urls import PublicUrls
from app.errors import ServiceUnavailable
from app.issuers.service import IssuerContext
from app.status import lists
from app.status.bitstring import FreeIndexSampler
from app.status.models import StatusEntry

ENTRY_TYPE: Final = "BitstringStatusListEntry"
# Each failed attempt means another transaction filled or opened a list meanwhile; a
# handful covers any realistic race, and the caller's retry covers the rest.
_ATTEMPTS: Final = 8
_SYSTEM_RANDOM: Final = random.SystemRandom()


def status_entry(url: str, purpose: str, index: int) -> dict[str, Any]:
    """A ``BitstringStatusListEntry``; its ``id`` is a fragment of the list URL (BSL §2.1)."""
    return {
        "id": f"{url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


class _Blocks:
    """Indexes reserved ``size`` at a time and handed out one per credential, per process.

    Every issuance used to lock the issuer's one open list row, rewrite its 16 KiB bitmap and
    commit: a queue all concurrent issuers of all instances stood in. A block is the same
    uniform draw without replacement as ``size`` single reservations (``_take_indexes``), so
    handing it out in order reveals no more about issue order than single draws; the
    reservation is committed before any index of it is used, so instances still never share
    one. What is lost is at most ``size - 1`` reserved, never used indexes per issuer and
    purpose when a process stops: gaps, as after a failed issuance, in lists of 131,072.
    """

    def __init__(self, sessions: sessionmaker[Session], size: int) -> None:
        self._sessions = sessions
        self._size = size
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._ready: dict[tuple[str, str], deque[tuple[str, str, int]]] = {}

    def take(
        self, issuer_id: str, purpose: str, rng: random.Random, now: datetime
    ) -> tuple[str, str, int]:
        key = (issuer_id, purpose)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
            ready = self._ready.setdefault(key, deque())
        with lock:
            if not ready:
                with self._sessions() as reservation:
                    taken = _take_indexes(reservation, issuer_id, purpose, self._size, rng, now)
                    reservation.commit()
                ready.extend(taken)
            return ready.popleft()


_BLOCKS: Final[weakref.WeakKeyDictionary[sessionmaker[Session], _Blocks]] = (
    weakref.WeakKeyDictionary()
)


def reserve_in_blocks(sessions: sessionmaker[Session], size: int) -> None:
    """Make single issuances that reserve with ``sessions`` take indexes ``size`` at a time.

    For the app's own reservation sessions on PostgreSQL (``create_app``); batches already
    reserve a chunk's indexes at once and do not use the blocks.
    """
    _BLOCKS[sessions] = _Blocks(sessions, size)


def allocate_entries(
    session: Session,
    context: IssuerContext,
    *,
    credential_id: str,
    suspendable: bool,
    urls: PublicUrls,
    rng: random.Random | None = None,
    now: datetime | None = None,
    reserve_with: sessionmaker[Session] | None = None,
) -> dict[str, Any] | list[dict[str, Any]]:
    """Reserve the credential's status indexes and return its ``credentialStatus`` value.

    Call it inside the issuing transaction, before signing. The list rows stay locked until
    that transaction ends, which is what keeps indexes unique across app instances (the
    unique (list, index) constraint is only the backstop). The status entries are added to
    the session but not flushed: the credential row they reference is inserted later by the
    caller, and the unit of work writes it first.

    A revocation entry alone is a single object (the OB 3.0 schema requires one); a
    suspendable credential also gets a suspension entry, and the value is then a list.
    """
    status, rows = reserve_entries(
        session, context, credential_id=credential_id, suspendable=suspendable, urls=urls,
        rng=rng, now=now, reserve_with=reserve_with,
    )  # fmt: skip
    session.add_all(StatusEntry(**row) for row in rows)
    return status


def reserve_entries(
    session: Session,
    context: IssuerContext,
    *,
    credential_id: str,
    suspendable: bool,
    urls: PublicUrls,
    rng: random.Random | None = None,
    now: datetime | None = None,
    reserve_with: sessionmaker[Session] | None = None,
) -> tuple[dict[str, Any] | list[dict[str, Any]], list[dict[str, Any]]]:
    """``allocate_entries`` that leaves the rows to the caller: the ``credentialStatus``
    value and the ``status_entry`` rows as column values, for a caller that inserts them
    itself after the credential row (single issuance, with one Core INSERT)."""
    rng = rng or _SYSTEM_RANDOM
    now = now or datetime.now(UTC)
    purposes = (lists.REVOCATION, lists.SUSPENSION) if suspendable else (lists.REVOCATION,)
    slug = context.issuer.slug
    entries: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for purpose in purposes:
        [(list_id, public_id, index)] = _reserved(
            session, reserve_with, context.issuer.id, purpose, 1, rng, now, single=True
        )
        url = lists.list_url(urls, slug, public_id)
        entries.append(status_entry(url, purpose, index))
        rows.append(
            {"credential_id": credential_id, "purpose": purpose, "list_id": list_id, "index": index}
        )
    return (entries if suspendable else entries[0]), rows


def _take_indexes(
    session: Session, issuer_id: str, purpose: str, count: int, rng: random.Random,
    now: datetime,
) -> list[tuple[str, str, int]]:  # fmt: skip
    """``count`` random free indexes, taken under one lock per list (a batch chunk's worth).

    Each index is drawn uniformly among the indexes still free while the list row is locked,
    so the indexes are a uniform random sample without replacement, exactly what ``count``
    single allocations would give (a single credential's allocation is ``count`` 1).
    """
    taken: list[tuple[str, str, int]] = []
    attempts = 0
    while len(taken) < count:
        attempts += 1
        if attempts > _ATTEMPTS:
            raise ServiceUnavailable(
                f"No {purpose} status list could be opened for this issuer; retry the request."
            )
        list_id = lists.first_open_list_id(session, issuer_id, purpose)
        if list_id is None:
            list_id = lists.create_next_list(session, issuer_id, purpose, now=now)
            if list_id is None:
                continue
        status_list = lists.lock_list(session, list_id)
        if status_list.full:
            continue
        occupancy = bytearray(status_list.occupancy)
        sampler = FreeIndexSampler(occupancy)
        got = 0
        while len(taken) < count:
            index = sampler.allocate(rng)
            if index is None:
                break
            taken.append((status_list.id, status_list.public_id, index))
            got += 1
        status_list.occupancy = bytes(occupancy)
        status_list.allocated_count += got
        status_list.full = sampler.free_count == 0
        if got:
            attempts = 0  # progress: a list filled up, the next one may be opened
    return taken


def _reserved(
    session: Session, reserve_with: sessionmaker[Session] | None, issuer_id: str, purpose: str,
    count: int, rng: random.Random, now: datetime, *, single: bool = False,
) -> list[tuple[str, str, int]]:  # fmt: skip
    """``count`` indexes: (list id, list public id, index).

    On PostgreSQL, given ``reserve_with``, they are reserved in a short transaction of their
    own, so the list row is locked for the reservation only, not while the credentials are
    signed and stored; if the issuance then fails, those indexes stay reserved and unused
    (their bits are never set), a harmless gap. SQLite serializes writers anyway, and a
    second transaction there would wait on the caller's own write lock. A single issuance
    takes its index from a block reserved ahead when the app registered its reservation
    sessions (``reserve_in_blocks``).
    """
    if reserve_with is None or session.get_bind().dialect.name == "sqlite":
        return _take_indexes(session, issuer_id, purpose, count, rng, now)
    blocks = _BLOCKS.get(reserve_with) if single else None
    if blocks is not None:
        return [blocks.take(issuer_id, purpose, rng, now)]
    with reserve_with() as reservation:
        taken = _take_indexes(reservation, issuer_id, purpose, count, rng, now)
        reservation.commit()
    return taken


def reserve_indexes(
    session: Session,
    context: IssuerContext,
    purpose: str,
    count: int,
    *,
    urls: PublicUrls,
    rng: random.Random | None = None,
    now: datetime | None = None,
    reserve_with: sessionmaker[Session] | None = None,
) -> list[tuple[str, str, int]]:
    """``count`` status indexes of one purpose for a batch: (list id, list URL, index).

    One lock and one update of each list row for the whole batch instead of one per
    credential. As in ``allocate_entries``, PostgreSQL reserves them in a short transaction
    of its own when ``reserve_with`` is given; indexes the batch then does not use (a failed
    item) stay reserved and unused, a harmless gap. The caller adds the ``StatusEntry`` rows.
    """
    if count <= 0:
        return []
    rng = rng or _SYSTEM_RANDOM
    now = now or datetime.now(UTC)
    taken = _reserved(session, reserve_with, context.issuer.id, purpose, count, rng, now)
    slug = context.issuer.slug
    return [
        (list_id, lists.list_url(urls, slug, public_id), index)
        for list_id, public_id, index in taken
    ]
