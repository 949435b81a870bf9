"""The portable proofs of a stored credential: PDF certificate and baked PNG and SVG badges.

They are drawn on request from the signed document, which never changes after issuance, so
an ETag derived from the record (its JWT includes the signature) lets a browser revalidate
without us drawing anything again.
"""

from __future__ import annotations

import hashlib
import json

from app.credentials.models import Credential
from app.proofs.badge import render_png
from app.proofs.branding import Branding
from app.proofs.pdf import Certificate, render_pdf
from app.proofs.png import bake_png
from app.proofs.summary import summarise
from app.proofs.svg import bake_svg
from app.web.verifying import PrintedMeaning


def etag(record: Credential, form: str) -> str:
    """Changes with the record, and with ``form`` (which names the language and the look)."""
    digest = hashlib.sha256(f"{form}\n{record.id}\n{record.jwt}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def certificate_pdf(
    record: Credential,
    *,
    page_url: str,
    verify_url: str,
    meaning: PrintedMeaning,
    branding: Branding,
) -> bytes:
    summary = summarise(record.document)
    return render_pdf(
        Certificate(
            summary=summary,
            credential=record.document,
            jwt=record.jwt,
            page_url=page_url,
            verify_url=verify_url,
            issued_at=record.issued_at,
            badge_png=render_png(summary),
            prepares_for=meaning.prepares_for,
            linkages=meaning.linkages,
            branding=branding,
        )
    )


def badge_png(record: Credential) -> bytes:
    compact = json.dumps(record.document, ensure_ascii=False, separators=(",", ":"))
    return bake_png(render_png(summarise(record.document)), compact)


def badge_svg(record: Credential) -> str:
    return bake_svg(summarise(record.document), record.document)
