"""Identifier factories; random parts come from the OS CSPRNG."""

from __future__ import annotations

import secrets
import uuid


def new_id() -> str:
    return str(uuid.uuid4())


def token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
