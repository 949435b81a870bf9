"""One entry point for any credential file: PDF, baked PNG or SVG, JSON, or a bare JWT.

The format is read from the file's first bytes, not its name or declared type, which the
sender controls; the name only breaks a tie for text files.
"""

from __future__ import annotations

from app.proofs.payload import ExtractionError, Payload, check_file_size, parse_payload
from app.proofs.pdf import extract_from_pdf
from app.proofs.png import SIGNATURE as PNG_SIGNATURE
from app.proofs.png import extract_from_png
from app.proofs.svg import extract_from_svg

__all__ = ["ExtractionError", "Payload", "extract_baked", "extract_credential", "sniff"]


def sniff(data: bytes) -> str:
    """``pdf``, ``png``, ``svg`` or ``text`` (JSON or a JWT)."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "svg"
    return "text"


def extract_credential(data: bytes) -> Payload:
    """The credential in ``data``: a JSON object (JSON-LD) or a compact JWT string."""
    check_file_size(data)
    if not data.strip():
        raise ExtractionError("The file is empty.")
    kind = sniff(data)
    if kind == "png":
        return extract_from_png(data)
    if kind == "pdf":
        return extract_from_pdf(data)
    if kind == "svg":
        return extract_from_svg(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ExtractionError(
            "The file is not a credential: expected JSON, a JWT, or a PDF, PNG or SVG from a "
            "credential issuer."
        ) from None
    return parse_payload(text)


def extract_baked(data: bytes) -> Payload | None:
    """The credential inside a PDF or a baked PNG/SVG badge; None when ``data`` is text
    (JSON or a JWT), which the caller reads its own way."""
    check_file_size(data)
    return None if sniff(data) == "text" else extract_credential(data)
