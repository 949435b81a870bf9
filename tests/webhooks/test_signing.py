"""Signing and the retry schedule, checked against the Standard Webhooks reference package."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.webhooks import signing
from app.webhooks.delivery import retry_delay


def test_secret_shape() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert signing.new_secret() != secret


def test_headers_verify_with_the_reference_verifier_and_by_hand() -> None:
    secret, body = signing.new_secret(), b'{"type":"credential.issued","data":{"id":"x"}}'
    now = datetime.now(UTC)

    headers = signing.headers([secret], message_id="msg_1", timestamp=now, body=body)

    assert Webhook(secret).verify(body, headers) == {
        "type": "credential.issued",
        "data": {"id": "x"},
    }
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"msg_1.{int(now.timestamp())}.".encode() + body, hashlib.sha256)
    assert headers["webhook-signature"] == "v1," + base64.b64encode(mac.digest()).decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)


@pytest.mark.parametrize("jitter", [0.0, 0.5, 0.999])
def test_first_retry_within_30_seconds_and_retries_span_a_day(jitter: float) -> None:
    delays = [retry_delay(n, rng=lambda: jitter) for n in range(1, 12)]

    assert timedelta(0) < delays[0] <= timedelta(seconds=30)
    assert all(a <= b for a, b in zip(delays, delays[1:], strict=False))  # never shrinks
    assert sum(delays, timedelta(0)) >= timedelta(hours=24)
