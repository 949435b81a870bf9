"""The audit log's hash chain (pure): each entry hashes its content and its predecessor's hash.

``entry_hash = SHA-256(canonical JSON of {prev_hash, occurred_at, actor, action, issuer_slug,
credential_id, details})``, hex. The first entry's ``prev_hash`` is ``GENESIS``. Changing,
removing or reordering any committed entry changes every later link, which ``learnproof
audit verify`` detects. This format is a stored contract: migration 0008 backfills with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS = "0" * 64


def canonical_content(
    *,
    prev_hash: str,
    occurred_at: datetime,
    actor: str,
    action: str,
    issuer_slug: str | None,
    credential_id: str | None,
    details: dict[str, Any],
) -> bytes:
    content = {
        "prev_hash": prev_hash,
        # Microseconds kept: both databases store them, so the value survives a round trip.
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "issuer_slug": issuer_slug,
        "credential_id": credential_id,
        "details": details,
    }
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def entry_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical_content(**fields)).hexdigest()


class Content(Protocol):
    """What an entry's hash covers besides the previous hash (a stored or a new entry)."""

    @property
    def occurred_at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def issuer_slug(self) -> str | None: ...
    @property
    def credential_id(self) -> str | None: ...
    @property
    def details(self) -> dict[str, Any]: ...


def hash_after(previous: str, entry: Content) -> str:
    """The hash of ``entry`` linked after an entry whose hash is ``previous``."""
    return hashlib.sha256(content_after(previous, entry)).hexdigest()


def content_after(previous: str, entry: Content) -> bytes:
    """The canonical content of ``entry`` linked after the hash ``previous``."""
    return canonical_content(
        prev_hash=previous,
        occurred_at=entry.occurred_at,
        actor=entry.actor,
        action=entry.action,
        issuer_slug=entry.issuer_slug,
        credential_id=entry.credential_id,
        details=entry.details,
    )


@dataclass(frozen=True)
class Entry:
    id: int
    prev_hash: str | None
    entry_hash: str | None
    occurred_at: datetime
    actor: str
    action: str
    issuer_slug: str | None
    credential_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    entries: int
    head: str
    broken_at: int | None = None
    reason: str | None = None

    def describe(self) -> str:
        if self.intact:
            return f"audit chain intact: {self.entries} entries, head {self.head}"
        where = f"entry {self.broken_at}" if self.broken_at is not None else "the chain head"
        return f"audit chain BROKEN at {where}: {self.reason}"


def check(
    entries: Iterable[Entry], *, head_event_id: int | None, head_hash: str | None
) -> ChainReport:
    """Walk the entries in id order; report the first one whose link or content is wrong."""
    previous, count, last_id = GENESIS, 0, None
    for entry in entries:
        if entry.prev_hash != previous:
            reason = (
                "its prev_hash does not match the hash of the entry before it "
                "(an entry before it was removed, reordered or altered)"
            )
            return ChainReport(False, count, previous, entry.id, reason)
        computed = hash_after(previous, entry)
        if entry.entry_hash != computed:
            reason = "its content does not match its entry_hash (the entry was altered)"
            return ChainReport(False, count, previous, entry.id, reason)
        previous, count, last_id = computed, count + 1, entry.id
    if head_hash is not None and (head_hash != previous or head_event_id != last_id):
        reason = (
            f"the chain head records entry {head_event_id} with hash {head_hash}, but the log "
            f"ends at entry {last_id} with hash {previous} (entries were removed from the end)"
        )
        return ChainReport(False, count, previous, None, reason)
    return ChainReport(True, count, previous)
