"""Strict base64url (RFC 4648 §5, unpadded, as JOSE uses it) and base58btc (Bitcoin alphabet).

Decoders reject anything a conforming encoder would not produce (padding, other alphabets,
whitespace), so two different strings never decode to the same key or signature.
"""

from __future__ import annotations

import base64
import re

import base58

from app.crypto.errors import EncodingError

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]*$")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not _BASE64URL.match(text) or len(text) % 4 == 1:
        raise EncodingError("not unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url_encode(data) != text:
        raise EncodingError("non-canonical base64url (stray trailing bits)")
    return data


def b58_encode(data: bytes) -> str:
    return str(base58.b58encode(data).decode("ascii"))


def b58_decode(text: str) -> bytes:
    if not isinstance(text, str) or not _BASE58.match(text):
        raise EncodingError("not base58btc")
    return bytes(base58.b58decode(text))
