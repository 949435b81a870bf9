"""The outbox writer: record an event and what it owes each subscribed endpoint.

Called by the services that make a change, inside their transaction (they only flush), so
the event commits or rolls back with the change itself. Endpoints are looked up per issuer
once per session and cached on it, which keeps a 1,000-item batch at one query.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final, get_args

from sqlalchemy import ColumnElement, SQLColumnExpression, exists, select
from sqlalchemy.orm import Session

from app.core.clock import isoformat_z
from app.core.ids import new_id
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.webhooks.schemas import EventType

# The event types an endpoint may subscribe to, as the API's schema lists them.
EVENT_TYPES: Final = get_args(EventType)
_CACHE_KEY: Final = "learnproof_webhook_subscribers"


def new_event_id() -> str:
    """Standard Webhooks message ids are opaque; a prefix makes them recognisable in logs."""
    return f"msg_{uuid.uuid4().hex}"


def forget_subscribers(session: Session) -> None:
    """Drop the per-session cache (after an endpoint is created, changed or deleted)."""
    session.info.pop(_CACHE_KEY, None)


def subscribed(issuer_id: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """Whether the issuer has an enabled endpoint, as a column for a caller's own statement
    (with ``none_subscribed`` it saves the lookup when the answer is no)."""
    return exists().where(WebhookEndpoint.issuer_id == issuer_id, WebhookEndpoint.enabled.is_(True))


def none_subscribed(session: Session, issuer_id: str) -> None:
    """Note that the issuer had no enabled endpoint when this transaction read ``subscribed``:
    events it emits then store nothing, as when ``emit`` looks endpoints up itself."""
    session.info.setdefault(_CACHE_KEY, {})[issuer_id] = []


def _subscribers(session: Session, issuer_id: str) -> list[tuple[str, frozenset[str]]]:
    cache: dict[str, list[tuple[str, frozenset[str]]]] = session.info.setdefault(_CACHE_KEY, {})
    found = cache.get(issuer_id)
    if found is None:
        rows = session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                WebhookEndpoint.issuer_id == issuer_id, WebhookEndpoint.enabled.is_(True)
            )
        )
        found = [(endpoint_id, frozenset(events)) for endpoint_id, events in rows]
        cache[issuer_id] = found
    return found


def emit(
    session: Session, *, issuer_id: str, event_type: str, data: dict[str, Any], now: datetime
) -> WebhookEvent | None:
    """Queue ``{type, timestamp, data}`` for every enabled endpoint that subscribed to it.

    Returns None (and stores nothing) when no endpoint of the issuer wants this type.
    """
    assert event_type in EVENT_TYPES, event_type
    targets = [eid for eid, events in _subscribers(session, issuer_id) if event_type in events]
    if not targets:
        return None
    event = WebhookEvent(
        id=new_event_id(),
        issuer_id=issuer_id,
        type=event_type,
        payload={"type": event_type, "timestamp": isoformat_z(now), "data": data},
        occurred_at=now,
    )
    session.add(event)
    session.flush()  # the event row first: deliveries reference it
    session.add_all(
        WebhookDelivery(
            id=new_id(),
            event_id=event.id,
            endpoint_id=endpoint_id,
            status=DeliveryStatus.pending,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint_id in targets
    )
    return event
