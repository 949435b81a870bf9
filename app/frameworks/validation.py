"""Checks of an imported framework document, reported as the errors of one 422 problem.

Each error is ``{field, message}`` like every other 422, ``field`` being the JSON path the
meta-standard names (``$.levels[2].ordinal``).
"""

from __future__ import annotations

from app.errors import InvalidInput
from app.frameworks import meta

# framework_level.ordinal is a 32-bit INTEGER; the meta-standard sets no upper bound.
_MAX_ORDINAL = 2**31 - 1
_SUMMARISED = 5


def document_errors(document: object) -> list[dict[str, str]]:
    """Departures from the meta-standard, plus values the database could not store."""
    messages = meta.validate_framework_document(document)
    if isinstance(document, dict) and isinstance(document.get("levels"), list):
        for index, level in enumerate(document["levels"]):
            ordinal = level.get("ordinal") if isinstance(level, dict) else None
            if isinstance(ordinal, int) and ordinal > _MAX_ORDINAL:
                messages.append(f"$.levels[{index}].ordinal: must be at most {_MAX_ORDINAL}")
    errors = []
    for message in messages:
        path, _, problem = message.partition(": ")
        errors.append({"field": path, "message": problem})
    return errors


def invalid_document(errors: list[dict[str, str]]) -> InvalidInput:
    summary = "; ".join(f"{error['field']}: {error['message']}" for error in errors[:_SUMMARISED])
    more = f" (and {len(errors) - _SUMMARISED} more)" if len(errors) > _SUMMARISED else ""
    return InvalidInput(
        f"The framework document does not conform to the meta-standard: {summary}{more}",
        extra={"errors": errors},
    )
