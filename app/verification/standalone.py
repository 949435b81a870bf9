"""Verification outside the web app (the `learnproof verify` command).

did:key is resolved offline. When the command runs beside an installation (its database
exists and is at the head revision), that installation's own issuers, keys and status lists
are read from the database exactly as the server does, so a credential issued here verifies
without allow-listing our own (often loopback) host. Everything else (did:web, status lists
and issuer metadata of other services) is fetched over the network under the same SSRF
rules, limits and allow-list as the service.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from app.config import Settings
from app.verification.credential_input import MAX_DEPTH, MAX_NODES, InputRejected, parse_json
from app.verification.dependencies import DatabaseDocuments
from app.verification.fetch import Fetcher
from app.verification.report import Report
from app.verification.resolver import Resolver
from app.verification.service import Verifier

log = logging.getLogger("learnproof.verify")
_JWT_TEXT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_~.-]*$")


def read_text(text: str) -> Any:
    """The credential in a file's text: JSON (optionally VCALM-wrapped) or a VC-JWT.

    Raises InputRejected when the text is neither.
    """
    stripped = text.strip()
    if stripped.startswith("{"):
        value = parse_json(stripped.encode("utf-8"), max_depth=MAX_DEPTH + 1, max_nodes=MAX_NODES)
        if isinstance(value, dict) and "verifiableCredential" in value:
            return value["verifiableCredential"]
        return value
    if _JWT_TEXT.match(stripped):
        return stripped
    raise InputRejected("the input is neither a JSON credential nor a VC-JWT")


@contextmanager
def own_documents(settings: Settings, *, now: datetime) -> Iterator[DatabaseDocuments | None]:
    """This installation's documents from its database; None when there is no usable one.

    Never creates a database: a missing SQLite file, an unreachable server, a schema behind
    the code or a master key that does not open it all mean "verify as an outsider".
    """
    # Imported here: the command must stay usable (and quick) without a database.
    from app import migrate
    from app.db import make_engine, make_sessionmaker
    from app.issuers.keystore import check_master_key, load_master_key
    from app.issuers.signing import KeyRing

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and (
        not url.database or url.database == ":memory:" or not Path(url.database).is_file()
    ):
        yield None
        return
    engine = make_engine(settings.database_url)
    try:
        try:
            at_head = migrate.current_revision(engine) == migrate.head_revision(
                settings.database_url
            )
        except Exception as error:  # noqa: BLE001 - any database problem means "no database"
            log.info("not using the local database: %s", error)
            at_head = False
        if not at_head:
            yield None
            return
        with make_sessionmaker(engine)() as session:
            try:
                master = load_master_key(settings)
                check_master_key(session, master, now=now)
            except Exception as error:  # noqa: BLE001 - our status lists need our keys
                log.info("not using the local database: %s", error)
                session.rollback()
                yield None
                return
            own = DatabaseDocuments(
                session,
                KeyRing(master),
                urls=settings.urls,
                now=now,
                status_ttl_seconds=settings.status_list_ttl_seconds,
                trusted_accreditors=tuple(settings.trusted_accreditors),
            )
            try:
                yield own
            finally:
                # Verifying changes nothing we keep: whatever the session did is discarded.
                session.rollback()
    finally:
        engine.dispose()


def verify(
    value: Any, settings: Settings, *, now: datetime, own: DatabaseDocuments | None = None
) -> Report:
    """Verify one credential with a private HTTP client (closed before returning)."""
    with httpx.Client(
        timeout=httpx.Timeout(settings.fetch_timeout_seconds),
        follow_redirects=False,
        headers={"User-Agent": "LearnProof-verifier"},
    ) as client:
        fetcher = Fetcher(
            client,
            allow_hosts=settings.fetch_allow_hosts,
            max_bytes=settings.fetch_max_bytes,
            timeout_seconds=settings.fetch_timeout_seconds,
        )
        verifier = Verifier(
            resolver=Resolver(fetcher, own),
            now=now,
            skew=timedelta(seconds=settings.clock_skew_seconds),
            trusted_issuers=tuple(settings.trusted_issuers),
        )
        return verifier.credential(value)
