"""Where keys, issuer metadata and status lists come from.

- `did:key`: decoded locally, never fetched.
- `did:web`: `https://host/path/did.json` (plain http only for allow-listed hosts).
- https verification methods: the controller document at the URL before `#` (CID 1.0).
- VC-JWT issuers that are https URLs: `/.well-known/jwt-vc-issuer` metadata and its JWKS.
- Status lists: by URL.
Our own issuers' DIDs and our own status lists are read from the database, never over HTTP:
the answer is authoritative (a revoked key is reported with its date and reason) and a
verifier must not depend on reaching its own public URL. Everything remote goes through the
SSRF-safe `Fetcher`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from app.core import strictjson
from app.crypto.jsonld import CONTEXT_FILES, CONTEXTS_DIR
from app.verification.accreditation import AccreditationView
from app.verification.credential_input import bounds_problem
from app.verification.did_documents import (
    ResolutionError,
    VerificationMethod,
    did_key_method,
    did_web_location,
    method_from_document,
    split_url,
)
from app.verification.fetch import Fetcher

_DOCUMENT_NODES = 10_000
_JWT_MEDIA_TYPES = ("application/vc+jwt", "application/jwt")


class OwnDocuments(Protocol):
    """Our own issuers and status lists, read without HTTP."""

    def owns_did(self, did: str) -> bool: ...
    def verification_method(self, method_id: str) -> VerificationMethod: ...
    def issuer_name(self, did: str) -> str | None: ...
    def status_list(self, url: str) -> Any | None: ...
    def level_of(self, url: str) -> tuple[str, str] | None: ...
    def describe_level(self, framework: str, level: str) -> dict[str, Any] | None: ...
    def describe_target(self, alignment: Mapping[str, Any]) -> dict[str, Any] | None: ...
    def accreditations(self, did: str) -> list[AccreditationView] | None: ...
    def level_ordinal(self, framework: str, level: str) -> int | None: ...
    def successor_of(self, credential_id: str) -> str | None: ...
    def prefetch(self, credential_id: str, status_lists: Sequence[str]) -> None: ...


def _json_document(body: bytes, url: str) -> Any:
    try:
        document = strictjson.loads(body)
    except strictjson.StrictJsonError as error:
        raise ResolutionError(f"{url} did not answer with I-JSON: {error}") from None
    except (RecursionError, UnicodeDecodeError, ValueError):
        raise ResolutionError(f"{url} did not answer with JSON") from None
    problem = bounds_problem(document, max_nodes=_DOCUMENT_NODES)
    if problem:
        raise ResolutionError(f"the document at {url} is too complex: {problem}")
    return document


class Resolver:
    """Resolves what credentials point at, locally when it is ours, else through `fetcher`."""

    def __init__(self, fetcher: Fetcher | None, own: OwnDocuments | None = None) -> None:
        self.fetcher = fetcher
        self.own = own

    def _get(self, url: str, accept: str) -> Any:
        if self.fetcher is None:
            raise ResolutionError(f"{url} cannot be fetched: this verifier works offline")
        fetched = self.fetcher.get(url, accept=accept)
        if fetched.content_type in _JWT_MEDIA_TYPES:
            return fetched.body.decode("ascii", "replace").strip()
        return _json_document(fetched.body, url)

    def resource(self, url: str) -> bytes:
        """The bytes of a related resource: a vendored context by URL, else fetched."""
        if url in CONTEXT_FILES:
            return (CONTEXTS_DIR / CONTEXT_FILES[url]).read_bytes()
        if not url.startswith(("https://", "http://")):
            raise ResolutionError(f"{url} is not an http(s) URL")
        if self.fetcher is None:
            raise ResolutionError(f"{url} cannot be fetched: this verifier works offline")
        return self.fetcher.get(url, accept="*/*").body

    def verification_method(self, url: str) -> VerificationMethod:
        if not isinstance(url, str) or not url:
            raise ResolutionError("the proof names no verification method")
        base, fragment = split_url(url)
        if base.startswith("did:key:"):
            return did_key_method(url)
        if self.own is not None and self.own.owns_did(base):
            return self.own.verification_method(url)
        if base.startswith("did:web:"):
            host, path = did_web_location(base)
            scheme = "http" if self.fetcher and self.fetcher.allows_http(host) else "https"
            document = self._get(
                f"{scheme}://{host}{path}", "application/did+json, application/json"
            )
            return method_from_document(document, url, expected_id=base)
        if base.startswith("did:"):
            raise ResolutionError(f"the DID method of {base} is not supported (did:key, did:web)")
        if urlsplit(base).scheme in ("https", "http") and fragment:
            document = self._get(base, "application/json")
            return method_from_document(document, url, expected_id=base)
        raise ResolutionError(f"{url!r} is not a DID URL or https URL of a key")

    def issuer_jwks(self, issuer: str) -> list[Mapping[str, Any]]:
        """The JWKS an https issuer publishes in its JWT VC issuer metadata (SD-JWT VC §5)."""
        parts = urlsplit(issuer)
        if parts.scheme != "https" or not parts.netloc:
            raise ResolutionError(f"the issuer {issuer!r} is neither a DID nor an https URL")
        path = parts.path.rstrip("/")
        metadata = self._get(
            f"https://{parts.netloc}/.well-known/jwt-vc-issuer{path}", "application/json"
        )
        if not isinstance(metadata, Mapping) or metadata.get("issuer") != issuer:
            raise ResolutionError(f"the JWT issuer metadata of {issuer} names another issuer")
        jwks = metadata.get("jwks")
        if jwks is None and isinstance(metadata.get("jwks_uri"), str):
            jwks = self._get(metadata["jwks_uri"], "application/jwk-set+json")
        keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
        if not isinstance(keys, list):
            raise ResolutionError(f"the JWT issuer metadata of {issuer} holds no JWKS")
        return [key for key in keys if isinstance(key, Mapping)]

    def status_list(self, url: str) -> Any:
        """The status list credential at `url`: a JSON object, or a VC-JWT string."""
        if not isinstance(url, str) or not url:
            raise ResolutionError("the status entry names no statusListCredential")
        if self.own is not None:
            local = self.own.status_list(url)
            if local is not None:
                return local
        return self._get(url, "application/vc+ld+json, application/vc+jwt, application/json")

    def issuer_name(self, did: str) -> str | None:
        return self.own.issuer_name(did) if self.own is not None else None

    def owns(self, did: str) -> bool:
        return self.own is not None and self.own.owns_did(did)

    def successor_of(self, credential_id: str) -> str | None:
        """The id of the corrected credential that superseded one of ours, if any."""
        return self.own.successor_of(credential_id) if self.own is not None else None

    def prefetch(self, credential_id: str, status_lists: Sequence[str]) -> None:
        """A hint: the status lists and successor of this credential are asked next (our
        database then answers both in one round trip); changes no answer."""
        if self.own is not None:
            self.own.prefetch(credential_id, status_lists)
