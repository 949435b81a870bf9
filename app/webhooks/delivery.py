"""Delivering the outbox: claim due deliveries, POST them signed, record, back off, retry.

At least once: a delivery stays ``pending`` until an endpoint answers 2xx, and is claimed with
a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has a single writer), so several
instances share the work without two of them sending the same attempt at once. A crash after
the POST but before the result is recorded means the receiver may see the event again, with
the same ``webhook-id``: receivers deduplicate on it, as the convention asks.

Retries follow an exponential schedule with jitter (the first within 30 s) until the delivery
is older than the retry window (24 hours by default); an endpoint whose attempts have all
failed for longer than ``disable_after`` is disabled, with an audit event.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit import service as audit_service
from app.core.clock import Clock
from app.core.daemon import DaemonLoop
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

log = logging.getLogger("learnproof.webhooks")

# Seconds before retry n (1-based); later retries use the last value. Jitter takes up to a
# quarter off each, so retries from many endpoints do not arrive in lockstep.
RETRY_SCHEDULE: Final = (10, 60, 300, 1_800, 7_200, 18_000, 36_000)
CLAIM_BATCH: Final = 20
MAX_ERROR_CHARS: Final = 500


@dataclass(frozen=True)
class DeliveryPolicy:
    timeout_seconds: float = 10.0
    retry_window: timedelta = timedelta(hours=24)
    disable_after: timedelta = timedelta(hours=72)
    lease: timedelta = timedelta(seconds=120)


def retry_delay(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Delay after the ``attempts``-th failed attempt: exponential, with jitter."""
    base = RETRY_SCHEDULE[min(attempts, len(RETRY_SCHEDULE)) - 1]
    return timedelta(seconds=base * (1 - 0.25 * rng()))


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class Deliverer:
    """Everything one delivery pass needs; the worker thread and the tests call ``run_once``."""

    factory: sessionmaker[Session]
    keyring: KeyRing
    clock: Clock
    client: httpx.Client
    guard: UrlGuard
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    worker_id: str = field(default_factory=lambda: f"webhooks-{uuid.uuid4().hex[:12]}")

    def run_once(self, limit: int = CLAIM_BATCH) -> int:
        """Claim and attempt up to ``limit`` due deliveries; returns how many were attempted."""
        claimed = self._claim(limit)
        for delivery_id in claimed:
            try:
                self._attempt(delivery_id)
            except Exception:
                # The lease expires and another pass retries it; one bad row must not stop
                # the others.
                log.exception("webhook delivery %s could not be attempted", delivery_id)
        return len(claimed)

    def drain(self, max_rounds: int = 1_000) -> int:
        """Attempt everything due now (tests and shutdown); returns the number attempted."""
        total = 0
        for _ in range(max_rounds):
            attempted = self.run_once()
            total += attempted
            if attempted == 0:
                break
        return total

    def _claim(self, limit: int) -> list[str]:
        now = self.clock.now()
        with self.factory() as session:
            query = (
                select(WebhookDelivery)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(
                    WebhookDelivery.status == DeliveryStatus.pending,
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookEndpoint.enabled.is_(True),
                    or_(
                        WebhookDelivery.claimed_until.is_(None),
                        WebhookDelivery.claimed_until < now,
                    ),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(limit)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
            rows = list(session.scalars(query))
            for row in rows:
                row.claimed_by, row.claimed_until = self.worker_id, now + self.policy.lease
            ids = [row.id for row in rows]
            session.commit()
        return ids

    def _attempt(self, delivery_id: str) -> None:
        with self.factory() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            if delivery is None or delivery.claimed_by != self.worker_id:
                return
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
            event = session.get(WebhookEvent, delivery.event_id)
            assert endpoint is not None, "foreign key"
            assert event is not None, "foreign key"
            url, message_id, payload = endpoint.url, event.id, event.payload
            secrets_in_use = secret_store.signing_secrets(
                self.keyring, endpoint, now=self.clock.now()
            )
            session.rollback()  # no transaction stays open across the HTTP request
        started = self.clock.now()
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = signing.headers(
            secrets_in_use, message_id=message_id, timestamp=started, body=body
        )
        outcome = self._post(url, body, headers)
        self._record(delivery_id, outcome, at=started)

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        began = time.monotonic()
        try:
            target = self.guard.target(url)  # resolve-then-connect, at every attempt
        except UnsafeUrl as error:
            return Outcome(None, f"refused: {error}", 0)
        request_headers = {
            **headers,
            "Content-Type": "application/json",
            "User-Agent": "LearnProof-webhooks",
            "Host": target.host_header,
            "Connection": "close",
        }
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else {}
        try:
            with self.client.stream(
                "POST",
                target.pinned_url,
                content=body,
                headers=request_headers,
                extensions=extensions,
                timeout=httpx.Timeout(self.policy.timeout_seconds),
                follow_redirects=False,
            ) as response:
                # The answer's body is not read: only its status matters.
                code = response.status_code
        except httpx.HTTPError as error:
            kind = "timed out" if isinstance(error, httpx.TimeoutException) else "failed"
            detail = str(error) or type(error).__name__
            return Outcome(None, f"{kind}: {detail}"[:MAX_ERROR_CHARS], _ms(began))
        error_text = None if 200 <= code < 300 else f"answered HTTP {code}"
        return Outcome(code, error_text, _ms(began))

    def _record(self, delivery_id: str, outcome: Outcome, *, at: datetime) -> None:
        now = self.clock.now()
        with self.factory() as session:
            delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
            if delivery is None or delivery.claimed_by != self.worker_id:
                return  # the lease passed to another worker, which will record its own try
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
            assert endpoint is not None, "foreign key"
            session.add(
                WebhookAttempt(
                    delivery_id=delivery.id,
                    attempted_at=at,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    duration_ms=outcome.duration_ms,
                )
            )
            delivery.attempts += 1
            delivery.last_status_code = outcome.status_code
            delivery.last_error = outcome.error
            delivery.claimed_by = delivery.claimed_until = None
            if outcome.ok:
                delivery.status, delivery.delivered_at = DeliveryStatus.delivered, now
                delivery.next_attempt_at = None
                endpoint.failing_since = None
            else:
                self._failed(session, delivery, endpoint, now)
            session.commit()

    def _failed(
        self, session: Session, delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: datetime
    ) -> None:
        if now - delivery.created_at >= self.policy.retry_window:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
        if endpoint.failing_since is None:
            endpoint.failing_since = now
        elif endpoint.enabled and now - endpoint.failing_since >= self.policy.disable_after:
            hours = int(self.policy.disable_after.total_seconds() // 3600)
            endpoint.enabled = False
            endpoint.disabled_reason = (
                f"every delivery attempt failed for {hours} hours (since "
                f"{endpoint.failing_since.isoformat()}); last error: {delivery.last_error}"
            )
            endpoint.updated_at = now
            forget_subscribers(session)
            slug = session.scalar(select(Issuer.slug).where(Issuer.id == endpoint.issuer_id))
            audit_service.record(
                session,
                actor="system:webhooks",
                action="webhook.disabled",
                now=now,
                issuer_slug=slug,
                details={"webhook_id": endpoint.id, "reason": endpoint.disabled_reason},
            )
            log.warning("webhook endpoint %s disabled after prolonged failure", endpoint.id)


def _ms(began: float) -> int:
    return int((time.monotonic() - began) * 1000)


PeriodicTask = Callable[[], object]


class DeliveryWorker(DaemonLoop):
    """A daemon thread: deliver what is due, and run periodic scans (expiry) now and then."""

    def __init__(
        self,
        deliverer: Deliverer,
        *,
        periodic: Sequence[PeriodicTask] = (),
        poll_seconds: float = 1.0,
        scan_seconds: float = 60.0,
    ) -> None:
        self._deliverer, self._periodic = deliverer, list(periodic)
        self._poll, self._scan = poll_seconds, scan_seconds
        super().__init__("learnproof-webhooks")

    def _run(self) -> None:
        next_scan = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= next_scan:
                for task in self._periodic:
                    try:
                        task()
                    except Exception:
                        log.exception("periodic lifecycle scan failed; it runs again later")
                next_scan = time.monotonic() + self._scan
            try:
                busy = self._deliverer.run_once() > 0
            except TimeoutError:
                # SQLite's single writer is held by a long request (a large batch); the
                # deliveries wait for it, nothing is lost.
                log.info("database busy; webhook deliveries wait for the next pass")
                busy = False
            except Exception:
                log.exception("webhook delivery pass failed; retrying")
                busy = False
            if not busy:
                self._stop.wait(self._poll)
