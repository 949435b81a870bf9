"""Scopes and what each one grants: admin ⊇ issue, revoke ⊇ read."""

from __future__ import annotations

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


def grants(held: Scope, needed: Scope) -> bool:
    return needed in _GRANTS[held]
