"""What the credential page and the verify page show, assembled from records and reports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from app.credentials.models import Credential
from app.credentials.schemas import CredentialLinks
from app.proofs.branding import Branding, page_style
from app.proofs.summary import CredentialSummary, summarise
from app.web.i18n import N_
from app.web.i18n import gettext as _
from app.web.verifying import VerificationView

LINKEDIN_ADD: Final = "https://www.linkedin.com/profile/add"
_STATUS_NOTICES: Final = {
    "revoked": N_("The issuer has revoked this credential. It is no longer valid."),
    "suspended": N_("The issuer has suspended this credential. It is not valid at the moment."),
}


@dataclass(frozen=True)
class Download:
    label: str
    href: str
    note: str


def linkedin_url(summary: CredentialSummary, page_url: str, credential_id: str) -> str:
    """LinkedIn's documented add-to-profile link; the page makes no request to LinkedIn."""
    params = {"startTask": "CERTIFICATION_NAME", "name": summary.achievement_name}
    if summary.issuer_name:
        params["organizationName"] = summary.issuer_name
    if summary.valid_from:
        params["issueYear"] = str(summary.valid_from.year)
        params["issueMonth"] = str(summary.valid_from.month)
    if summary.valid_until:
        params["expirationYear"] = str(summary.valid_until.year)
        params["expirationMonth"] = str(summary.valid_until.month)
    params["certUrl"] = page_url
    params["certId"] = credential_id
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def downloads(credential_id: str) -> list[Download]:
    # Relative links: same origin whatever host name the visitor used (the CSP is 'self').
    base = f"/credentials/{credential_id}"
    return [
        Download(
            _("PDF certificate"), f"{base}.pdf", _("printable, with the signed credential inside")
        ),
        Download(_("Badge image (PNG)"), f"{base}.png", _("Open Badges 3.0 baked image")),
        Download(_("Badge image (SVG)"), f"{base}.svg", _("Open Badges 3.0 baked vector image")),
        Download(_("Credential (JSON-LD)"), f"{base}.json", _("W3C Verifiable Credential")),
        Download(_("Credential (VC-JWT)"), f"{base}.jwt", _("the same credential as a signed JWT")),
    ]


def _notice(record: Credential, *, expired: bool, successor_path: str | None) -> str | None:
    if successor_path is not None:
        return _("The issuer replaced this credential with a corrected one; it is no longer valid.")
    if record.status in _STATUS_NOTICES:
        return _(_STATUS_NOTICES[record.status])
    if expired and record.valid_until is not None:
        return _("This credential expired on {date}.").format(date=f"{record.valid_until:%Y-%m-%d}")
    return None


def credential_page(
    record: Credential,
    links: CredentialLinks,
    verification: VerificationView,
    *,
    expired: bool = False,
    successor_path: str | None = None,
    brand: Branding | None = None,
) -> dict[str, Any]:
    summary = summarise(record.document)
    brand = brand or Branding()
    base = f"/credentials/{record.id}"
    withdrawn = record.status in _STATUS_NOTICES
    return {
        "status_notice": _notice(record, expired=expired, successor_path=successor_path),
        "successor_path": successor_path,
        "summary": summary,
        "credential_id": record.id,
        "page_url": links.page,
        "badge_src": f"/credentials/{record.id}.png",
        "verification": verification,
        "downloads": downloads(record.id),
        # A revoked or suspended credential is not something to show off or to collect.
        "linkedin_url": None if withdrawn else linkedin_url(summary, links.page, record.id),
        "wallet_offer_url": None if withdrawn else f"{base}/offer",
        "show_learner": False,  # the page's heading already names the learner
        "brand": brand,
        "brand_style": page_style(brand),
    }


def verify_result(
    verification: VerificationView, source: str, submitted: Any = None
) -> dict[str, Any]:
    credential = verification.credential
    summary = summarise(credential) if isinstance(credential, Mapping) else None
    # What /guidance re-verifies: the credential as submitted (a JWT stays a JWT).
    guidance_input = submitted if isinstance(submitted, str) else None
    if isinstance(submitted, Mapping):
        guidance_input = json.dumps(submitted, ensure_ascii=False)
    return {
        "verification": verification,
        "summary": summary,
        "source": source,
        "guidance_input": guidance_input,
        "error": None,
    }


def unreadable_result(source: str, error: str) -> dict[str, Any]:
    """One of several uploads that could not be read: said in its place, the others go on."""
    return {
        "verification": None,
        "summary": None,
        "source": source,
        "guidance_input": None,
        "error": error,
    }


def verify_page(
    *,
    pasted: str = "",
    error: str | None = None,
    result: dict[str, Any] | None = None,
    results: list[dict[str, Any]] | None = None,
    evaluation: dict[str, Any] | None = None,
    pathway: str = "",
) -> dict[str, Any]:
    return {
        "pasted": pasted,
        "error": error,
        "results": results if results is not None else ([result] if result else []),
        "evaluation": evaluation,
        "pathway": pathway,
        "show_learner": True,
    }
