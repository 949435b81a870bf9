"""Pure verification checks: contexts, validity period, issuer trust.

No web, database or network code: every input (the document, the time, a fetched status
list) is passed in, and each function returns `Check`s for the report. The credential's
structure (JSON Schemas) is checked in `structure.py`, proofs and key binding in `proofs.py`;
the order of checks and all fetching in `service.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from app.crypto.errors import JsonLdProcessingError
from app.crypto.jsonld import CONTEXT_FILES, undefined_terms
from app.verification.report import MALFORMED_VALUE_ERROR, Check

V2: Final = "https://www.w3.org/ns/credentials/v2"
V1: Final = "https://www.w3.org/2018/credentials/v1"
EXAMPLES: Final = (
    "https://www.w3.org/ns/credentials/examples/v2",
    "https://www.w3.org/2018/credentials/examples/v1",
)


# RFC 7519 registered claims VC-JOSE-COSE adds beside the credential (§3.1.3).
JWT_CLAIMS: Final = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf"})


_DATE_TIME_STAMP = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [] if value is None else [value]


def issuer_id(document: Mapping[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def data_model(document: Mapping[str, Any]) -> str:
    """ "2.0", "1.1" or "" from the first @context."""
    contexts = as_list(document.get("@context"))
    first = contexts[0] if contexts else None
    return "2.0" if first == V2 else "1.1" if first == V1 else ""


def short_list(values: Sequence[str], limit: int = 3) -> str:
    shown = "; ".join(values[:limit])
    return shown + (f"; and {len(values) - limit} more" if len(values) > limit else "")


def check_contexts(
    document: Mapping[str, Any], *, terms_checked: bool = False, jwt: bool = False
) -> Check:
    """Only vendored contexts (never fetched), in VCDM order, defining every term used.

    `terms_checked`: a verified RDFC proof already canonicalized the document in JSON-LD
    safe mode, which proves the same thing; the costly expansion is then not repeated.
    `jwt`: the document is a JWS payload, whose registered claims are JOSE, not JSON-LD.
    """
    contexts = as_list(document.get("@context"))
    if not contexts:
        return Check("contexts", "failed", "it has no @context", MALFORMED_VALUE_ERROR)
    if contexts[0] not in (V2, V1):
        return Check(
            "contexts",
            "failed",
            f"its first @context must be {V2} (or {V1} for VC DM 1.1), not {contexts[0]!r}",
            MALFORMED_VALUE_ERROR,
        )
    unknown = [c for c in contexts if isinstance(c, str) and c not in CONTEXT_FILES]
    if unknown or not all(isinstance(c, str | dict) for c in contexts):
        reason = "it uses a @context LearnProof does not hold, and unknown contexts are never "
        reason += (
            f"fetched: {short_list([str(u) for u in unknown]) or 'a context that is not a URL'}"
        )
        return Check("contexts", "failed", reason, MALFORMED_VALUE_ERROR)
    if jwt:
        document = {k: v for k, v in document.items() if k not in JWT_CLAIMS}
    try:
        problems = [] if terms_checked else undefined_terms(document, reuse_shape="verifying")
    except JsonLdProcessingError as error:
        return Check(
            "contexts", "failed", f"its JSON-LD is invalid: {error}", MALFORMED_VALUE_ERROR
        )
    if problems:
        reason = "its @context does not define everything it says"
        # Under a JWS every byte is signed; under Data Integrity undefined parts are not.
        reason += ": " if jwt else ", so those parts would not be covered by a signature: "
        reason += short_list(problems)
        return Check("contexts", "failed", reason, MALFORMED_VALUE_ERROR)
    if any(c in EXAMPLES for c in contexts):
        return Check(
            "contexts", "warning", "it uses the W3C examples context, meant for examples only"
        )
    return Check("contexts", "passed", f"all {len(contexts)} JSON-LD contexts are known")


def parse_date_time(value: Any) -> datetime | None:
    """An XML Schema dateTimeStamp (time zone required), or None."""
    if not isinstance(value, str) or not _DATE_TIME_STAMP.match(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _day(moment: datetime) -> str:
    return (
        moment.strftime("%Y-%m-%d %H:%M UTC") if moment.utcoffset() == timedelta(0) else str(moment)
    )


def check_validity(document: Mapping[str, Any], *, now: datetime, skew: timedelta) -> Check:
    """validFrom/validUntil (VC DM 1.1: issuanceDate/expirationDate) against `now` ± skew."""
    start_name, end_name = (
        ("issuanceDate", "expirationDate")
        if data_model(document) == "1.1"
        else ("validFrom", "validUntil")
    )
    bounds: dict[str, datetime | None] = {}
    for name in (start_name, end_name):
        if name in document:
            bounds[name] = parse_date_time(document[name])
            if bounds[name] is None:
                reason = f"{name} {document[name]!r} is not a date and time with a time zone"
                return Check("validity", "failed", reason, MALFORMED_VALUE_ERROR)
    start, end = bounds.get(start_name), bounds.get(end_name)
    if start and end and start > end:
        reason = f"{start_name} ({_day(start)}) is after {end_name} ({_day(end)})"
        return Check("validity", "failed", reason, MALFORMED_VALUE_ERROR)
    if start and now + skew < start:
        return Check("validity", "failed", f"not valid yet: it becomes valid on {_day(start)}")
    if end and now - skew > end:
        return Check("validity", "failed", f"expired on {_day(end)}")
    if start and end:
        return Check("validity", "passed", f"valid from {_day(start)} until {_day(end)}")
    if start:
        return Check("validity", "passed", f"valid since {_day(start)}, with no expiry date")
    if end:
        return Check("validity", "passed", f"valid until {_day(end)}")
    return Check("validity", "passed", "no validity period is stated")


def check_issuer_trust(
    issuer: Any, *, own_name: str | None, registered: bool, trusted: Sequence[str]
) -> Check:
    if not isinstance(issuer, str) or not issuer:
        return Check("issuer_trust", "warning", "it names no issuer")
    if registered and own_name is not None:
        reason = f"issued by {own_name}, an issuer registered on this LearnProof service"
        return Check("issuer_trust", "passed", reason)
    if issuer in trusted:
        return Check("issuer_trust", "passed", f"{issuer} is on this service's trusted list")
    reason = f"{issuer} is not an issuer this service knows or trusts: the signature shows "
    reason += "who issued it, not whether that issuer is what it claims to be"
    return Check("issuer_trust", "warning", reason)
