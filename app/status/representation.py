"""HTTP representations of a published list: content negotiation, ETag and 304.

JSON is served as ``application/json`` unless the client asks for a VC media type by name.
Generic JSON-LD document loaders (jsonld.js, @digitalbazaar/http-client) only parse bodies
whose type ends in ``json``, and BSL §4 allows any VC media type, so the plain type is the
safe default; ``application/vc`` (VCDM 2.0) is what Data Integrity clients can ask for, and
``application/vc+jwt`` selects the VC-JWT form.
"""

from __future__ import annotations

from typing import Final

from fastapi import Response

from app.core.negotiation import best_match
from app.status.publishing import PublishedList

JWT_MEDIA_TYPE: Final = "application/vc+jwt"
# In order of preference when the client rates several equally (e.g. ``*/*``).
OFFERED: Final = (
    "application/json",
    "application/ld+json",
    "application/vc",
    "application/vc+ld+json",
    JWT_MEDIA_TYPE,
)


def negotiate(accept: str | None) -> str:
    """The offered media type the ``Accept`` header rates highest; JSON when nothing fits."""
    return best_match(accept, OFFERED)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    # If-None-Match uses the weak comparison (RFC 9110 §13.1.2).
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def list_response(
    published: PublishedList,
    *,
    accept: str | None,
    if_none_match: str | None,
    max_age: int,
) -> Response:
    """200 with the chosen form, or 304 when the client already holds it."""
    media_type = negotiate(accept)
    is_jwt = media_type == JWT_MEDIA_TYPE
    etag = published.jwt_etag if is_jwt else published.etag
    headers = {
        "ETag": etag,
        # Same lifetime as the list's ttl (BSL §2.2); public so CDNs can absorb the
        # fetches, which also keeps verifiers' requests away from us (BSL §6.3).
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept",
    }
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    body = published.jwt.encode() if is_jwt else published.json_body
    return Response(content=body, media_type=media_type, headers=headers)
