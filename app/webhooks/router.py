"""Webhook endpoints of an issuer (admin scope; a key bound to an issuer sees only its own)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.auth.dependencies import IssuerAdminDep
from app.dependencies import ClockDep, DelivererDep, KeyRingDep, SessionDep
from app.errors import BadRequest
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.webhooks import service
from app.webhooks.guard import UrlGuard
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from app.webhooks.schemas import (
    AttemptRead,
    DeliveryPage,
    DeliveryRead,
    SecretRotated,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(prefix="/v1/issuers/{slug}/webhooks", tags=["Webhooks"])


def get_guard(deliverer: DelivererDep) -> UrlGuard:
    return deliverer.guard


GuardDep = Annotated[UrlGuard, Depends(get_guard)]


def _issuer(session: SessionDep, principal: IssuerAdminDep, slug: str) -> Issuer:
    return issuer_service.get_issuer(session, slug)


IssuerDep = Annotated[Issuer, Depends(_issuer)]


def _read(endpoint: WebhookEndpoint, slug: str) -> WebhookRead:
    return WebhookRead(
        id=endpoint.id, issuer=slug, url=endpoint.url, events=endpoint.events,
        description=endpoint.description, enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason, failing_since=endpoint.failing_since,
        created_at=endpoint.created_at, updated_at=endpoint.updated_at,
    )  # fmt: skip


def _delivery(
    delivery: WebhookDelivery, event: WebhookEvent, attempts: Sequence[WebhookAttempt]
) -> DeliveryRead:
    return DeliveryRead.model_validate(
        {
            "id": delivery.id, "event_id": event.id, "event_type": event.type,
            "status": delivery.status, "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at,
            "last_status_code": delivery.last_status_code, "last_error": delivery.last_error,
            "delivered_at": delivery.delivered_at, "created_at": delivery.created_at,
            "payload": event.payload,
            "attempt_log": [
                AttemptRead(
                    attempted_at=a.attempted_at, status_code=a.status_code, error=a.error,
                    duration_ms=a.duration_ms,
                )
                for a in attempts
            ],
        }
    )  # fmt: skip


@router.post("", status_code=201, response_model=WebhookCreated)
def create_webhook(
    slug: str, body: WebhookCreate, clock: ClockDep, session: SessionDep, issuer: IssuerDep,
    principal: IssuerAdminDep, keyring: KeyRingDep, guard: GuardDep,
) -> WebhookCreated:  # fmt: skip
    """Register an endpoint for events; the answer shows its signing secret, once."""
    endpoint, secret = service.create_endpoint(
        session, keyring, guard, issuer, body, now=clock.now(),
        actor=principal.actor,
    )  # fmt: skip
    return WebhookCreated(**_read(endpoint, slug).model_dump(), secret=secret)


@router.get("", response_model=WebhookList)
def list_webhooks(slug: str, session: SessionDep, issuer: IssuerDep) -> WebhookList:
    """The issuer's webhook endpoints (without secrets)."""
    return WebhookList(items=[_read(e, slug) for e in service.list_endpoints(session, issuer)])


@router.get("/{webhook_id}", response_model=WebhookRead)
def get_webhook(slug: str, webhook_id: str, session: SessionDep, issuer: IssuerDep) -> WebhookRead:
    """One webhook endpoint (without its secret)."""
    return _read(service.get_endpoint(session, issuer, webhook_id), slug)


@router.patch("/{webhook_id}", response_model=WebhookRead)
def update_webhook(
    slug: str, webhook_id: str, body: WebhookUpdate, clock: ClockDep, session: SessionDep,
    issuer: IssuerDep, principal: IssuerAdminDep, guard: GuardDep,
) -> WebhookRead:  # fmt: skip
    """Change the URL, events or description, or disable / re-enable the endpoint."""
    endpoint = service.update_endpoint(
        session, guard, issuer, webhook_id, body, now=clock.now(),
        actor=principal.actor,
    )  # fmt: skip
    return _read(endpoint, slug)


@router.delete("/{webhook_id}", status_code=204, response_class=Response)
def delete_webhook(
    webhook_id: str, clock: ClockDep, session: SessionDep, issuer: IssuerDep,
    principal: IssuerAdminDep,
) -> Response:  # fmt: skip
    """Delete the endpoint and its delivery log; pending deliveries to it are dropped."""
    service.delete_endpoint(session, issuer, webhook_id, now=clock.now(), actor=principal.actor)
    return Response(status_code=204)


@router.post("/{webhook_id}/rotate-secret", response_model=SecretRotated)
def rotate_webhook_secret(
    webhook_id: str, clock: ClockDep, session: SessionDep, issuer: IssuerDep,
    principal: IssuerAdminDep, keyring: KeyRingDep,
) -> SecretRotated:  # fmt: skip
    """A new signing secret (shown once); the old one also signs for 24 hours."""
    endpoint, secret, until = service.rotate_secret(
        session, keyring, issuer, webhook_id, now=clock.now(),
        actor=principal.actor,
    )  # fmt: skip
    return SecretRotated(id=endpoint.id, secret=secret, previous_secret_valid_until=until)


def _cursor(value: str | None) -> tuple[datetime, str] | None:
    if value is None:
        return None
    try:
        at, ident = base64.urlsafe_b64decode(value.encode()).decode().split("|", 1)
        return datetime.fromisoformat(at), ident
    except ValueError:
        raise BadRequest("The cursor is not one this API returned.") from None


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage)
def list_webhook_deliveries(
    webhook_id: str,
    session: SessionDep,
    issuer: IssuerDep,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveryPage:
    """The delivery log, newest first: each event, its status and its attempts."""
    rows = service.list_deliveries(
        session, issuer, webhook_id, status=status, cursor=_cursor(cursor), limit=limit
    )
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1][0]
        raw = f"{last.created_at.isoformat()}|{last.id}"
        next_cursor = base64.urlsafe_b64encode(raw.encode()).decode()
    return DeliveryPage(items=[_delivery(*row) for row in rows], next_cursor=next_cursor)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryRead,
)
def redeliver_webhook(
    webhook_id: str, delivery_id: str, clock: ClockDep, session: SessionDep, issuer: IssuerDep,
    principal: IssuerAdminDep,
) -> DeliveryRead:  # fmt: skip
    """Send a delivery's event again (same webhook-id), due at once."""
    delivery, event = service.redeliver(
        session, issuer, webhook_id, delivery_id, now=clock.now(),
        actor=principal.actor,
    )  # fmt: skip
    return _delivery(delivery, event, [])
