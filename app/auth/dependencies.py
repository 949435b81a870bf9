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
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth import service
from app.auth.scopes import Scope
from app.dependencies import ClockDep, SessionDep, SessionmakerDep
from app.errors import Unauthorized

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer lp_…`")


def _principal(
    clock: ClockDep,
    session: SessionDep,
    sessions: SessionmakerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> service.Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <key>'.")
    return service.authenticate(
        session, credentials.credentials, now=clock.now(), sessions=sessions
    )


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
        principal.require(scope)
        principal.require_issuer(slug)
        return principal

    return dependency


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
