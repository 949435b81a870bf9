"""Pure: the secrets of a wallet offer and the digests that are stored instead of them.

The offer URI carries a 256-bit random secret. The pre-authorized code is derived from it
(SHA-256 under a label), so the ``credential_offer_uri`` can serve the code although the
database keeps only digests: the URI's digest finds the row, the code's digest is what the
token endpoint checks. Whoever holds the URI holds the code, which is inherent to an offer
passed by reference; the URI stops answering once the code is redeemed or expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TX_CODE_LENGTH = 6
_CODE_LABEL = b"learnproof/oid4vci/pre-authorized_code\x00"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def code_for(uri_secret: str) -> str:
    """The pre-authorized code that belongs to an offer URI's secret."""
    raw = hashlib.sha256(_CODE_LABEL + uri_secret.encode()).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_tx_code() -> str:
    return f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}"


def tx_code_digest(code: str, tx_code: str) -> str:
    """Keyed by the pre-authorized code: a million plain SHA-256 guesses would otherwise
    reveal every stored six-digit code."""
    return hmac.new(code.encode(), tx_code.encode(), hashlib.sha256).hexdigest()


def same(expected: str, presented: str) -> bool:
    return hmac.compare_digest(expected, presented)
