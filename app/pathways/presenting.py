"""What an evaluation request presents (credentials, or a presentation carrying them), bounded,
the client's verification budget, and the verification of everything presented.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from app.errors import AppError, BadRequest, InvalidInput, PayloadTooLarge, TooManyRequests
from app.verification.checks import as_list
from app.verification.credential_input import MAX_DEPTH, MAX_NODES, InputRejected, parse_json
from app.verification.report import Report
from app.verification.service import Verifier
from app.verification.state import VerificationState

MAX_CREDENTIALS: Final = 100


@dataclass(frozen=True)
class Presented:
    """What a request presents: credentials, possibly inside a presentation."""

    credentials: list[Any]
    presentation: Any = None
    signed: bool = False


def read_request(raw: bytes) -> Presented:
    """``{credentials: [...]}``, ``{verifiablePresentation}``, ``{presentation}`` or a bare VP."""
    try:
        body = parse_json(
            raw, max_depth=MAX_DEPTH + 4, max_nodes=MAX_CREDENTIALS * (MAX_NODES // 10)
        )
    except InputRejected as error:
        kind: type[AppError] = PayloadTooLarge if error.status == 413 else BadRequest
        raise kind(error.detail) from None
    if not isinstance(body, dict):
        raise InvalidInput('The body must be {"credentials": [...]}.', field="credentials")
    if "VerifiablePresentation" in as_list(body.get("type")):
        return _presented(body, signed="proof" in body)
    if "verifiablePresentation" in body:
        return _presented(body["verifiablePresentation"], signed=True)
    if "presentation" in body:
        return _presented(body["presentation"], signed=False)
    credentials = body.get("credentials")
    if not isinstance(credentials, list) or not credentials:
        raise InvalidInput(
            'The body must be {"credentials": [...]}, a non-empty list of credentials '
            "(JSON-LD or VC-JWT), or a VerifiablePresentation.",
            field="credentials",
        )
    return Presented(credentials=_bounded(credentials, "credentials"))


def _presented(value: Any, *, signed: bool) -> Presented:
    if not isinstance(value, dict):
        raise InvalidInput("A presentation must be a JSON object.", field="verifiablePresentation")
    credentials = as_list(value.get("verifiableCredential"))
    _bounded(credentials, "verifiablePresentation.verifiableCredential")
    return Presented(credentials=credentials, presentation=value, signed=signed)


def _bounded(credentials: list[Any], field: str) -> list[Any]:
    if len(credentials) > MAX_CREDENTIALS:
        raise InvalidInput(
            f"At most {MAX_CREDENTIALS} credentials are evaluated at once, not {len(credentials)}.",
            field=field,
        )
    return credentials


def take_budget(client: str, state: VerificationState, cost: int) -> None:
    """The verifier's per-client token bucket: evaluation verifies as much as a batch does."""
    wait = state.limiter.take(client, cost=cost)
    if wait:
        raise TooManyRequests(
            f"Too many verifications from {client}; retry in {math.ceil(wait)} s.",
            extra={"retry_after": math.ceil(wait)},
            headers={"Retry-After": str(math.ceil(wait))},
        )


def verify_all(verifier: Verifier, presented: Presented) -> list[Report]:
    if presented.presentation is None:
        return [verifier.credential(item) for item in presented.credentials]
    report, reports = verifier.presentation(
        presented.presentation, challenge=None, domain=None, signed=presented.signed
    )
    failed = [c for c in report.failed if c.check != "credentials"]
    if failed:
        # The presenter's own proof failed: nothing it carries can be taken from it.
        for item in reports:
            item.add(
                "presentation", "failed", f"the presentation did not verify: {failed[0].reason}"
            )
    return reports
