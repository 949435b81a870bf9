"""The OAuth side of the wallet endpoints: their own error bodies, and request parsing that
answers with those bodies instead of the app's problem+json.

OAuth 2.0 (RFC 6749 §5.2, RFC 6750 §3) and OID4VCI fix the error format of the token and
credential endpoints (``{"error": "invalid_grant", ...}``), so parsing is done here rather
than by FastAPI's validation, whose failures would become 422 problem documents. Routes catch
``OAuthError`` themselves: the request's transaction must still commit (a wrong transaction
code is counted even though the answer is an error).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from app.wallet.schemas import PRE_AUTHORIZED_GRANT, CredentialRequest, TokenRequest

# Token and credential answers carry secrets or personal data: never cached (RFC 6749 §5.1).
NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MAX_FORM_FIELDS = 50


class OAuthError(Exception):
    """An error answered as ``{"error", "error_description"}`` with the status OAuth gives it."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        # error_description is restricted to printable ASCII without '"' and '\\'.
        self.description = "".join(
            c if " " <= c <= "~" and c not in '"\\' else "'" for c in description
        )
        self.status = status


class InvalidToken(OAuthError):
    """RFC 6750 §3.1: a 401 with a ``WWW-Authenticate: Bearer`` challenge."""

    def __init__(self, description: str, *, presented: bool = True) -> None:
        super().__init__("invalid_token", description, status=401)
        # A request without any token gets the bare challenge (RFC 6750 §3.1).
        self.presented = presented


def error_response(error: OAuthError) -> JSONResponse:
    headers = dict(NO_STORE)
    if isinstance(error, InvalidToken):
        headers["WWW-Authenticate"] = (
            f'Bearer error="invalid_token", error_description="{error.description}"'
            if error.presented
            else "Bearer"
        )
    body = {"error": error.error, "error_description": error.description}
    return JSONResponse(body, status_code=error.status, headers=headers)


def _first_error(exc: ValidationError, model: type[BaseModel]) -> str:
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error.get("loc", ())) or "body"
    name = getattr(model.model_fields.get(field), "alias", None) or field
    return f"'{name}': {error.get('msg', 'invalid')}"


def parse_token_form(form: FormData) -> TokenRequest:
    """Validate the token request's form fields; OAuthError names what is wrong."""
    values: dict[str, str] = {}
    for key, value in form.multi_items():
        if key in values:
            raise OAuthError("invalid_request", f"The parameter '{key}' is repeated.")
        if not isinstance(value, str):
            raise OAuthError("invalid_request", f"The parameter '{key}' must be a plain value.")
        values[key] = value
    grant_type = values.get("grant_type")
    if grant_type is None:
        raise OAuthError("invalid_request", "The parameter 'grant_type' is missing.")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise OAuthError(
            "unsupported_grant_type", f"Only the grant type {PRE_AUTHORIZED_GRANT} is supported."
        )
    if "pre-authorized_code" not in values:
        raise OAuthError("invalid_request", "The parameter 'pre-authorized_code' is missing.")
    try:
        return TokenRequest.model_validate(values)
    except ValidationError as exc:
        raise OAuthError("invalid_request", _first_error(exc, TokenRequest)) from None


async def _token_form(request: Request) -> TokenRequest | OAuthError:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        return OAuthError(
            "invalid_request", "Send the token request as application/x-www-form-urlencoded."
        )
    try:
        form = await request.form(max_fields=_MAX_FORM_FIELDS)
    except (HTTPException, MultiPartException):
        return OAuthError("invalid_request", "The body is not a readable form.")
    try:
        return parse_token_form(form)
    except OAuthError as error:
        return error


async def _credential_body(request: Request) -> CredentialRequest | OAuthError:
    try:
        data: Any = await request.json()
    except ValueError:
        return OAuthError("invalid_credential_request", "The body is not a JSON object.")
    if not isinstance(data, dict):
        return OAuthError("invalid_credential_request", "The body is not a JSON object.")
    try:
        return CredentialRequest.model_validate(data)
    except ValidationError as exc:
        return OAuthError("invalid_credential_request", _first_error(exc, CredentialRequest))


def bearer_token(request: Request) -> str:
    """The access token of an ``Authorization: Bearer`` header, or InvalidToken."""
    header = request.headers.get("authorization")
    if not header:
        raise InvalidToken("An access token from the token endpoint is required.", presented=False)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise InvalidToken("The Authorization header is not 'Bearer <access token>'.")
    return token


TokenFormDep = Annotated[TokenRequest | OAuthError, Depends(_token_form)]
CredentialBodyDep = Annotated[CredentialRequest | OAuthError, Depends(_credential_body)]
