"""Related resources (VC DM 2.0 §5.3, VC Data Integrity §2.6): compare each digest.

Pure apart from the injected `obtain` (the resolver): vendored JSON-LD contexts are compared
by URL with the bytes we hold, other http(s) resources are fetched through the SSRF-safe
fetcher. A resource we cannot obtain is a warning, never a silent pass; a digest that does
not match fails the credential and names the resource. Structure (ids, digests present) is
checked with the rest of the structure in `checks.py`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Mapping
from typing import Any, Final

from app.crypto.errors import EncodingError
from app.crypto.multikey import multibase_decode
from app.verification.checks import as_list
from app.verification.did_documents import ResolutionError
from app.verification.report import MALFORMED_VALUE_ERROR, Check

# Fetching is bounded per credential: the rest are reported as not checked.
MAX_RESOURCES: Final = 8
# Multihash codes of the SHA-2 family and the digest lengths they imply.
_MULTIHASH: Final = {0x12: ("sha256", 32), 0x20: ("sha384", 48), 0x13: ("sha512", 64)}
_BY_LENGTH: Final = {32: "sha256", 48: "sha384", 64: "sha512"}

Obtain = Callable[[str], bytes]


def _sri_matches(value: str, body: bytes) -> bool:
    """Every hash expression of the SRI value must match (we do not pick the strongest)."""
    for expression in value.split():
        algorithm, _, encoded = expression.partition("-")
        try:
            expected = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return False
        if hashlib.new(algorithm, body).digest() != expected:
            return False
    return True


def _multibase_matches(value: str, body: bytes) -> bool:
    """A multibase multihash (DI §2.6); a bare SHA-2 digest is accepted by its length too."""
    try:
        data = multibase_decode(value)
    except (EncodingError, ValueError):
        return False
    if len(data) >= 2 and data[0] in _MULTIHASH:
        algorithm, size = _MULTIHASH[data[0]]
        if data[1] == size and len(data) == size + 2:
            return hashlib.new(algorithm, body).digest() == data[2:]
    algorithm_by_length = _BY_LENGTH.get(len(data))
    return (
        algorithm_by_length is not None and hashlib.new(algorithm_by_length, body).digest() == data
    )


def check_related_resources(document: Mapping[str, Any], obtain: Obtain) -> list[Check]:
    """One check per related resource (structure problems are `structure`'s to report)."""
    items = [i for i in as_list(document.get("relatedResource")) if isinstance(i, Mapping)]
    checks: list[Check] = []
    for position, item in enumerate(items):
        url = item.get("id")
        if not isinstance(url, str):
            continue
        if position >= MAX_RESOURCES:
            reason = f"related resource {url} was not checked: only the first {MAX_RESOURCES} are"
            checks.append(Check("related_resource", "warning", reason))
            continue
        try:
            body = obtain(url)
        except ResolutionError as error:
            reason = f"related resource {url} could not be obtained, so its digest was not "
            reason += f"checked: {error}"
            checks.append(Check("related_resource", "warning", reason))
            continue
        sri, multibase = item.get("digestSRI"), item.get("digestMultibase")
        matches = []
        if isinstance(sri, str):
            matches.append(_sri_matches(sri, body))
        if isinstance(multibase, str):
            matches.append(_multibase_matches(multibase, body))
        if not matches:
            continue
        if all(matches):
            checks.append(
                Check("related_resource", "passed", f"related resource {url} matches its digest")
            )
        else:
            reason = f"related resource {url} does not match the digest the credential gives: "
            reason += "it changed since the credential was issued, or the digest is wrong"
            checks.append(Check("related_resource", "failed", reason, MALFORMED_VALUE_ERROR))
    return checks
