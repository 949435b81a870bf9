"""FastAPI dependencies: who is calling, and may they do this.

Tenancy rule (README "Security model"): a key bound to an issuer acts on that issuer
only, whatever its scope; creating issuers and frameworks needs an unbound admin key.
Routes pick one of the aliases below and never check bindings by hand:

- ``Issuer*Dep`` for routes under ``/v1/issuers/{slug}``: scope and binding are checked
  from the path before the body is read, so another tenant's key learns nothing.
- ``AdminDep``/``IssueDep``/``RevokeDep``/``ReadDep`` for routes that name a record by id
  (credential, job, API key) or list across issuers: the service loads the record and
  calls ``Principal.require_issuer`` on its issuer, or filters with ``Principal.issuer_filter``.
- ``PlatformAdminDep`` for what belongs to no issuer (issuers, frameworks, linkages).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from app.auth import service
from app.auth.scopes import Scope
from app.dependencies import ClockDep, SessionDep, SessionmakerDep
from app.errors import Unauthorized

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer lp_…`")


async def bearer_credentials(request: Request) -> HTTPAuthorizationCredentials | None:
    """The ``Authorization: Bearer`` credentials as the dependencies below read them."""
    return await _bearer(request)


def authenticate_bearer(
    session: Session,
    credentials: HTTPAuthorizationCredentials | None,
    *,
    now: datetime,
    sessions: sessionmaker[Session],
) -> service.Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <key>'.")
    return service.authenticate(session, credentials.credentials, now=now, sessions=sessions)


def _principal(
    clock: ClockDep,
    session: SessionDep,
    sessions: SessionmakerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> service.Principal:
    return authenticate_bearer(session, credentials, now=clock.now(), sessions=sessions)


PrincipalDep = Annotated[service.Principal, Depends(_principal)]


def require(scope: Scope) -> Callable[..., Awaitable[service.Principal]]:
    """The scope only: the route resolves a record's issuer and checks the binding on it."""

    async def dependency(principal: PrincipalDep) -> service.Principal:
        principal.require(scope)
        return principal

    return dependency


def require_for_issuer(scope: Scope) -> Callable[..., Awaitable[service.Principal]]:
    """The scope and, for a bound key, the issuer named by the ``{slug}`` path segment."""

    async def dependency(slug: str, principal: PrincipalDep) -> service.Principal:
        return for_issuer(principal, scope, slug)

    _ISSUER_SCOPES[dependency] = scope
    return dependency


def for_issuer(principal: service.Principal, scope: Scope, slug: str) -> service.Principal:
    principal.require(scope)
    principal.require_issuer(slug)
    return principal


# Each ``require_for_issuer`` dependency with its scope, for a route that solves its own
# dependencies (`app.credentials.issuance_router`) and must check exactly the same.
_ISSUER_SCOPES: Final[dict[Callable[..., Awaitable[service.Principal]], Scope]] = {}


def issuer_scope(dependency: Callable[..., Any]) -> Scope | None:
    """The scope ``dependency`` checks, if it is one of ``require_for_issuer``'s."""
    return _ISSUER_SCOPES.get(dependency)


async def require_platform_admin(principal: PrincipalDep) -> service.Principal:
    """An unbound admin key: for what belongs to no single issuer."""
    principal.require(Scope.admin)
    principal.require_unbound()
    return principal


AdminDep = Annotated[service.Principal, Depends(require(Scope.admin))]
IssueDep = Annotated[service.Principal, Depends(require(Scope.issue))]
RevokeDep = Annotated[service.Principal, Depends(require(Scope.revoke))]
ReadDep = Annotated[service.Principal, Depends(require(Scope.read))]

IssuerAdminDep = Annotated[service.Principal, Depends(require_for_issuer(Scope.admin))]
IssuerIssueDep = Annotated[service.Principal, Depends(require_for_issuer(Scope.issue))]
IssuerRevokeDep = Annotated[service.Principal, Depends(require_for_issuer(Scope.revoke))]
IssuerReadDep = Annotated[service.Principal, Depends(require_for_issuer(Scope.read))]

PlatformAdminDep = Annotated[service.Principal, Depends(require_platform_admin)]
