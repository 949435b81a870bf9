"""Reading untrusted verification input: JSON bounds, JSON-LD objects, VC-JWTs, envelopes.

Pure. Nothing here trusts the input: JSON is bounded in depth and size before any JSON-LD
or schema code walks it (both recurse), and a JWT is only decoded, never believed, here.

    InputRejected (ValueError)   the request body itself is unusable (status 400 or 413)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import unquote

from app.core import strictjson
from app.crypto.encoding import b64url_decode
from app.crypto.errors import EncodingError

# An Open Badges credential is about 8 levels deep and a few hundred JSON values; these
# leave room for rich credentials while keeping JSON-LD expansion of hostile input short.
MAX_DEPTH: Final = 32
MAX_NODES: Final = 20_000
MAX_PRESENTATION_NODES: Final = 200_000

ENVELOPED: Final = "EnvelopedVerifiableCredential"
VC_JWT: Final = "application/vc+jwt"
_UNSUPPORTED_MEDIA: Final = {
    "application/vc+sd-jwt": "SD-JWT",
    "application/dc+sd-jwt": "SD-JWT",
    "application/vc+cose": "COSE",
    "application/vc-ld+jwt": "a VC-JWT of an old draft",
}
_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class InputRejected(ValueError):
    """The request body cannot be read at all; `status` is the HTTP status to answer with."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status


def bounds_problem(value: Any, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> str:
    """Why `value` is too deep or too big to process, or "" when it is within bounds.

    Every request to verify is measured, often twice (its body, then each credential), so
    this is the fast form: leaves are counted in their container's loop and only containers
    cost a call, about half the CPU of a stack of (value, depth) pairs. Its recursion stops
    at `max_depth`, which is at most a few hundred (`_ITERATIVE_BEYOND`, or the stack form
    is used), so a hostile document cannot exhaust the stack while being measured. Values
    are visited in the same order as the stack form's, so the same limit is named first.
    """
    if max_depth > _ITERATIVE_BEYOND:
        return _bounds_problem_by_stack(value, max_depth=max_depth, max_nodes=max_nodes)
    try:
        if max_nodes < 1:
            raise _TooMany
        if max_depth < 1:
            raise _TooDeep
        if isinstance(value, (dict, list)):
            _nodes_left(value, 1, max_depth, max_nodes - 1)
    except _TooMany:
        return _too_many(max_nodes)
    except _TooDeep:
        return _too_deep(max_depth)
    return ""


_ITERATIVE_BEYOND: Final = 400


class _TooMany(Exception):
    pass


class _TooDeep(Exception):
    pass


def _too_many(max_nodes: int) -> str:
    return f"it holds more than {max_nodes} JSON values"


def _too_deep(max_depth: int) -> str:
    return f"it is nested more than {max_depth} levels deep"


def _nodes_left(
    container: dict[str, Any] | list[Any], depth: int, max_depth: int, left: int
) -> int:
    """How many values may still follow once `container`'s children (it is counted) are."""
    children = container.values() if isinstance(container, dict) else container
    depth += 1
    # Last child first, as the stack form pops them.
    for child in reversed(children):
        left -= 1
        if left < 0:
            raise _TooMany
        if depth > max_depth:
            raise _TooDeep
        if child and isinstance(child, (dict, list)):
            left = _nodes_left(child, depth, max_depth, left)
    return left


def _bounds_problem_by_stack(value: Any, *, max_depth: int, max_nodes: int) -> str:
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            return _too_many(max_nodes)
        if depth > max_depth:
            return _too_deep(max_depth)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return ""


def parse_json(raw: bytes, *, max_depth: int, max_nodes: int) -> Any:
    """JSON from a request body, or InputRejected (400 unreadable, 413 too complex)."""
    try:
        value = strictjson.loads(raw)
    except strictjson.StrictJsonError as error:
        raise InputRejected(str(error)) from None
    except RecursionError:
        raise InputRejected(
            f"The JSON is nested more than {max_depth} levels deep.", status=413
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InputRejected(f"The request body is not JSON: {error}.") from None
    problem = bounds_problem(value, max_depth=max_depth, max_nodes=max_nodes)
    if problem:
        raise InputRejected(f"The JSON is too complex to verify: {problem}.", status=413)
    return value


@dataclass(frozen=True, slots=True)
class CredentialInput:
    """One credential as received: a JSON-LD object, or a compact JWS and its decoded parts.

    `problem` says why it cannot be read (the parsing check fails); `unsupported` marks a
    well-formed format this verifier does not implement (never reported as valid).
    """

    kind: Literal["json-ld", "jwt", "unreadable"]
    document: dict[str, Any] | None = None
    token: str | None = None
    header: dict[str, Any] | None = None
    problem: str = ""
    unsupported: bool = False
    envelope: str = ""

    @property
    def media_type(self) -> str | None:
        return VC_JWT if self.kind == "jwt" else "application/vc" if self.document else None


def _unreadable(problem: str, *, unsupported: bool = False) -> CredentialInput:
    return CredentialInput(kind="unreadable", problem=problem, unsupported=unsupported)


def _json_segment(segment: str, what: str, max_nodes: int) -> dict[str, Any]:
    try:
        value = strictjson.loads(b64url_decode(segment))
    except strictjson.StrictJsonError as error:
        raise ValueError(f"its {what} is not I-JSON: {error}") from None
    except RecursionError:
        raise ValueError(f"its {what} is nested too deeply") from None
    except (EncodingError, UnicodeDecodeError, ValueError):
        raise ValueError(f"its {what} is not base64url-encoded JSON") from None
    if not isinstance(value, dict):
        raise ValueError(f"its {what} is not a JSON object")
    problem = bounds_problem(value, max_nodes=max_nodes)
    if problem:
        raise ValueError(f"its {what} is too complex: {problem}")
    return value


def read_jwt(text: str, *, max_nodes: int = MAX_NODES, envelope: str = "") -> CredentialInput:
    """Decode (without verifying) a compact JWS carrying a credential."""
    token = text.strip()
    if "~" in token:
        return _unreadable("this is an SD-JWT, which LearnProof does not verify", unsupported=True)
    if not _COMPACT_JWS.match(token):
        return _unreadable("the text is neither a JSON credential nor a compact JWT")
    header_segment, payload_segment, signature = token.split(".")
    try:
        header = _json_segment(header_segment, "header", 100)
        payload = _json_segment(payload_segment, "payload", max_nodes)
        # Strict: base64url with stray trailing bits would let many strings pass as one
        # signature (PyJWT decodes leniently).
        b64url_decode(signature)
    except EncodingError:
        return _unreadable("the JWT signature is not canonical base64url")
    except ValueError as error:
        return _unreadable(f"the JWT cannot be read: {error}")
    return CredentialInput(
        kind="jwt", document=payload, token=token, header=header, envelope=envelope
    )


def _read_envelope(value: Mapping[str, Any], max_nodes: int) -> CredentialInput:
    data_url = value.get("id")
    if not isinstance(data_url, str) or not data_url.startswith("data:") or "," not in data_url:
        return _unreadable("an EnvelopedVerifiableCredential needs an id that is a data: URL")
    media, _, content = data_url.removeprefix("data:").partition(",")
    media_type = media.split(";", 1)[0].strip().lower()
    if media_type in _UNSUPPORTED_MEDIA:
        return _unreadable(
            f"the envelope holds {_UNSUPPORTED_MEDIA[media_type]} ({media_type}), which "
            "LearnProof does not verify",
            unsupported=True,
        )
    if media_type != VC_JWT:
        return _unreadable(f"the envelope's media type {media_type!r} is not {VC_JWT}")
    return read_jwt(unquote(content), max_nodes=max_nodes, envelope=ENVELOPED)


def _types(value: Mapping[str, Any]) -> list[Any]:
    types = value.get("type")
    return types if isinstance(types, list) else [types]


def read_credential(value: Any, *, max_nodes: int = MAX_NODES) -> CredentialInput:
    """Classify one credential of a request: JSON-LD object, VC-JWT text or an envelope."""
    if isinstance(value, str):
        return read_jwt(value, max_nodes=max_nodes)
    if not isinstance(value, dict):
        return _unreadable("a credential must be a JSON object or a VC-JWT string")
    problem = bounds_problem(value, max_nodes=max_nodes)
    if problem:
        return _unreadable(f"the credential is too complex to verify: {problem}")
    if ENVELOPED in _types(value):
        return _read_envelope(value, max_nodes)
    return CredentialInput(kind="json-ld", document=value)
