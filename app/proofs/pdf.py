"""A one-page PDF certificate that is itself a verifiable proof, and the way back out of it.

The signed credential travels inside the PDF as embedded files (the ``/EmbeddedFiles`` name
tree): ``credential.json`` (JSON-LD with its Data Integrity proof) and ``credential.jwt``
(the VC-JWT). Anyone holding the PDF can extract and verify them without our database; the
printed text and QR code are for people. Text is set in Noto with HarfBuzz shaping, so
Arabic joins and runs right to left and Chinese names print, each face embedded as a subset.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from fpdf import FPDF
from pypdf import PdfReader, apply_configuration

from app.core import i18n
from app.core.i18n import gettext as _
from app.proofs.branding import Branding, image_bytes, rgb
from app.proofs.fonts import FontFace, faces_for
from app.proofs.payload import (
    MAX_PAYLOAD_BYTES,
    ExtractionError,
    Payload,
    check_file_size,
    json_text,
    parse_payload,
)
from app.proofs.qr import dark_runs, qr_matrix
from app.proofs.summary import CredentialSummary

JSON_ATTACHMENT: Final = "credential.json"
JWT_ATTACHMENT: Final = "credential.jwt"
log = logging.getLogger("learnproof.proofs")

_INK: Final = (26, 26, 26)
_MUTED: Final = (85, 85, 85)
_CORE_FONT: Final = "helvetica"
# The detail rows fill from 146 mm down to here; the footer starts at 188 mm.
_DETAILS_END: Final = 186.0
_ROW: Final = 4.2


@dataclass(frozen=True)
class Certificate:
    """Everything printed on, or attached to, one certificate."""

    summary: CredentialSummary
    credential: dict[str, Any]
    jwt: str
    page_url: str
    verify_url: str
    issued_at: datetime
    badge_png: bytes | None = None
    # "prepares for 计算机软件工程技术人员 (CSCO 2-02-10-03, digital occupation); …", read
    # from the alignments by the service (app/verification/meaning.py), which knows flags.
    prepares_for: str | None = None
    # Per aligned level, what it equals elsewhere ("Level 6 (DQR); equals Level 6 (EQF)"),
    # from the same reading of the alignments as the credential page's.
    linkages: tuple[str, ...] = ()
    branding: Branding = Branding()


def render_pdf(certificate: Certificate) -> bytes:
    summary = certificate.summary
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(certificate.issued_at)
    pdf.set_creator("LearnProof")
    pdf.set_lang(i18n.tag())
    typeface = _Typeface(pdf, _printed_texts(certificate))
    pdf.set_title(typeface.clean(f"{summary.achievement_name}: {summary.learner_name or ''}"))
    pdf.set_author(typeface.clean(summary.issuer_name or ""))
    pdf.set_subject("Open Badges 3.0 certificate with its signed credential attached")
    pdf.add_page()
    brand = certificate.branding
    _background(pdf, brand)
    _frame(pdf, brand)
    _picture(pdf, image_bytes(brand.logo), 22, 20, 46, 24, _("Logo of {issuer}"), summary)
    if certificate.badge_png:
        pdf.image(io.BytesIO(certificate.badge_png), x=130.5, y=18, w=36, alt_text="Badge")
    y = 57.0
    y = typeface.centred(y, summary.issuer_name or "", 13, colour=_MUTED)
    y = typeface.centred(y + 1, (summary.achievement_type or _("Certificate")).upper(), 10)
    y = typeface.centred(y + 4, _("This certifies that"), 11, colour=_MUTED)
    holder = summary.learner_name or _("the holder")
    y = typeface.centred(y + 1, holder, 26, bold=True, max_lines=2)
    y = typeface.centred(y + 2, _("has been awarded"), 11, colour=_MUTED)
    accent = rgb(brand.accent_as_text)
    y = typeface.centred(y + 1, summary.achievement_name, 19, bold=True, colour=accent, max_lines=3)
    if summary.description and y < 128:
        lines = int((140 - y) / 5)
        typeface.centred(y + 3, summary.description, 10, colour=_MUTED, max_lines=lines)
    _details(pdf, typeface, certificate)
    _signatory(pdf, typeface, brand)
    _qr(pdf, typeface, certificate.page_url)
    footer = _(
        "Credential {id}. This PDF carries its signed credential as the attached files "
        "{json} and {jwt}; check it at {url}."
    ).format(
        id=summary.credential_id or "",
        json=JSON_ATTACHMENT,
        jwt=JWT_ATTACHMENT,
        url=certificate.verify_url,
    )
    pdf.set_xy(20, 188)
    typeface.use(7, colour=_MUTED)
    pdf.multi_cell(257, 3.5, typeface.clean(footer), align="C")
    _attach(pdf, certificate)
    return bytes(pdf.output())


class _Typeface:
    """Noto faces when installed (with fallbacks per script); Helvetica, Latin-1 only, else."""

    def __init__(self, pdf: FPDF, texts: list[str]) -> None:
        self.pdf = pdf
        faces = faces_for(texts)
        for face in faces:
            _add(pdf, face)
        self.family = faces[0].family if faces else _CORE_FONT
        self.unicode = bool(faces)
        if faces:
            pdf.set_fallback_fonts([face.family for face in faces[1:]], exact_match=False)
            pdf.set_text_shaping(True)
        else:
            log.warning("Noto fonts are not installed; certificates print in Latin-1 only")

    def clean(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def use(self, size: float, *, bold: bool = False, colour: tuple[int, int, int] = _INK) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*colour)

    def centred(
        self,
        y: float,
        value: str,
        size: float,
        *,
        bold: bool = False,
        colour: tuple[int, int, int] = _INK,
        max_lines: int = 1,
        left: float | None = None,
        width: float = 230.0,
    ) -> float:
        """Print ``value`` centred from ``y`` on at most ``max_lines`` (on the page, or in the
        column from ``left``); return the next y."""
        if not value:
            return y
        self.use(size, bold=bold, colour=colour)
        line_height = size * 0.45
        text = self.clean(value)
        lines = self.pdf.multi_cell(width, line_height, text, dry_run=True, output="LINES")
        while isinstance(lines, list) and len(lines) > max_lines and len(text) > 1:
            text = text[: max(1, int(len(text) * 0.9))].rstrip() + "…"
            lines = self.pdf.multi_cell(width, line_height, text, dry_run=True, output="LINES")
        self.pdf.set_xy((297 - width) / 2 if left is None else left, y)
        self.pdf.multi_cell(width, line_height, text, align="C")
        return self.pdf.get_y()


def _add(pdf: FPDF, face: FontFace) -> None:
    pdf.add_font(face.family, "", face.regular, collection_font_number=face.collection_index)
    pdf.add_font(face.family, "B", face.bold, collection_font_number=face.collection_index)


def _printed_texts(certificate: Certificate) -> list[str]:
    summary = certificate.summary
    return [
        summary.learner_name or "",
        summary.achievement_name,
        summary.achievement_type or "",
        summary.description or "",
        summary.issuer_name or "",
        summary.field_of_study or "",
        *summary.level_names,
        *certificate.linkages,
        certificate.prepares_for or "",
        certificate.branding.signatory_name or "",
        certificate.branding.signatory_title or "",
        certificate.page_url,
        # The page's own words, in the request's language (Chinese needs the CJK face).
        _("This certifies that"),
        _("has been awarded"),
        _("Scan to see and check this credential"),
        _("Issued by"),
        _date(summary.valid_from) if summary.valid_from else "",
    ]


def _frame(pdf: FPDF, brand: Branding) -> None:
    pdf.set_draw_color(*rgb(brand.accent))
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, 271, 184)


def _background(pdf: FPDF, brand: Branding) -> None:
    """The issuer's background under a veil of white, so every line of text stays readable."""
    if _picture(pdf, image_bytes(brand.background), 0, 0, 297, 210, None, None, fit=False):
        with pdf.local_context(fill_opacity=0.82):
            pdf.set_fill_color(255, 255, 255)
            pdf.rect(0, 0, 297, 210, style="F")


def _picture(
    pdf: FPDF,
    data: bytes | None,
    x: float,
    y: float,
    w: float,
    h: float,
    alt: str | None,
    summary: CredentialSummary | None,
    *,
    fit: bool = True,
) -> bool:
    """Draw a stored image (checked when stored; never a URL, so nothing is fetched)."""
    if not data:
        return False
    label = alt.format(issuer=summary.issuer_name or "") if alt and summary else alt
    try:
        pdf.image(io.BytesIO(data), x=x, y=y, w=w, h=h, keep_aspect_ratio=fit, alt_text=label)
    except Exception:  # noqa: BLE001
        # A decorative picture must not cost the learner the certificate.
        log.warning("a branding image could not be drawn; the certificate is printed without it")
        return False
    return True


def _signatory(pdf: FPDF, typeface: _Typeface, brand: Branding) -> None:
    """Signature, rule, name and title, in the column between the details and the QR code."""
    if not (brand.signatory_name or brand.signature):
        return
    x, width = 168.0, 62.0
    _picture(pdf, image_bytes(brand.signature), x + 6, 152, width - 12, 14, _("Signature"), None)
    pdf.set_draw_color(*_MUTED)
    pdf.set_line_width(0.2)
    pdf.line(x, 167, x + width, 167)
    # Two lines each at most: the footer starts at 188 mm.
    y = typeface.centred(
        168, brand.signatory_name or "", 9, bold=True, max_lines=2, left=x, width=width
    )
    typeface.centred(
        y, brand.signatory_title or "", 8, colour=_MUTED, max_lines=2, left=x, width=width
    )


def _details(pdf: FPDF, typeface: _Typeface, certificate: Certificate) -> None:
    summary, prepares_for = certificate.summary, certificate.prepares_for
    rows = [(_("Issued by"), summary.issuer_name or summary.issuer_id or "")]
    if summary.valid_from:
        rows.append((_("Issued on"), _date(summary.valid_from)))
    if summary.valid_until:
        rows.append((_("Valid until"), _date(summary.valid_until)))
    # The level with what it equals in other frameworks when we know it, else its name.
    for level in list(certificate.linkages[:3]) or summary.level_names[:3]:
        rows.append((_("Level"), level))
    if prepares_for:
        rows.append((_("Prepares for"), prepares_for.removeprefix("prepares for ")))
    if summary.credits_available is not None or summary.credits_earned is not None:
        rows.append((_("Credits"), _credits(summary)))
    if summary.field_of_study:
        code = f" (ISCED-F {summary.field_code})" if summary.field_code else ""
        rows.append((_("Field of study"), summary.field_of_study + code))
    # Beside the signatory block when there is one, else as wide as before.
    signed = bool(certificate.branding.signatory_name or certificate.branding.signature)
    width = 108.0 if signed else 150.0
    y = 146.0
    for label, value in rows:
        room = int((_DETAILS_END - y) // _ROW)
        if room < 1:
            break
        typeface.use(8.5)
        lines = pdf.multi_cell(width, _ROW, typeface.clean(value), dry_run=True, output="LINES")
        lines = [str(line) for line in lines] if isinstance(lines, list) else [value]
        if len(lines) > room:  # the footer is below: end the value, never overprint it
            lines = [*lines[: room - 1], lines[room - 1].rstrip()[:-1] + "…"]
        pdf.set_xy(24, y)
        typeface.use(8.5, colour=_MUTED)
        pdf.cell(30, _ROW, label)
        typeface.use(8.5)
        pdf.set_xy(54, y)
        pdf.multi_cell(width, _ROW, "\n".join(lines), align="L")
        y = max(y + 4.8, pdf.get_y() + 0.6)


def _credits(summary: CredentialSummary) -> str:
    parts = []
    if summary.credits_earned is not None:
        parts.append(_("%(credits)s earned") % {"credits": i18n.number(summary.credits_earned)})
    if summary.credits_available is not None:
        available = i18n.number(summary.credits_available)
        parts.append(_("%(credits)s available") % {"credits": available})
    return ", ".join(parts)


def _date(value: datetime) -> str:
    return i18n.long_date(value)


def _qr(pdf: FPDF, typeface: _Typeface, url: str) -> None:
    matrix = qr_matrix(url)
    size, x0, y0 = 36.0, 236.0, 142.0
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, column, length in dark_runs(matrix):
        pdf.rect(x0 + column * module, y0 + row * module, length * module, module, style="F")
    pdf.link(x0, y0, size, size, url)
    typeface.use(7, colour=_MUTED)
    pdf.set_xy(x0 - 10, y0 + size)
    pdf.multi_cell(size + 20, 3.2, _("Scan to see and check this credential"), align="C")


def _attach(pdf: FPDF, certificate: Certificate) -> None:
    when = certificate.issued_at
    pdf.embed_file(
        bytes=json_text(certificate.credential).encode("utf-8"),
        basename=JSON_ATTACHMENT,
        modification_date=when,
        mime_type="application/vc+ld+json",
        desc="The signed credential (JSON-LD with a Data Integrity proof)",
        compress=True,
    )
    pdf.embed_file(
        bytes=certificate.jwt.encode("ascii"),
        basename=JWT_ATTACHMENT,
        modification_date=when,
        mime_type="application/vc+jwt",
        desc="The same credential as a VC-JWT",
        compress=True,
    )


def extract_from_pdf(data: bytes) -> Payload:
    """The credential attached to a PDF (``credential.json`` preferred, else the JWT)."""
    check_file_size(data)
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError("The file is not a PDF document.")
    # Bounded decompression: an attachment larger than a credential could be is refused
    # while it inflates, not after (the context variable limits only this call).
    limit = 2 * MAX_PAYLOAD_BYTES
    try:
        with apply_configuration(
            zlib_maximum_output_length=limit,
            lzw_maximum_output_length=limit,
            run_length_maximum_output_length=limit,
            array_based_stream_maximum_output_length=limit,
        ):
            attachments = PdfReader(io.BytesIO(data), strict=False).attachments
            for name in (JSON_ATTACHMENT, JWT_ATTACHMENT):
                if name in attachments:
                    return _decode(attachments[name][0])
    except ExtractionError:
        raise
    except Exception:  # noqa: BLE001
        # pypdf raises many exception types on hostile or broken files (its own errors,
        # ValueError, KeyError, RecursionError…); to the caller they all mean the same.
        raise ExtractionError("The PDF could not be read.") from None
    raise ExtractionError(
        f"The PDF has no attached credential (no {JSON_ATTACHMENT} or {JWT_ATTACHMENT})."
    )


def _decode(content: bytes) -> Payload:
    if len(content) > MAX_PAYLOAD_BYTES:
        raise ExtractionError("The embedded credential is larger than 1 MB.")
    try:
        return parse_payload(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise ExtractionError("The attached credential is not UTF-8 text.") from None
