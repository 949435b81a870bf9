"""Webhook secrets at rest: sealed with the master key, bound to their endpoint's id."""

from __future__ import annotations

from datetime import datetime

from app.issuers.signing import KeyRing
from app.webhooks.models import WebhookEndpoint


def _bound_to(endpoint_id: str) -> bytes:
    return f"learnproof-webhook-secret:{endpoint_id}".encode()


def seal(keyring: KeyRing, endpoint_id: str, secret: str) -> bytes:
    return keyring.seal(secret.encode(), associated_data=_bound_to(endpoint_id))


def unseal(keyring: KeyRing, endpoint_id: str, sealed: bytes) -> str:
    return keyring.unseal(sealed, associated_data=_bound_to(endpoint_id)).decode()


def signing_secrets(keyring: KeyRing, endpoint: WebhookEndpoint, *, now: datetime) -> list[str]:
    """The current secret, and the previous one while its rotation grace period lasts."""
    found = [unseal(keyring, endpoint.id, endpoint.secret_sealed)]
    previous, until = endpoint.previous_secret_sealed, endpoint.previous_secret_until
    if previous is not None and until is not None and now < until:
        found.append(unseal(keyring, endpoint.id, previous))
    return found
