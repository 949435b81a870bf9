"""Open Badges 3.0 SVG baking: an ``<openbadges:credential>`` element first in the root.

The element (namespace ``https://purl.imsglobal.org/ob/v3p0``) holds the credential JSON in a
CDATA section; a JWT may instead sit in its ``verify`` attribute, which we read as well.
Parsing goes through defusedxml: DTDs and entities are refused, so neither a billion-laughs
expansion nor an external entity can be triggered by an uploaded badge.
"""

from __future__ import annotations

import json
from typing import Any, Final
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from app.proofs.badge import render_svg
from app.proofs.payload import ExtractionError, Payload, check_file_size, parse_payload
from app.proofs.summary import CredentialSummary

NAMESPACE: Final = "https://purl.imsglobal.org/ob/v3p0"
_SVG_NAMESPACE: Final = "http://www.w3.org/2000/svg"
_TAG: Final = f"{{{NAMESPACE}}}credential"


def credential_element(credential: dict[str, Any]) -> str:
    """The baked element. JSON never has '>' outside strings, so escaping it as \\u003e
    keeps any ']]>' in a name from closing the CDATA section early; ASCII-only output
    keeps characters XML forbids (such as U+FFFE) out of the document."""
    body = json.dumps(credential, ensure_ascii=True).replace(">", "\\u003e")
    return f"<openbadges:credential><![CDATA[{body}]]></openbadges:credential>"


def bake_svg(summary: CredentialSummary, credential: dict[str, Any]) -> str:
    """A badge picture for ``summary`` carrying ``credential``."""
    return render_svg(summary, embedded=credential_element(credential))


def extract_from_svg(data: bytes) -> Payload:
    """The credential baked into an SVG badge (JSON object or compact JWT)."""
    check_file_size(data)
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise ExtractionError("The file is not a well-formed SVG image.") from None
    if root.tag != f"{{{_SVG_NAMESPACE}}}svg":
        raise ExtractionError("The file is XML but not an SVG image.")
    found = root.findall(f".//{_TAG}")
    if not found:
        raise ExtractionError("The SVG image carries no Open Badges credential.")
    if len(found) > 1:
        raise ExtractionError("The SVG image carries more than one credential; it is ambiguous.")
    element = found[0]
    content = (element.text or "").strip()
    verify = (element.get("verify") or "").strip()
    return parse_payload(content or verify)
