"""What a baked proof carries: a credential as JSON (with its proof) or as a compact JWT.

Also the limits every extractor applies, so a hostile file costs bounded memory and time.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from app.core import strictjson

# Our own PDFs are well under 1 MB; badges from other bakers rarely exceed a few MB.
MAX_FILE_BYTES: Final = 5_000_000
# A credential with a long evidence list is tens of kB; a megabyte leaves ample room.
MAX_PAYLOAD_BYTES: Final = 1_000_000

_JWS_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")

Payload = dict[str, Any] | str


class ExtractionError(ValueError):
    """The input holds no credential we can read; the message says why, in plain words."""


def check_file_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise ExtractionError(
            f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB; "
            "a credential file is much smaller."
        )


def parse_payload(text: str) -> Payload:
    """The credential as a JSON object, or the compact JWT string, from baked text."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PAYLOAD_BYTES:
        raise ExtractionError("The embedded credential is larger than 1 MB.")
    stripped = text.strip().lstrip("\ufeff").strip()
    if stripped.startswith(("{", "[")):
        try:
            value = strictjson.loads(stripped)
        except strictjson.StrictJsonError as error:
            raise ExtractionError(f"The embedded credential is refused: {error}") from None
        except (ValueError, RecursionError):
            raise ExtractionError("The embedded credential is not valid JSON.") from None
        if not isinstance(value, dict):
            raise ExtractionError("The embedded credential is not a JSON object.")
        return value
    if _JWS_COMPACT.match(stripped):
        return stripped
    raise ExtractionError("The embedded data is neither a JSON credential nor a JWT.")


def json_text(credential: dict[str, Any]) -> str:
    """The credential as readable UTF-8 JSON; signatures cover the RDF, not the bytes."""
    return json.dumps(credential, ensure_ascii=False, indent=2)
