"""When an API key was last used, recorded at most every few minutes and never in the way.

Writing it on every request would turn every read into a write of the key's row. So the
time is written only when the stored one is older than ``RESOLUTION``, and (PostgreSQL) in a
short transaction of its own, committed before the request does its work: the request never
holds a lock on the key's row, and two requests with the same key update it once. SQLite
admits one writer and the request's transaction already holds it, so there the update runs
in a savepoint of the request's own transaction (and is lost if the request fails). A
failure to record the time is logged and never fails the request.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import or_, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import ApiKey

RESOLUTION: Final = timedelta(minutes=5)
log = logging.getLogger("learnproof.auth")


def note_use(
    session: Session, sessions: sessionmaker[Session], record: ApiKey, *, now: datetime
) -> None:
    """Record ``now`` as the key's last use when the stored time is older than RESOLUTION."""
    if record.last_used_at is not None and now - record.last_used_at < RESOLUTION:
        return
    # The condition is checked again by the database: a concurrent request may have just
    # written it.
    statement = (
        update(ApiKey)
        .where(
            ApiKey.id == record.id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - RESOLUTION),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    try:
        if session.get_bind().dialect.name == "sqlite":
            with session.begin_nested():
                session.execute(statement)
        else:
            with sessions() as own:
                own.execute(statement)
                own.commit()
    except SQLAlchemyError:
        log.warning("could not record the last use of API key %s", record.id, exc_info=True)
        return
    # Without marking the row changed: the request's own flush must not write it again.
    set_committed_value(record, "last_used_at", now)
