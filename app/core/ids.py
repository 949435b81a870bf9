"""Identifier factories (uuid4: random parts from the OS CSPRNG)."""

from __future__ import annotations

import uuid


def new_id() -> str:
    return str(uuid.uuid4())
