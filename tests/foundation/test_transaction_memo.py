"""``transaction_memo``: reads shared within one transaction, and nothing left for the collector.

A served worker runs hundreds of sessions a second; any cycle through a session keeps it, and
every object it loaded, alive until a garbage collection walks them (README "Figures",
evening). These tests run with the collector off, so what is not freed by reference
counting is still there to see.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.auth.models import ApiKey
from app.auth.scopes import Scope
from app.crypto import rdf_shape
from app.db import transaction_memo
from tests.conftest import make_key


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_a_memo_lasts_one_transaction(session: Session) -> None:
    session.connection()  # begun
    transaction_memo(session, "reads")["key"] = "first"

    assert transaction_memo(session, "reads") == {"key": "first"}
    assert transaction_memo(session, "other") == {}

    session.commit()
    session.connection()  # the next transaction

    assert transaction_memo(session, "reads") == {}


def test_a_memo_survives_a_savepoint_of_its_transaction(session: Session) -> None:
    session.connection()
    transaction_memo(session, "reads")["key"] = "kept"

    with session.begin_nested():
        assert transaction_memo(session, "reads") == {"key": "kept"}

    assert transaction_memo(session, "reads") == {"key": "kept"}


def test_outside_a_transaction_nothing_is_kept(connection: Connection) -> None:
    session = Session(bind=connection, autobegin=False)

    transaction_memo(session, "reads")["key"] = "lost"

    assert transaction_memo(session, "reads") == {}


def test_a_closed_session_holding_memoized_rows_is_freed_at_once(
    connection: Connection, no_collector: None
) -> None:
    setup = Session(bind=connection, join_transaction_mode="create_savepoint")
    make_key(setup, Scope.admin)
    setup.close()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    # ORM rows, as the issuance context is memoized: their result metadata leads back to
    # the session that loaded them.
    transaction_memo(session, "reads")["rows"] = session.execute(select(ApiKey)).all()
    gone = weakref.ref(session)

    session.close()
    del session

    assert gone() is None


def test_the_template_walk_leaves_no_cycle() -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": {"id": "did:web:example.org", "name": "Example"},
        "credentialSubject": {"id": "urn:uuid:1", "results": [{"value": 1}, None, True]},
    }
    gc.collect()
    gc.disable()
    try:
        rdf_shape.leaves(document, frozenset())

        assert gc.collect() == 0
    finally:
        gc.enable()
