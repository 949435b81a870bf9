"""Public credential records: who may see them, and the issuer's switch for the public page.

A credential whose public page is off is, to the public, a credential that does not exist:
the page and every download answer the same 404 as an unknown id, so the switch reveals
nothing. The JSON API (``/v1/...``) is unaffected; it is authenticated.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.auth.scopes import Scope, grants
from app.auth.service import Principal
from app.core.urls import PublicUrls
from app.credentials import service as credential_service
from app.errors import Forbidden
from app.frameworks import service as framework_service
from app.issuers import service as issuer_service
from app.vocabularies import service as vocabulary_service
from app.web.schemas import PublicPageRead

FAVICON: Final = Path(__file__).parent / "static" / "favicon.ico"


def landing(session: Session) -> dict[str, Any]:
    """What the front page lists: the loaded frameworks (with level pages) and vocabularies."""
    frameworks = [
        {
            "name": framework.name,
            "jurisdiction": framework.jurisdiction,
            "version": framework.version,
            "levels": [
                {
                    # Relative: the page stays on whatever host the visitor used.
                    "url": framework_service.level_url(PublicUrls(""), framework.code, level.code),
                    "name": level.name,
                }
                for level in sorted(framework.levels, key=lambda level: level.ordinal)
            ],
        }
        for framework in framework_service.list_frameworks(session)
    ]
    return {"frameworks": frameworks, "vocabularies": vocabulary_service.vocabularies(session)}


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
