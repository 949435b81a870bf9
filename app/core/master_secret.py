"""Is a configured master secret really 32 random bytes? (pure; no settings, no I/O)

Production accepts only base64, base64url or hex encodings of at least 32 bytes that look
random; a passphrase (however long) is refused, because HKDF cannot add the entropy it
lacks. The bytes the key store derives from are unchanged by this check, so a secret that
passes keeps decrypting the keys it encrypted before.
"""

from __future__ import annotations

import base64
import binascii
import re
import string

MIN_BYTES = 32
# 32 random bytes show about 30 distinct values; fewer than 16 happens by chance with a
# probability far below 1e-20, but it is what repeated or patterned input looks like.
_MIN_DISTINCT = 16
_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
HOW_TO_MAKE = "make one with `learnproof keys master-key`"


def problem(text: str) -> str | None:
    """Why ``text`` is not an encoding of 32 random bytes, or None when it is one."""
    text = text.strip()
    if _HEX.fullmatch(text) and len(text) % 2 == 0 and len(text) >= 2 * MIN_BYTES:
        raw = bytes.fromhex(text)
    elif _BASE64.fullmatch(text):
        # Random base64 mixes cases and digits; one case of letters only is a passphrase.
        classes = sum(
            any(c in charset for c in text)
            for charset in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
        )
        if classes < 2:
            return "looks like a passphrase, not encoded random bytes"
        try:
            raw = base64.urlsafe_b64decode(
                text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4)
            )
        except (binascii.Error, ValueError):
            return "is not valid base64, base64url or hex"
    else:
        return "is not base64, base64url or hex (it contains other characters)"
    if len(raw) < MIN_BYTES:
        return f"decodes to {len(raw)} bytes; at least {MIN_BYTES} are required"
    if len(set(raw)) < _MIN_DISTINCT:
        return "does not look random (too few distinct byte values)"
    return None


def describe(reason: str) -> str:
    return (
        f"LEARNPROOF_MASTER_KEY must be {MIN_BYTES} random bytes encoded as base64, base64url "
        f"or hex; the value given {reason}; {HOW_TO_MAKE}"
    )
