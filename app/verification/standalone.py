"""Verification outside the web app (the `learnproof verify` command).

No database: did:key is resolved offline, did:web, status lists and issuer metadata are
fetched over the network under the same SSRF rules, limits and allow-list as the service.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import httpx

from app.config import Settings
from app.verification.fetch import Fetcher
from app.verification.inputs import MAX_DEPTH, MAX_NODES, InputRejected, parse_json
from app.verification.report import Report
from app.verification.resolver import Resolver
from app.verification.service import Verifier

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


def verify(value: Any, settings: Settings, *, now: datetime) -> Report:
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
            resolver=Resolver(fetcher),
            now=now,
            skew=timedelta(seconds=settings.clock_skew_seconds),
            trusted_issuers=tuple(settings.trusted_issuers),
        )
        return verifier.credential(value)
