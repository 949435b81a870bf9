"""Scopes and what each one grants: admin ⊇ issue, revoke ⊇ read.

A key may hold several scopes (``issue`` and ``revoke``). They are stored and shown as one
space-separated string, as OAuth 2.0 writes a scope (RFC 6749 §3.3), reduced to the fewest
scopes granting the same ("admin", never "admin read"), so a one-scope key stored before
keys had several reads exactly as it always did.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Scope(StrEnum):
    admin = "admin"
    issue = "issue"
    revoke = "revoke"
    read = "read"


_GRANTS: dict[Scope, frozenset[Scope]] = {
    Scope.admin: frozenset(Scope),
    Scope.issue: frozenset({Scope.issue, Scope.read}),
    Scope.revoke: frozenset({Scope.revoke, Scope.read}),
    Scope.read: frozenset({Scope.read}),
}


def decode(held: str | Iterable[Scope]) -> frozenset[Scope]:
    """The scopes of a stored or presented scope string ("issue revoke"), or of a collection."""
    if isinstance(held, str):
        return frozenset(Scope(part) for part in held.split())
    return frozenset(held)


def normalise(scopes: Iterable[Scope]) -> frozenset[Scope]:
    """The fewest scopes granting the same: a scope another one implies is dropped."""
    given = frozenset(scopes)
    return frozenset(
        scope for scope in given if not any(scope in _GRANTS[o] for o in given if o != scope)
    )


def encode(scopes: Iterable[Scope]) -> str:
    """The stored form, in a fixed order (the enum's)."""
    kept = normalise(scopes)
    return " ".join(scope.value for scope in Scope if scope in kept)


def grants(held: str | Iterable[Scope], needed: Scope) -> bool:
    """True when any held scope grants ``needed`` (``held``: one scope, a string or a set)."""
    return any(needed in _GRANTS[scope] for scope in decode(held))
