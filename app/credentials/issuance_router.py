"""The single-issuance route's request handler: its dependencies solved in one worker thread.

FastAPI's own handler authenticates in one threadpool hop (the key's SELECT), then runs the
route in a second, with its dependency solving around both; for `POST
/v1/issuers/{slug}/credentials`, the busiest write, that machinery cost about a seventh of
the request's CPU (README "Figures", morning). `IssuanceRoute` does the same steps in the
same order in one hop:

1. the app's guards (`APP_GUARDS`), then the body is read, so transport errors, size limits
   and non-strict JSON (400) come first, as before;
2. in the worker thread, in the request's transaction (its own, or its group's:
   `issuance_groups`): the API key, its scope and its issuer binding (401/403), before
   anything of the body is validated;
3. the path, header and body values validated by FastAPI's own fields (one 422 naming every
   problem, as FastAPI's handler raises it), then the route; the commit follows.

A body FastAPI would not read as JSON (no or another media type, empty, unparseable) goes
to FastAPI's own handler, whose answers for those are the contract. The declared signature
still makes the OpenAPI description; a route of this class declaring any other parameter
fails when the app is built.
"""

from __future__ import annotations

import email.message
import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Final

from fastapi import APIRouter, Header, Request, Response
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from app.auth.dependencies import (
    IssuerIssueDep,
    authenticate_bearer,
    bearer_credentials,
    for_issuer,
    issuer_scope,
)
from app.credentials import issuance_rows, service
from app.credentials.router import to_read
from app.credentials.schemas import CredentialCreate, CredentialIssued
from app.dependencies import (
    Issuing,
    IssuingDep,
    SessionDep,
    get_clock,
    get_issuing,
    get_session,
    get_sessionmaker,
)
from app.guards import APP_GUARDS


def _read_as_json(content_type: str | None) -> bool:
    """Whether FastAPI would parse a body of this media type as JSON (strict content type)."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _counted(issuing: Issuing, response: Response) -> Response:
    """Counts a credential once its transaction has committed (a group that is rolled back
    runs its requests again)."""
    if response.status_code == 201 and "Idempotent-Replayed" not in response.headers:
        issuing.metrics.credentials_issued.inc()
    return response


class IssuanceRoute(APIRoute):
    """A sync route taking ``session: SessionDep``, one ``Issuer*Dep`` as ``principal``,
    ``issuing: IssuingDep``, its path and header parameters and one body model."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        fastapi_handler = super().get_route_handler()
        dependant, endpoint, body_field = self.dependant, self.dependant.call, self.body_field
        solved = {d.name: d.call for d in dependant.dependencies}
        principal_dependency = solved.get("principal")
        scope = issuer_scope(principal_dependency) if principal_dependency else None
        if (
            endpoint is None
            or inspect.iscoroutinefunction(inspect.unwrap(endpoint))  # run in a thread below
            or scope is None
            or solved.keys() != {"session", "principal", "issuing"}
            or solved["session"] is not get_session
            or solved["issuing"] is not get_issuing
            or body_field is None
            or len(dependant.body_params) != 1
            or dependant.query_params
            or dependant.cookie_params
            or dependant.request_param_name is not None
            or dependant.response_param_name is not None
            or dependant.background_tasks_param_name is not None
        ):
            raise TypeError(
                f"{self.path}: an IssuanceRoute takes path and header parameters, one body, "
                "session: SessionDep, principal: Issuer*Dep and issuing: IssuingDep"
            )
        path_fields, header_fields = dependant.path_params, dependant.header_params
        slug_field = next((f.alias for f in path_fields if f.name == "slug"), None)
        if slug_field is None:
            raise TypeError(f"{self.path}: an IssuanceRoute names its issuer by {{slug}}")

        async def handle(request: Request) -> Response:
            issuing = await get_issuing(request)
            if not _read_as_json(request.headers.get("content-type")):
                return _counted(issuing, await fastapi_handler(request))
            for guard in APP_GUARDS:
                await guard(request)
            raw = await request.body()
            try:
                # As FastAPI reads it, on the event loop (the body is checked strict already).
                body = json.loads(raw) if raw else None
            except Exception:  # undecodable, or nested past the recursion limit
                body = None
            if body is None:
                # FastAPI's own answer (the body is cached).
                return _counted(issuing, await fastapi_handler(request))
            credentials = await bearer_credentials(request)
            factory, clock = await get_sessionmaker(request), await get_clock(request)
            slug = request.path_params[slug_field]

            def work(session: Session) -> Response:
                principal = authenticate_bearer(
                    session, credentials, now=clock.now(), sessions=factory
                )
                for_issuer(principal, scope, slug)
                values, errors = request_params_to_args(path_fields, request.path_params)
                headers, header_errors = request_params_to_args(header_fields, request.headers)
                value, body_errors = body_field.validate(body, {}, loc=("body",))
                errors = [*errors, *header_errors, *body_errors]
                if errors:
                    raise RequestValidationError(errors, body=body)
                response: Response = endpoint(
                    **values, **headers, **{body_field.name: value}, session=session,
                    principal=principal, issuing=issuing,
                )  # fmt: skip
                return response

            # Alone, or with the requests waiting beside it in one transaction: one commit for
            # the group (app/credentials/issuance_groups.py, README "Figures").
            return _counted(issuing, await issuing.groups.run(work))

        return handle


router = APIRouter(tags=["Credentials"], route_class=IssuanceRoute)

_ISSUED: Final = TypeAdapter(CredentialIssued)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retries with the same key return the original credential",
    ),
]


@router.post(
    "/v1/issuers/{slug}/credentials",
    status_code=201,
    response_model=CredentialIssued,
    responses={409: {"description": "Idempotency-Key or external_id reused with another body"}},
)
def issue_credential(
    slug: str,
    body: CredentialCreate,
    session: SessionDep,
    principal: IssuerIssueDep,
    issuing: IssuingDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Issue an Open Badges 3.0 credential, signed as Data Integrity and as a VC-JWT."""
    urls = issuing.urls
    context, achievement = issuance_rows.load_issuance_context(
        session, slug, body.achievement_id, urls=urls
    )
    issued = service.issue_credential(
        session,
        issuing.keyring,
        context,
        body,
        idempotency_key=idempotency_key,
        now=issuing.clock.now(),
        actor=principal.actor,
        urls=urls,
        status_sessions=issuing.status_sessions,
        achievement=achievement,
    )
    # The JSON FastAPI would write for ``response_model`` (the same serializer, by alias),
    # written here in the route's thread: returning the model would cost the request one
    # more threadpool hop, for FastAPI's validation of what it already is.
    response = Response(
        _ISSUED.dump_json(to_read(issued.record, slug, urls), by_alias=True),
        status_code=201,
        media_type="application/json",
    )
    if issued.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
