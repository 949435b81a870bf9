"""Accept-header negotiation for the credential page: HTML unless JSON is preferred."""

from __future__ import annotations

from typing import Final

from app.core.negotiation import prefers

_JSON_TYPES: Final = ("application/json", "application/ld+json", "application/vc+ld+json")


def wants_json(accept: str | None) -> bool:
    """True when the client ranks a JSON type strictly above HTML; browsers get HTML."""
    return prefers(accept, _JSON_TYPES, ["text/html"])
