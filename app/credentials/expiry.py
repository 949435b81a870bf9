"""Expiry announcements: a periodic scan writes ``credential.expiring`` (a configurable number
of days before ``validUntil``) and ``credential.expired`` (once it has passed), each at most
once per credential. (Achievements with ``valid_for`` give their credentials the
``validUntil``; see ``app.core.durations`` and issuance.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.core.clock import Clock
from app.credentials.events import emit_credential_event
from app.credentials.models import Credential, CredentialStatus, LifecycleNotice
from app.issuers.models import Issuer

log = logging.getLogger("learnproof.expiry")
SCAN_BATCH: Final = 500


def scan(factory: sessionmaker[Session], clock: Clock, *, notice_days: int) -> int:
    """Announce due expiries; returns how many events were written. Safe to run anywhere,
    any number of times: a notice row per (credential, kind) makes each event once."""
    total = 0
    for kind in ("expiring", "expired"):
        while True:
            written = _scan_batch(factory, clock.now(), kind, notice_days)
            total += written
            if written < SCAN_BATCH:
                break
    return total


def _scan_batch(factory: sessionmaker[Session], now: datetime, kind: str, notice_days: int) -> int:
    noticed = exists().where(
        LifecycleNotice.credential_id == Credential.id, LifecycleNotice.kind == kind
    )
    query = select(Credential, Issuer.slug).join(Issuer, Issuer.id == Credential.issuer_id)
    if kind == "expiring":
        query = query.where(
            Credential.valid_until > now,
            Credential.valid_until <= now + timedelta(days=notice_days),
            Credential.status == CredentialStatus.active,
        )
    else:
        query = query.where(
            Credential.valid_until <= now,
            Credential.status.in_((CredentialStatus.active, CredentialStatus.suspended)),
        )
    query = query.where(~noticed).order_by(Credential.valid_until, Credential.id)
    with factory() as session:
        rows = session.execute(query.limit(SCAN_BATCH)).all()
        for record, slug in rows:
            session.add(LifecycleNotice(credential_id=record.id, kind=kind, notified_at=now))
            emit_credential_event(session, record, f"credential.{kind}", issuer_slug=slug, now=now)
        try:
            session.commit()
        except IntegrityError:
            # Another instance announced (some of) these first; the next scan skips them.
            session.rollback()
            log.info("expiry scan raced another instance; retrying later")
            return 0
    return len(rows)


def lifecycle_tasks(
    settings: Settings, factory: sessionmaker[Session], clock: Clock
) -> list[Callable[[], object]]:
    """The periodic scans the webhook worker runs."""
    return [lambda: scan(factory, clock, notice_days=settings.expiry_notice_days)]
