"""Public credential records: who may see them, and the issuer's switch for the public page.

A credential whose public page is off is, to the public, a credential that does not exist:
the page and every download answer the same 404 as an unknown id, so the switch reveals
nothing. The JSON API (``/v1/...``) is unaffected; it is authenticated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.auth.scopes import Scope, grants
from app.auth.service import Principal
from app.credentials import service as credential_service
from app.credentials.models import Credential
from app.errors import Forbidden, NotFound
from app.issuers import service as issuer_service
from app.web.schemas import CredentialLinks, PublicPageRead

DOWNLOAD_FORMATS = ("pdf", "png", "svg", "json", "jwt")


def public_credential(session: Session, credential_id: str) -> Credential:
    """The record behind a public URL, or NotFound when it is unknown or not public."""
    not_found = NotFound(f"No public credential has the id '{credential_id}'.")
    if "." in credential_id or "/" in credential_id:
        raise not_found
    try:
        record = credential_service.get_credential(session, credential_id)
    except NotFound:
        raise not_found from None
    if not record.public_page:
        raise not_found
    return record


def links(public_url: str, credential_id: str) -> CredentialLinks:
    page = credential_service.credential_url(public_url, credential_id)
    return CredentialLinks.model_validate(
        {"page": page, **{form: f"{page}.{form}" for form in DOWNLOAD_FORMATS}}
    )


def set_public_page(
    session: Session,
    credential_id: str,
    *,
    public: bool,
    principal: Principal,
    now: datetime,
) -> PublicPageRead:
    """Show or hide a credential's public page and downloads (issue or revoke scope)."""
    if not (grants(principal.scope, Scope.issue) or grants(principal.scope, Scope.revoke)):
        raise Forbidden(
            f"This API key has scope '{principal.scope}'; 'issue' or 'revoke' is required."
        )
    record = credential_service.get_credential(session, credential_id)
    issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
    principal.require_issuer(issuer.slug)
    if record.public_page != public:
        record.public_page = public
        session.flush()
        audit_service.record(
            session,
            actor=principal.actor,
            action="credential.page_shown" if public else "credential.page_hidden",
            now=now,
            issuer_slug=issuer.slug,
            credential_id=record.id,
        )
    return PublicPageRead(id=record.id, public=record.public_page)
