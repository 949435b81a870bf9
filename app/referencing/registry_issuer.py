"""The service's own issuer, which signs what the registry publishes (referencing reports).

Created on first use when none exists, with a key like any issuer's, so its credentials
verify through the same did:web document and status lists as everyone else's.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from app.core.urls import PublicUrls
from app.errors import NotFound
from app.issuers import service as issuer_service
from app.issuers.schemas import IssuerCreate
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing

REGISTRY_SLUG = "registry"


def registry_context(
    session: Session, keyring: KeyRing, *, urls: PublicUrls, now: datetime, actor: str
) -> IssuerContext:
    """The registry issuer, created (in this transaction) if it does not exist yet."""
    try:
        issuer_service.get_issuer(session, REGISTRY_SLUG)
    except NotFound:
        host = urlsplit(urls.base).hostname or "localhost"
        # email-validator refuses bare IPs and single labels; the address is informative only.
        domain = (
            host if "." in host and not host.replace(".", "").isdigit() else "learnproof.example"
        )
        issuer_service.create_issuer(
            session,
            keyring,
            IssuerCreate(
                slug=REGISTRY_SLUG,
                name="LearnProof qualification framework registry",
                url=urls.base,
                email=f"registry@{domain}",
                description="Signs the referencing reports this registry publishes.",
            ),
            now=now,
            actor=actor,
        )
    return issuer_service.load_context(session, REGISTRY_SLUG, urls=urls)
