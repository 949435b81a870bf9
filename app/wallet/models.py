from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class WalletOffer(Base):
    """One OID4VCI pre-authorized-code offer of an already issued credential.

    Only SHA-256 digests of the secrets are stored (the offer URI's secret, the code derived
    from it, the transaction code keyed by the code, the access token), so a copy of this
    table redeems nothing. A row goes through: offered → redeemed (token issued) → dead
    (expired), and dead rows are purged when later offers are made.
    """

    __tablename__ = "wallet_offer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    credential_id: Mapped[str] = mapped_column(ForeignKey("credential.id"), index=True)
    uri_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    # Counts every token request that presented a transaction code, so guessing is capped
    # even when many requests race (each reserves an attempt before its code is compared).
    tx_code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "api" (made by the issuer platform) or "page" (asked for on the public page).
    origin: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
