"""Wallet offers (OID4VCI pre-authorized code flow) for credentials that are already issued.

offer → (wallet) resolve the offer URI → redeem the code for an access token → fetch the
stored credential with it. Nothing is signed here: the wallet receives exactly the document
that was issued, so it verifies like every other copy.

Single use holds under concurrency because redemption is one conditional UPDATE (``WHERE
redeemed_at IS NULL AND expires_at > now``) whose row count decides, and transaction-code
guessing is capped the same way: each attempt first reserves one of the five allowed attempts
with a conditional UPDATE, which on PostgreSQL also queues racing attempts on the row lock.

Revoked credentials are neither offered (409) nor delivered (``credential_request_denied``):
revocation is final, so a wallet would only ever show them as invalid. Suspended credentials
are delivered; their status list says suspended until the issuer reinstates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.auth.service import Principal
from app.core.ids import new_id
from app.credentials import service as credential_service
from app.credentials.models import Credential, CredentialStatus
from app.errors import Conflict, NotFound, TooManyRequests
from app.issuers import service as issuer_service
from app.wallet import tokens
from app.wallet.models import WalletOffer
from app.wallet.oauth import InvalidToken, OAuthError
from app.wallet.schemas import CONFIGURATION_ID, CredentialRequest, TokenRequest

OFFER_TTL: Final = timedelta(minutes=10)
TOKEN_TTL: Final = timedelta(minutes=5)
MAX_TX_CODE_ATTEMPTS: Final = 5
# Offers from the public page need no key, so each credential gets at most this many live
# ones at a time: enough for a learner retrying, too few to flood the table and audit log.
MAX_LIVE_PAGE_OFFERS: Final = 20
_PURGE_BATCH: Final = 500
API, PAGE = "api", "page"


class TooManyOffers(TooManyRequests):
    """Too many live offers for one credential (a count, not a rate: no Retry-After)."""


@dataclass(frozen=True)
class NewOffer:
    """A stored offer with the secrets that exist only in this answer."""

    record: WalletOffer
    uri_secret: str
    code: str
    tx_code: str | None


@dataclass(frozen=True)
class Grant:
    access_token: str
    expires_in: int


def _live(offer: WalletOffer, now: datetime) -> bool:
    return (
        offer.redeemed_at is None
        and offer.expires_at > now
        and offer.tx_code_attempts < MAX_TX_CODE_ATTEMPTS
    )


def _purge(session: Session, now: datetime) -> None:
    """Forget offers that can no longer be redeemed nor used (the audit log keeps the story).

    A bounded batch, skipping rows another instance is purging: concurrent offers then
    neither wait for each other nor deadlock on PostgreSQL (SQLite has no row locks).
    """
    dead = (
        select(WalletOffer.id)
        .where(
            WalletOffer.expires_at <= now,
            or_(WalletOffer.token_expires_at.is_(None), WalletOffer.token_expires_at <= now),
        )
        .limit(_PURGE_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.connection().execute(delete(WalletOffer).where(WalletOffer.id.in_(dead)))


def _create(
    session: Session,
    record: Credential,
    *,
    tx_code: bool,
    origin: str,
    now: datetime,
    actor: str,
    issuer_slug: str,
) -> NewOffer:
    if record.status == CredentialStatus.revoked:
        raise Conflict(f"Credential {record.id} is revoked; a revoked credential is not offered.")
    _purge(session, now)
    uri_secret = tokens.new_secret()
    code = tokens.code_for(uri_secret)
    transaction_code = tokens.new_tx_code() if tx_code else None
    offer = WalletOffer(
        id=new_id(),
        credential_id=record.id,
        uri_hash=tokens.digest(uri_secret),
        code_hash=tokens.digest(code),
        tx_code_hash=tokens.tx_code_digest(code, transaction_code) if transaction_code else None,
        tx_code_attempts=0,
        expires_at=now + OFFER_TTL,
        origin=origin,
        created_at=now,
    )
    session.add(offer)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="wallet.offer_created",
        now=now,
        issuer_slug=issuer_slug,
        credential_id=record.id,
        details={"offer_id": offer.id, "origin": origin, "tx_code": tx_code},
    )
    return NewOffer(offer, uri_secret, code, transaction_code)


def offer_for_issuer(
    session: Session, credential_id: str, principal: Principal, *, tx_code: bool, now: datetime
) -> NewOffer:
    """An offer made by the issuer platform (issue scope, bound to the credential's issuer)."""
    record = credential_service.get_credential(session, credential_id)
    issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
    principal.require_issuer(issuer.slug)
    return _create(
        session, record, tx_code=tx_code, origin=API, now=now,
        actor=principal.actor, issuer_slug=issuer.slug,
    )  # fmt: skip


def offer_from_page(session: Session, credential_id: str, *, now: datetime) -> NewOffer:
    """An offer without transaction code for whoever sees the public page.

    It gives nothing the page does not: the page already serves the same signed document.
    """
    record = credential_service.public_credential(session, credential_id)
    live = session.scalar(
        select(func.count())
        .select_from(WalletOffer)
        .where(
            WalletOffer.credential_id == record.id,
            WalletOffer.origin == PAGE,
            WalletOffer.redeemed_at.is_(None),
            WalletOffer.expires_at > now,
        )
    )
    if (live or 0) >= MAX_LIVE_PAGE_OFFERS:
        raise TooManyOffers(
            f"Too many open wallet offers for this credential; try again in "
            f"{int(OFFER_TTL.total_seconds() // 60)} minutes."
        )
    issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
    return _create(
        session, record, tx_code=False, origin=PAGE, now=now,
        actor="public", issuer_slug=issuer.slug,
    )  # fmt: skip


def resolve_offer(session: Session, uri_secret: str, *, now: datetime) -> tuple[WalletOffer, str]:
    """The offer behind a ``credential_offer_uri`` and its code, while it can be redeemed."""
    offer = None
    if len(uri_secret) <= 100:
        offer = session.scalar(
            select(WalletOffer).where(WalletOffer.uri_hash == tokens.digest(uri_secret))
        )
    if offer is None or not _live(offer, now):
        raise NotFound("No open credential offer is published here; ask for a new one.")
    return offer, tokens.code_for(uri_secret)


def _reserve_attempt(session: Session, offer_id: str, now: datetime) -> bool:
    reserved = session.connection().execute(
        update(WalletOffer)
        .where(
            WalletOffer.id == offer_id,
            WalletOffer.redeemed_at.is_(None),
            WalletOffer.expires_at > now,
            WalletOffer.tx_code_attempts < MAX_TX_CODE_ATTEMPTS,
        )
        .values(tx_code_attempts=WalletOffer.tx_code_attempts + 1)
    )
    return reserved.rowcount == 1


def redeem(session: Session, request: TokenRequest, *, now: datetime) -> Grant:
    """Exchange a pre-authorized code (and its transaction code) for an access token."""
    code, tx_code = request.pre_authorized_code, request.tx_code
    invalid_grant = OAuthError(
        "invalid_grant",
        "The pre-authorized code is unknown, expired, already used, or blocked after "
        "wrong transaction codes.",
    )
    offer = session.scalar(select(WalletOffer).where(WalletOffer.code_hash == tokens.digest(code)))
    if offer is None or not _live(offer, now):
        raise invalid_grant
    if offer.tx_code_hash is None:
        if tx_code is not None:
            raise OAuthError("invalid_request", "This offer has no transaction code; send none.")
    else:
        if tx_code is None:
            raise OAuthError(
                "invalid_request", "This offer requires the transaction code (tx_code)."
            )
        if not _reserve_attempt(session, offer.id, now):
            raise invalid_grant
        if not tokens.same(offer.tx_code_hash, tokens.tx_code_digest(code, tx_code)):
            raise OAuthError(
                "invalid_grant",
                f"The transaction code is wrong; after {MAX_TX_CODE_ATTEMPTS} wrong codes "
                "the offer can no longer be used.",
            )
    access_token = tokens.new_secret()
    redeemed = session.connection().execute(
        update(WalletOffer)
        .where(
            WalletOffer.id == offer.id,
            WalletOffer.redeemed_at.is_(None),
            WalletOffer.expires_at > now,
        )
        .values(
            redeemed_at=now,
            access_token_hash=tokens.digest(access_token),
            token_expires_at=now + TOKEN_TTL,
        )
    )
    if redeemed.rowcount != 1:
        raise invalid_grant
    return Grant(access_token, int(TOKEN_TTL.total_seconds()))


def authorize(session: Session, access_token: str, *, now: datetime) -> WalletOffer:
    """The redeemed offer an access token belongs to; tokens are reusable until they expire."""
    offer = session.scalar(
        select(WalletOffer).where(WalletOffer.access_token_hash == tokens.digest(access_token))
    )
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= now:
        raise InvalidToken("The access token is unknown or expired.")
    return offer


def deliver(
    session: Session, offer: WalletOffer, request: CredentialRequest, *, now: datetime
) -> dict[str, Any]:
    """The stored credential of an authorized offer, exactly as it was issued."""
    if request.credential_identifier is not None:
        raise OAuthError(
            "invalid_credential_request",
            "This issuer returns no credential identifiers; send credential_configuration_id.",
        )
    if request.credential_response_encryption is not None:
        raise OAuthError(
            "invalid_encryption_parameters", "This issuer does not encrypt credential responses."
        )
    if request.credential_configuration_id is None:
        raise OAuthError(
            "invalid_credential_request", "The parameter 'credential_configuration_id' is missing."
        )
    if request.credential_configuration_id != CONFIGURATION_ID:
        raise OAuthError(
            "unknown_credential_configuration",
            f"Only the configuration {CONFIGURATION_ID} is offered.",
        )
    record = credential_service.get_credential(session, offer.credential_id)
    if record.status == CredentialStatus.revoked:
        raise OAuthError(
            "credential_request_denied", "The issuer has revoked this credential since the offer."
        )
    issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
    audit_service.record(
        session,
        actor="wallet",
        action="wallet.credential_delivered",
        now=now,
        issuer_slug=issuer.slug,
        credential_id=record.id,
        details={"offer_id": offer.id, "origin": offer.origin},
    )
    return record.document
