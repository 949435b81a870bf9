"""Strict JSON for everything we are sent: I-JSON (RFC 7493), no NaN or Infinity.

Python's json module accepts `NaN`, `Infinity` and `-Infinity` (not JSON, RFC 8259 §6), turns
`1e400` into infinity (which no JSON response can carry), and
keeps the last of duplicate keys, where another parser may keep the first: a document that
two parsers read differently cannot be signed or verified safely. `loads` refuses both, naming
what it found; `app.json_middleware` applies it to every JSON request body of the
service, in one place, as the body is read (the route then gets a 400 problem+json). Pure.
"""

from __future__ import annotations

import json
import math
from typing import Any


class StrictJsonError(ValueError):
    """Well-formed to Python's parser but not I-JSON; the message says what and where."""


def _refuse_constant(name: str) -> Any:
    raise StrictJsonError(
        f"The JSON holds {name}, which is not a JSON number (RFC 8259); send a number, "
        "a string or null."
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise StrictJsonError(
            f"The JSON number {text[:40]} is too large for a 64-bit float (I-JSON, RFC 7493)."
        )
    return value


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise StrictJsonError(
                f"The JSON has an object with the key {key!r} more than once; duplicate keys "
                "are refused (I-JSON, RFC 7493) because parsers disagree on which one counts."
            )
        result[key] = value
    return result


# The one strict decoder: `loads` and `app.core.json_stream` (member by member) both use it.
STRICT_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_pairs,
    parse_constant=_refuse_constant,
    parse_float=_finite_float,
)


def loads(text: str | bytes | bytearray) -> Any:
    """json.loads that raises `StrictJsonError` for NaN/Infinity and duplicate keys.

    Other errors are json.loads' own (ValueError subclasses, RecursionError).
    """
    if not isinstance(text, str):
        # json.loads' own detection of UTF-8/16/32 (RFC 8259 allows only UTF-8; kept as before).
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    return STRICT_DECODER.decode(text)


def strictness_problem(body: bytes) -> str:
    """Why a request body is not strict JSON, or "" (also when it is not JSON at all:
    the route answers that in its own way)."""
    try:
        loads(body)
    except StrictJsonError as error:
        return str(error)
    except (ValueError, RecursionError):
        return ""
    return ""
