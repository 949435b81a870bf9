"""OID4VCI 1.0 pre-authorized code issuer: offers, metadata, token and credential endpoints.

The platform API (``/v1``) and the public offer answer errors as problem+json like the rest of
the service; the token and credential endpoints answer OAuth error bodies, as OID4VCI requires.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.auth.dependencies import IssueDep
from app.config import Settings
from app.core.negotiation import prefers
from app.core.urls import PublicUrls
from app.dependencies import ClockDep, SessionDep, SettingsDep, UrlsDep
from app.errors import NotFound
from app.wallet import documents, service
from app.wallet.oauth import (
    NO_STORE,
    CredentialBodyDep,
    OAuthError,
    TokenFormDep,
    bearer_token,
    error_response,
)
from app.wallet.schemas import (
    AuthorizationServerMetadata,
    CredentialOffer,
    CredentialRequest,
    CredentialResponse,
    IssuedCredential,
    IssuerMetadata,
    OAuthErrorRead,
    OfferCreate,
    OfferCreated,
    TokenRequest,
    TokenResponse,
)
from app.web.rendering import render_page

router = APIRouter(tags=["Wallet (OID4VCI)"])

_OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": OAuthErrorRead, "description": "OAuth / OID4VCI error body"},
}


def _documented_body(
    media_type: str, model: type[TokenRequest | CredentialRequest]
) -> dict[str, Any]:
    """OpenAPI text for a body that oauth.py parses itself (to answer OAuth errors)."""
    schema = model.model_json_schema(by_alias=True)
    return {"requestBody": {"required": True, "content": {media_type: {"schema": schema}}}}


def _created(urls: PublicUrls, new: service.NewOffer) -> OfferCreated:
    uri = documents.offer_uri(urls, new.uri_secret)
    return OfferCreated(
        credential_offer=documents.credential_offer(
            urls, new.code, tx_code_required=new.tx_code is not None
        ),
        credential_offer_uri=uri,
        offer_url=documents.offer_url(uri),
        tx_code=new.tx_code,
        expires_at=new.record.expires_at,
    )


@router.post(
    "/v1/credentials/{credential_id}/offer",
    status_code=201,
    response_model=OfferCreated,
    response_model_exclude_none=True,
    responses={
        403: {"description": "The key may not act for this credential's issuer"},
        409: {"description": "The credential is revoked"},
    },
)
def create_offer(
    credential_id: str,
    urls: UrlsDep,
    clock: ClockDep,
    response: Response,
    session: SessionDep,
    principal: IssueDep,
    body: OfferCreate | None = None,
) -> OfferCreated:
    """Offer an issued credential to the learner's wallet (pre-authorized code, 10 minutes)."""
    new = service.offer_for_issuer(
        session,
        credential_id,
        principal,
        tx_code=body is not None and body.tx_code,
        now=clock.now(),
    )
    response.headers.update(NO_STORE)
    return _created(urls, new)


@router.get(
    "/credentials/{credential_id}/offer",
    response_model=OfferCreated,
    response_model_exclude_none=True,
    responses={
        200: {"content": {"text/html": {}}},
        404: {"description": "No such credential, or its page is hidden"},
        409: {"description": "The credential is revoked"},
        429: {"description": "Too many open offers for this credential"},
    },
)
def public_offer(
    credential_id: str,
    request: Request,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
) -> Response:
    """A fresh wallet offer for a credential whose page is public (HTML with a QR code, or JSON)."""
    as_html = prefers(request.headers.get("accept"), ["text/html"], ["application/json"])
    try:
        new = service.offer_from_page(session, credential_id, now=clock.now())
    except NotFound:
        if not as_html:
            raise
        return render_page("not_found.html", status_code=404)
    created = _created(urls, new)
    if not as_html:
        body = created.model_dump(mode="json", by_alias=True, exclude_none=True)
        return JSONResponse(body, headers={**NO_STORE, "Vary": "Accept"})
    size, path = documents.qr_path(created.offer_url)
    page = render_page(
        "wallet_offer.html",
        offer_url=created.offer_url,
        qr_size=size,
        qr_path=path,
        minutes=int(service.OFFER_TTL.total_seconds() // 60),
        credential_url=f"/credentials/{credential_id}",
    )
    page.headers.update({**NO_STORE, "Vary": "Accept"})
    return page


@router.get(
    f"{documents.OFFER_PATH}/{{uri_secret}}",
    response_model=CredentialOffer,
    response_model_exclude_none=True,
    responses={404: {"description": "Unknown, expired or already redeemed offer"}},
)
def credential_offer(
    uri_secret: str, urls: UrlsDep, clock: ClockDep, response: Response, session: SessionDep
) -> CredentialOffer:
    """The Credential Offer behind a credential_offer_uri, until its code is redeemed."""
    offer, code = service.resolve_offer(session, uri_secret, now=clock.now())
    response.headers.update(NO_STORE)
    return documents.credential_offer(urls, code, tx_code_required=offer.tx_code_hash is not None)


def _with_suffix(request: Request, settings: Settings, suffix: str) -> PublicUrls:
    """The public URL, when a well-known request carries its path (see well_known_suffix)."""
    urls = settings.urls
    expected = documents.well_known_suffix(urls)
    if not expected or f"/{suffix}".rstrip("/") != expected:
        raise NotFound(f"Nothing is published at {request.url.path}.")
    return urls


@router.get(documents.ISSUER_WELL_KNOWN, response_model=IssuerMetadata)
def issuer_metadata(urls: UrlsDep) -> IssuerMetadata:
    """OID4VCI Credential Issuer Metadata."""
    return documents.issuer_metadata(urls)


@router.get(
    f"{documents.ISSUER_WELL_KNOWN}/{{suffix:path}}",
    response_model=IssuerMetadata,
    include_in_schema=False,
)
def issuer_metadata_for_path(
    suffix: str, request: Request, settings: SettingsDep
) -> IssuerMetadata:
    """OID4VCI Credential Issuer Metadata, for a public URL with a path."""
    return documents.issuer_metadata(_with_suffix(request, settings, suffix))


@router.get(documents.AS_WELL_KNOWN, response_model=AuthorizationServerMetadata)
def authorization_server_metadata(urls: UrlsDep) -> AuthorizationServerMetadata:
    """RFC 8414 metadata: the issuer is its own authorization server."""
    return documents.authorization_server_metadata(urls)


@router.get(
    f"{documents.AS_WELL_KNOWN}/{{suffix:path}}",
    response_model=AuthorizationServerMetadata,
    include_in_schema=False,
)
def authorization_server_metadata_for_path(
    suffix: str, request: Request, settings: SettingsDep
) -> AuthorizationServerMetadata:
    """RFC 8414 metadata, for a public URL with a path."""
    return documents.authorization_server_metadata(_with_suffix(request, settings, suffix))


@router.post(
    documents.TOKEN_PATH,
    response_model=TokenResponse,
    responses=_OAUTH_ERRORS,
    openapi_extra=_documented_body("application/x-www-form-urlencoded", TokenRequest),
)
def token(form: TokenFormDep, clock: ClockDep, session: SessionDep) -> Response:
    """Token endpoint: exchange a pre-authorized code (form-encoded) for an access token."""
    try:
        if isinstance(form, OAuthError):
            raise form
        grant = service.redeem(session, form, now=clock.now())
    except OAuthError as error:
        # Answered, not raised: the transaction commits, so a wrong tx_code stays counted.
        return error_response(error)
    body = TokenResponse(access_token=grant.access_token, expires_in=grant.expires_in)
    return JSONResponse(body.model_dump(), headers=NO_STORE)


@router.post(
    documents.CREDENTIAL_PATH,
    response_model=CredentialResponse,
    responses={
        **_OAUTH_ERRORS,
        401: {"model": OAuthErrorRead, "description": "Missing, unknown or expired token"},
    },
    openapi_extra=_documented_body("application/json", CredentialRequest),
)
def credential(
    body: CredentialBodyDep, request: Request, clock: ClockDep, session: SessionDep
) -> Response:
    """Credential endpoint: the stored, signed credential for a valid access token."""
    now = clock.now()
    try:
        offer = service.authorize(session, bearer_token(request), now=now)
        if isinstance(body, OAuthError):
            raise body  # read before the token is checked, but only reported after it
        document = service.deliver(session, offer, body, now=now)
    except OAuthError as error:
        return error_response(error)
    answer = CredentialResponse(credentials=[IssuedCredential(credential=document)])
    return JSONResponse(answer.model_dump(mode="json"), headers=NO_STORE)
