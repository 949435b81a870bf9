"""The published form of a list: a signed ``BitstringStatusListCredential`` (BSL §2.2).

The signed credential and its VC-JWT are stored in the list row, so every instance serves the
same bytes under the same strong ETag. A status change re-signs the lists it touched in its
own transaction (``republish``). A list is also stale when the issuer's signing key changed
(a compromised key must stop vouching for the list) or the URL or ttl configuration changed:
the list's GET route then re-signs and stores it, while a reader (``read_only``, the
verifier) signs the current bits in memory and writes nothing.

A process-wide cache keyed by (list, version, signing key, ttl, public URL) holds the
serialized bytes, so a cached GET costs one small indexed query and no JSON work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import rfc8785
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from app.core.cache import LruCache
from app.core.clock import isoformat_z
from app.core.urls import PublicUrls
from app.crypto.cryptosuites import DEFAULT_SUITE_FOR_KEY
from app.crypto.data_integrity import add_proof
from app.crypto.jws import sign_vc_jwt
from app.errors import NotFound
from app.issuers import service as issuer_service
from app.issuers.models import Issuer, KeyStatus, SigningKey
from app.issuers.signing import KeyRing
from app.status import lists
from app.status.bitstring import Bitstring
from app.status.models import StatusList

VC_V2_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
# Same choice as issuance: the status list is secured like the credentials that point to it
# (BSL §3.6 "SHOULD use the same securing mechanism").
_CACHE_ENTRIES: Final = 1024


@dataclass(frozen=True, slots=True)
class PublishedList:
    """One published version of a list, in both forms, with their strong ETags."""

    document: dict[str, Any]
    jwt: str
    json_body: bytes
    etag: str
    jwt_etag: str


def _strong_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()}"'


def _published(document: dict[str, Any], jwt: str) -> PublishedList:
    # JCS bytes: the same document serializes identically on every instance and backend.
    body = rfc8785.dumps(document)
    return PublishedList(
        document=document,
        jwt=jwt,
        json_body=body,
        etag=_strong_etag(body),
        jwt_etag=_strong_etag(jwt.encode()),
    )


# Entries are immutable, so sharing them across threads is safe.
_cache: LruCache[tuple[object, ...], PublishedList] = LruCache(_CACHE_ENTRIES)


def build_list_credential(
    *,
    url: str,
    issuer_did: str,
    purpose: str,
    bits: bytes,
    valid_from: datetime,
    ttl_ms: int,
) -> dict[str, Any]:
    """The unsigned status list credential (BSL §2.2); its terms are all in credentials/v2."""
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": Bitstring.from_bytes(bits).encode(),
    }
    if ttl_ms > 0:
        subject["ttl"] = ttl_ms
    return {
        "@context": [VC_V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": isoformat_z(valid_from),
        "credentialSubject": subject,
    }


def _is_current(status_list: StatusList, url: str, key_id: str, ttl_ms: int) -> bool:
    document = status_list.published_document
    if (
        document is None
        or status_list.published_jwt is None
        or status_list.published_version != status_list.version
    ):
        return False
    proofs = document.get("proof") or [{}]
    subject = document.get("credentialSubject") or {}
    return (
        document.get("id") == url
        and proofs[0].get("verificationMethod") == key_id
        and subject.get("ttl", 0) == ttl_ms
    )


def _sign(
    keyring: KeyRing,
    status_list: StatusList,
    context: issuer_service.IssuerContext,
    *,
    url: str,
    now: datetime,
    ttl_ms: int,
) -> tuple[dict[str, Any], str]:
    unsigned = build_list_credential(
        url=url,
        issuer_did=context.did,
        purpose=status_list.purpose,
        bits=status_list.bits,
        valid_from=now,
        ttl_ms=ttl_ms,
    )
    signed = add_proof(
        unsigned,
        issuer_service.active_signer(keyring, context),
        cryptosuite=DEFAULT_SUITE_FOR_KEY[context.active_key.key_type],
        created=now,
    )
    jwt = sign_vc_jwt(unsigned, issuer_service.jwt_signer(keyring, context), issued_at=now)
    return signed, jwt


def _store(
    session: Session, status_list: StatusList, signed: dict[str, Any], jwt: str, *, now: datetime
) -> PublishedList:
    published = _published(signed, jwt)
    status_list.published_document = signed
    status_list.published_jwt = jwt
    status_list.published_version = status_list.version
    status_list.etag = published.etag
    status_list.published_at = now
    session.flush()
    return published


@dataclass(frozen=True, slots=True)
class ListHead:
    """What says whether a signed list is current: the row, its version, the active key."""

    list_id: str
    version: int
    key_row_id: str | None


# Built once: every verification of one of our credentials reads it, and building the
# statement costs more than running it. Public so that a reader can fetch it together with
# other rows in one round trip (`head_parameters` binds it).
HEAD: Final = (
    select(StatusList.id, StatusList.version, SigningKey.id)
    .join(Issuer, Issuer.id == StatusList.issuer_id)
    .outerjoin(
        SigningKey,
        and_(SigningKey.issuer_id == Issuer.id, SigningKey.status == KeyStatus.active),
    )
    .where(
        Issuer.slug == bindparam("slug"),
        StatusList.purpose == bindparam("purpose"),
        StatusList.number == bindparam("number"),
    )
    .order_by(SigningKey.created_at.desc(), SigningKey.fragment.desc())
    .limit(1)
)


def head_parameters(slug: str, list_public_id: str) -> dict[str, object] | None:
    """`HEAD`'s parameters for list ``list_public_id`` of ``slug``; None if it names no list."""
    parsed = lists.parse_public_id(list_public_id)
    if parsed is None:
        return None
    purpose, number = parsed
    return {"slug": slug, "purpose": purpose, "number": number}


def published_list(
    session: Session,
    keyring: KeyRing,
    slug: str,
    list_public_id: str,
    *,
    urls: PublicUrls,
    now: datetime,
    ttl_seconds: int,
    read_only: bool = False,
    head: ListHead | None = None,
) -> PublishedList:
    """The current signed list ``/status/{slug}/{list_public_id}``, rebuilt only if stale.

    ``read_only``: a stale list is signed in memory (and kept in the process cache) instead
    of being stored, so a verification never writes. ``head``: the list's `HEAD` row, when
    the caller has just read it (else it is read here).
    """
    if head is None:
        head = _read_head(session, slug, list_public_id)
    list_id, version, key_row_id = head.list_id, head.version, head.key_row_id
    ttl_ms = ttl_seconds * 1000
    key = (list_id, version, key_row_id, ttl_ms, urls)
    # Bytes signed for a reader are kept apart: the GET route must still store its own.
    cached = _cache.get(key) or (_cache.get((*key, "unstored")) if read_only else None)
    if cached is not None:
        return cached

    context = issuer_service.load_context(session, slug, urls=urls)
    key_id = issuer_service.active_signer(keyring, context).key_id
    url = lists.list_url(urls, slug, list_public_id)
    status_list = session.get_one(StatusList, list_id)
    if not _is_current(status_list, url, key_id, ttl_ms) and read_only:
        published = _published(
            *_sign(keyring, status_list, context, url=url, now=now, ttl_ms=ttl_ms)
        )
        _cache.put((*key, "unstored"), published)
        return published
    if not _is_current(status_list, url, key_id, ttl_ms):
        # Lock, then look again: another instance may have republished while we waited,
        # and its bytes (already served under its ETag) must win over a second signature.
        status_list = lists.lock_list(session, list_id)
        if not _is_current(status_list, url, key_id, ttl_ms):
            # Not cached: until the caller commits, these bytes are not the stored ones.
            signed = _sign(keyring, status_list, context, url=url, now=now, ttl_ms=ttl_ms)
            return _store(session, status_list, *signed, now=now)
    assert status_list.published_document is not None
    assert status_list.published_jwt is not None
    published = _published(status_list.published_document, status_list.published_jwt)
    _cache.put((list_id, status_list.version, context.active_key.id, ttl_ms, urls), published)
    return published


def _read_head(session: Session, slug: str, list_public_id: str) -> ListHead:
    parameters = head_parameters(slug, list_public_id)
    row = session.execute(HEAD, parameters).first() if parameters is not None else None
    if row is None:
        raise NotFound(f"No status list '{list_public_id}' is published for issuer '{slug}'.")
    return ListHead(list_id=row[0], version=row[1], key_row_id=row[2])


@dataclass(frozen=True, slots=True)
class ListSigning:
    """What re-signing a list needs: the key ring, and the settings its URL and ttl follow."""

    keyring: KeyRing
    urls: PublicUrls
    ttl_seconds: int


def republish(
    session: Session, signing: ListSigning, changed: Sequence[StatusList], *, now: datetime
) -> None:
    """Re-sign and store lists whose bits just changed, in the transaction that changed them
    (their rows are locked by that change)."""
    for status_list in changed:
        # Not flushed before these reads: the list's new bits are written together with its
        # newly signed form, one UPDATE of the row instead of two (each a new row version).
        with session.no_autoflush:
            issuer = issuer_service.get_issuer_by_id(session, status_list.issuer_id)
            context = issuer_service.context_of(session, issuer, urls=signing.urls)
        if not any(key.status == KeyStatus.active for key in context.keys):
            continue  # nothing to sign with: the change stands, the list's GET says why
        url = lists.list_url(signing.urls, issuer.slug, status_list.public_id)
        ttl_ms = signing.ttl_seconds * 1000
        signed = _sign(signing.keyring, status_list, context, url=url, now=now, ttl_ms=ttl_ms)
        _store(session, status_list, *signed, now=now)
