"""The three verification request bodies, read by hand from raw bytes.

Not pydantic: the body may be a bare VC-JWT (`Content-Type: application/vc+jwt`), and JSON
must be bounded in depth and size before anything walks it. Unusable bodies raise AppError
(400 unreadable, 413 too big or too deep, 422 wrong shape), rendered as problem+json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from app.errors import AppError, BadRequest, InvalidInput, PayloadTooLarge
from app.verification.credential_input import InputRejected, parse_json
from app.verification.limits import VerifyLimits

MAX_BATCH: Final = 1000
_JWT_TYPES: Final = ("application/vc+jwt", "application/jwt", "text/plain")
_RAW_CREDENTIAL_TYPES: Final = ("application/vc", "application/vc+ld+json")
# Room for the wrapper objects around the documents themselves.
_WRAPPER_DEPTH: Final = 3


@dataclass(frozen=True)
class VerifyRequest:
    credential: Any
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def return_credential(self) -> bool:
        return self.options.get("returnCredential") is not False


@dataclass(frozen=True)
class PresentationRequest:
    presentation: Any
    signed: bool
    challenge: str | None
    domain: str | None


@dataclass(frozen=True)
class BatchRequest:
    credentials: list[Any]
    options: dict[str, Any] = field(default_factory=dict)


def _media_type(content_type: str | None) -> str:
    return (content_type or "application/json").split(";", 1)[0].strip().lower()


_DEFAULT_LIMITS: Final = VerifyLimits()


def _json(raw: bytes, *, max_nodes: int, limits: VerifyLimits) -> Any:
    try:
        return parse_json(
            raw, max_depth=limits.max_json_depth + _WRAPPER_DEPTH, max_nodes=max_nodes
        )
    except InputRejected as error:
        kind: type[AppError] = PayloadTooLarge if error.status == 413 else BadRequest
        raise kind(error.detail) from None


def _options(body: Mapping[str, Any]) -> dict[str, Any]:
    options = body.get("options", {})
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise InvalidInput("'options' must be a JSON object.", field="options")
    return options


def _text(raw: bytes) -> str:
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise BadRequest("A VC-JWT is ASCII text; the body is not.") from None


def read_verify_request(
    raw: bytes, content_type: str | None, limits: VerifyLimits = _DEFAULT_LIMITS
) -> VerifyRequest:
    """`{verifiableCredential, options}`, a bare VC-JWT, or a bare JSON credential."""
    media_type = _media_type(content_type)
    if media_type in _JWT_TYPES:
        return VerifyRequest(credential=_text(raw))
    body = _json(raw, max_nodes=limits.max_json_values + 100, limits=limits)
    if media_type in _RAW_CREDENTIAL_TYPES or (
        isinstance(body, dict) and "verifiableCredential" not in body and "@context" in body
    ):
        return VerifyRequest(credential=body)
    if not isinstance(body, dict) or "verifiableCredential" not in body:
        raise InvalidInput(
            'The body must be {"verifiableCredential": <credential or VC-JWT>, "options": {}}.',
            field="verifiableCredential",
        )
    return VerifyRequest(credential=body["verifiableCredential"], options=_options(body))


def _optional_text(options: Mapping[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"options.{name} must be a string.", field=f"options.{name}")
    return value


def read_presentation_request(
    raw: bytes, content_type: str | None, limits: VerifyLimits = _DEFAULT_LIMITS
) -> PresentationRequest:
    """`{verifiablePresentation, options{challenge, domain}}` or `{presentation}` unsigned."""
    body = _json(raw, max_nodes=limits.max_presentation_values, limits=limits)
    if not isinstance(body, dict):
        raise InvalidInput("The body must be a JSON object.")
    options = _options(body)
    if "verifiablePresentation" in body:
        presentation, signed = body["verifiablePresentation"], True
    elif "presentation" in body:
        presentation, signed = body["presentation"], False
    else:
        raise InvalidInput(
            "The body must hold 'verifiablePresentation' (or an unsigned 'presentation').",
            field="verifiablePresentation",
        )
    return PresentationRequest(
        presentation=presentation,
        signed=signed,
        challenge=_optional_text(options, "challenge"),
        domain=_optional_text(options, "domain"),
    )


def read_batch_request(
    raw: bytes, content_type: str | None, limits: VerifyLimits = _DEFAULT_LIMITS
) -> BatchRequest:
    """`{credentials: [...]}` with 1 to 1,000 credentials."""
    body = _json(raw, max_nodes=MAX_BATCH * (limits.max_json_values // 10), limits=limits)
    credentials = body.get("credentials") if isinstance(body, dict) else None
    if not isinstance(credentials, list) or not credentials:
        raise InvalidInput(
            'The body must be {"credentials": [...]}, a non-empty list.', field="credentials"
        )
    if len(credentials) > MAX_BATCH:
        raise InvalidInput(
            f"A batch holds at most {MAX_BATCH} credentials, not {len(credentials)}.",
            field="credentials",
        )
    return BatchRequest(credentials=credentials, options=_options(body))
