"""Webhook endpoints of an issuer: register (secret shown once), change, rotate, delete, and
read the delivery log; manual redelivery queues the same event (same ``webhook-id``) again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.core.ids import new_id
from app.errors import Conflict, InvalidInput, NotFound
from app.issuers.models import Issuer
from app.issuers.signing import KeyRing
from app.webhooks import secret_store, signing
from app.webhooks.events import forget_subscribers
from app.webhooks.guard import UnsafeUrl, UrlGuard
from app.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from app.webhooks.schemas import WebhookCreate, WebhookUpdate

MAX_ENDPOINTS_PER_ISSUER: Final = 20
ROTATION_GRACE: Final = timedelta(hours=24)
MAX_ATTEMPTS_SHOWN: Final = 50


def _check_url(guard: UrlGuard, url: str) -> None:
    try:
        guard.target(url)
    except UnsafeUrl as error:
        raise InvalidInput(f"This webhook URL is refused: {error}.", field="url") from None


def create_endpoint(
    session: Session,
    keyring: KeyRing,
    guard: UrlGuard,
    issuer: Issuer,
    data: WebhookCreate,
    *,
    now: datetime,
    actor: str,
) -> tuple[WebhookEndpoint, str]:
    """Store a new endpoint; returns it with its secret (which is never shown again)."""
    count = len(
        session.scalars(
            select(WebhookEndpoint.id).where(WebhookEndpoint.issuer_id == issuer.id)
        ).all()
    )
    if count >= MAX_ENDPOINTS_PER_ISSUER:
        raise Conflict(
            f"Issuer '{issuer.slug}' already has {count} webhook endpoints, the most allowed; "
            "delete one first."
        )
    _check_url(guard, data.url)
    endpoint_id, secret = new_id(), signing.new_secret()
    endpoint = WebhookEndpoint(
        id=endpoint_id,
        issuer_id=issuer.id,
        url=data.url,
        description=data.description,
        events=list(data.events),
        secret_sealed=secret_store.seal(keyring, endpoint_id, secret),
        enabled=True,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    session.flush()
    forget_subscribers(session)
    audit_service.record(
        session, actor=actor, action="webhook.created", now=now, issuer_slug=issuer.slug,
        details={"webhook_id": endpoint_id, "url": data.url, "events": list(data.events)},
    )  # fmt: skip
    return endpoint, secret


def list_endpoints(session: Session, issuer: Issuer) -> list[WebhookEndpoint]:
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.issuer_id == issuer.id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


def get_endpoint(session: Session, issuer: Issuer, endpoint_id: str) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.issuer_id != issuer.id:
        # Another issuer's endpoint does not exist for this one.
        raise NotFound(f"Issuer '{issuer.slug}' has no webhook endpoint '{endpoint_id}'.")
    return endpoint


def update_endpoint(
    session: Session,
    guard: UrlGuard,
    issuer: Issuer,
    endpoint_id: str,
    data: WebhookUpdate,
    *,
    now: datetime,
    actor: str,
) -> WebhookEndpoint:
    endpoint = get_endpoint(session, issuer, endpoint_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("url") is not None:
        _check_url(guard, changes["url"])
        endpoint.url = changes["url"]
    if changes.get("events") is not None:
        endpoint.events = list(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if changes.get("enabled") is not None:
        endpoint.enabled = bool(changes["enabled"])
        if endpoint.enabled:
            endpoint.disabled_reason, endpoint.failing_since = None, None
        else:
            endpoint.disabled_reason = f"disabled by {actor}"
    endpoint.updated_at = now
    session.flush()
    forget_subscribers(session)
    audit_service.record(
        session, actor=actor, action="webhook.updated", now=now, issuer_slug=issuer.slug,
        details={"webhook_id": endpoint.id, "changes": sorted(changes)},
    )  # fmt: skip
    return endpoint


def delete_endpoint(
    session: Session, issuer: Issuer, endpoint_id: str, *, now: datetime, actor: str
) -> None:
    """Remove the endpoint, its deliveries and their attempts (events stay in the outbox)."""
    endpoint = get_endpoint(session, issuer, endpoint_id)
    delivery_ids = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids)))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    session.delete(endpoint)
    session.flush()
    forget_subscribers(session)
    audit_service.record(
        session, actor=actor, action="webhook.deleted", now=now, issuer_slug=issuer.slug,
        details={"webhook_id": endpoint_id},
    )  # fmt: skip


def rotate_secret(
    session: Session,
    keyring: KeyRing,
    issuer: Issuer,
    endpoint_id: str,
    *,
    now: datetime,
    actor: str,
) -> tuple[WebhookEndpoint, str, datetime]:
    """A new secret signs from now on; the old one adds a second signature for 24 hours."""
    endpoint = get_endpoint(session, issuer, endpoint_id)
    secret = signing.new_secret()
    endpoint.previous_secret_sealed = endpoint.secret_sealed
    endpoint.previous_secret_until = now + ROTATION_GRACE
    endpoint.secret_sealed = secret_store.seal(keyring, endpoint.id, secret)
    endpoint.updated_at = now
    session.flush()
    audit_service.record(
        session, actor=actor, action="webhook.secret_rotated", now=now,
        issuer_slug=issuer.slug, details={"webhook_id": endpoint.id},
    )  # fmt: skip
    return endpoint, secret, now + ROTATION_GRACE


def list_deliveries(
    session: Session,
    issuer: Issuer,
    endpoint_id: str,
    *,
    status: str | None,
    cursor: tuple[datetime, str] | None,
    limit: int,
) -> list[tuple[WebhookDelivery, WebhookEvent, Sequence[WebhookAttempt]]]:
    """Newest first; each with its event and its latest attempts."""
    endpoint = get_endpoint(session, issuer, endpoint_id)
    query = (
        select(WebhookDelivery, WebhookEvent)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if cursor is not None:
        at, ident = cursor
        query = query.where(
            (WebhookDelivery.created_at < at)
            | ((WebhookDelivery.created_at == at) & (WebhookDelivery.id < ident))
        )
    rows = session.execute(
        query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).limit(limit)
    ).all()
    attempts: dict[str, list[WebhookAttempt]] = {}
    if rows:
        for attempt in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([d.id for d, _ in rows]))
            .order_by(WebhookAttempt.id)
        ):
            attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return [(d, e, attempts.get(d.id, [])[-MAX_ATTEMPTS_SHOWN:]) for d, e in rows]


def redeliver(
    session: Session, issuer: Issuer, endpoint_id: str, delivery_id: str, *, now: datetime,
    actor: str,
) -> tuple[WebhookDelivery, WebhookEvent]:  # fmt: skip
    """Queue the delivery's event again for this endpoint, due now, with a fresh retry window."""
    endpoint = get_endpoint(session, issuer, endpoint_id)
    original = session.get(WebhookDelivery, delivery_id)
    if original is None or original.endpoint_id != endpoint.id:
        raise NotFound(f"Webhook endpoint '{endpoint_id}' has no delivery '{delivery_id}'.")
    event = session.get(WebhookEvent, original.event_id)
    assert event is not None, "foreign key"
    again = WebhookDelivery(
        id=new_id(), event_id=event.id, endpoint_id=endpoint.id,
        status=DeliveryStatus.pending, attempts=0, next_attempt_at=now, created_at=now,
    )  # fmt: skip
    session.add(again)
    session.flush()
    audit_service.record(
        session, actor=actor, action="webhook.redelivered", now=now, issuer_slug=issuer.slug,
        details={"webhook_id": endpoint.id, "delivery_id": original.id, "event_id": event.id},
    )  # fmt: skip
    return again, event
