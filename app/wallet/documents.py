"""Pure: the issuer's OID4VCI metadata, offer objects and the URLs in them.

LearnProof is one Credential Issuer whose identifier is ``LEARNPROOF_PUBLIC_URL``, acting as
its own authorization server (no ``authorization_servers`` in the metadata). Every URL here is
absolute, built from that identifier.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from app.core.urls import PublicUrls
from app.credentials.builder import CONTEXTS
from app.proofs.qr import dark_runs, qr_matrix
from app.wallet.schemas import (
    CONFIGURATION_ID,
    PRE_AUTHORIZED_GRANT,
    AuthorizationServerMetadata,
    CredentialConfiguration,
    CredentialDefinition,
    CredentialMetadata,
    CredentialOffer,
    Display,
    IssuerMetadata,
    OfferGrants,
    PreAuthorizedCodeGrant,
    TxCodeRead,
)
from app.wallet.tokens import TX_CODE_LENGTH

ISSUER_WELL_KNOWN = "/.well-known/openid-credential-issuer"
AS_WELL_KNOWN = "/.well-known/oauth-authorization-server"
TOKEN_PATH = "/oid4vci/token"
CREDENTIAL_PATH = "/oid4vci/credential"
OFFER_PATH = "/credential-offers"
TX_CODE_DESCRIPTION = "Enter the 6-digit code that the course provider sent you with this offer."


def well_known_suffix(urls: PublicUrls) -> str:
    """The issuer identifier's path, which OID4VCI §12.2.2 and RFC 8414 §3 put *after* the
    well-known segment (``https://h/t`` → ``https://h/.well-known/…/t``)."""
    return urlsplit(urls.base).path.rstrip("/")


def offer_uri(urls: PublicUrls, uri_secret: str) -> str:
    return f"{urls.base}{OFFER_PATH}/{uri_secret}"


def offer_url(credential_offer_uri: str) -> str:
    """The link (or QR code content) that opens a wallet on the offer, passed by reference."""
    return f"openid-credential-offer://?credential_offer_uri={quote(credential_offer_uri, safe='')}"


def qr_path(data: str) -> tuple[int, str]:
    """A QR code of ``data`` as (size in modules, SVG path data): one inline ``<path>`` that
    the page's Content-Security-Policy allows, drawn with the certificate's QR encoder."""
    matrix = qr_matrix(data)
    runs = " ".join(f"M{x} {y}h{length}v1h-{length}z" for y, x, length in dark_runs(matrix))
    return len(matrix), runs


def credential_offer(urls: PublicUrls, code: str, *, tx_code_required: bool) -> CredentialOffer:
    tx_code = (
        TxCodeRead(length=TX_CODE_LENGTH, description=TX_CODE_DESCRIPTION)
        if tx_code_required
        else None
    )
    return CredentialOffer(
        credential_issuer=urls.base,
        credential_configuration_ids=[CONFIGURATION_ID],
        grants=OfferGrants(
            pre_authorized_code=PreAuthorizedCodeGrant(pre_authorized_code=code, tx_code=tx_code)
        ),
    )


def issuer_metadata(urls: PublicUrls) -> IssuerMetadata:
    # No cryptographic_binding_methods_supported / proof_types_supported: the credential names
    # the learner by a salted email hash (or a DID chosen at issuance), not by a wallet key, so
    # the wallet sends no proof. No credential_signing_alg_values_supported either: for ldp_vc
    # it names suites of the old LD suite registry, which has no eddsa-rdfc-2022.
    display = [Display(name="Open Badge", locale="en")]
    configuration = CredentialConfiguration(
        format="ldp_vc",
        credential_definition=CredentialDefinition(
            context=list(CONTEXTS), type=["VerifiableCredential", "OpenBadgeCredential"]
        ),
        credential_metadata=CredentialMetadata(display=display),
        display=display,
    )
    return IssuerMetadata(
        credential_issuer=urls.base,
        credential_endpoint=f"{urls.base}{CREDENTIAL_PATH}",
        display=[Display(name="LearnProof", locale="en")],
        credential_configurations_supported={CONFIGURATION_ID: configuration},
    )


def authorization_server_metadata(urls: PublicUrls) -> AuthorizationServerMetadata:
    # response_types_supported is omitted: OID4VCI 1.0 lets a server that supports only the
    # pre-authorized code grant leave out this otherwise required RFC 8414 field.
    return AuthorizationServerMetadata(
        issuer=urls.base,
        token_endpoint=f"{urls.base}{TOKEN_PATH}",
        grant_types_supported=[PRE_AUTHORIZED_GRANT],
        token_endpoint_auth_methods_supported=["none"],
        pre_authorized_grant_anonymous_access_supported=True,
    )
