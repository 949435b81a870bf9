"""FastAPI dependencies: who is calling, and may they do this."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth import service
from app.auth.scopes import Scope
from app.db import SessionDep
from app.errors import Unauthorized

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer lp_…`")


def _principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> service.Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <key>'.")
    return service.authenticate(session, credentials.credentials, now=request.app.state.clock.now())


def require(scope: Scope) -> Callable[..., service.Principal]:
    def dependency(
        principal: Annotated[service.Principal, Depends(_principal)],
    ) -> service.Principal:
        principal.require(scope)
        return principal

    return dependency


AdminDep = Annotated[service.Principal, Depends(require(Scope.admin))]
IssueDep = Annotated[service.Principal, Depends(require(Scope.issue))]
RevokeDep = Annotated[service.Principal, Depends(require(Scope.revoke))]
ReadDep = Annotated[service.Principal, Depends(require(Scope.read))]
