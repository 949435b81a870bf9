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

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from app.accreditation import service as accreditation_service
from app.core import strictjson
from app.core.ttlcache import TtlCache
from app.credentials import successions as credential_service
from app.crypto.jsonld import CONTEXT_FILES, CONTEXTS_DIR
from app.errors import AppError
from app.frameworks import service as framework_service
from app.issuers import documents
from app.issuers import service as issuer_service
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.status import service as status_service
from app.verification.accreditation import AccreditationView
from app.verification.controllers import (
    ResolutionError,
    VerificationMethod,
    did_key_method,
    did_web_location,
    method_from_document,
    public_key_of,
    split_url,
)
from app.verification.fetch import Fetcher
from app.verification.inputs import bounds_problem
from app.vocabularies import recognition

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


def _revoked_method(context: IssuerContext, method_id: str) -> VerificationMethod | None:
    """A revoked key of ours: no longer published, but we can say when and why it went."""
    for key in context.keys:
        if key.status != issuer_service.REVOKED:
            continue
        names = (documents.multikey_vm_id(context.did, key), documents.jwk_vm_id(context.did, key))
        if method_id in names:
            return VerificationMethod(
                id=method_id,
                controller=context.did,
                document_id=context.did,
                public_key=public_key_of(
                    {"id": method_id, "publicKeyMultibase": key.public_multikey}
                ),
                relationships=frozenset({"assertionMethod", "authentication"}),
                revoked_at=key.revoked_at,
                revocation_reason=key.revocation_reason,
                own_issuer=context.issuer.slug,
            )
    return None


@dataclass
class OwnDocumentCaches:
    """Process-wide caches of what our own database says, shared by every request.

    Level meanings (which now say whether an equivalence rests on an official referencing
    report) and issuer keys are kept only briefly (``LEARNPROOF_OWN_DOCUMENTS_CACHE_SECONDS``):
    long enough to spare a burst of verifications the same queries, short enough that a
    withdrawn report or a key change made by another instance shows at once for practical
    purposes. Status lists are not kept here at all: a revocation, suspension or reinstatement
    must show in the very next verification, in this process and in every other one on the
    same database. Each verification reads the list's version (one indexed query) and the
    signed list is reused per version (``app.status.publishing``), so freshness costs no
    re-signing.
    """

    levels: TtlCache[tuple[str, str], dict[str, Any] | None] = field(
        default_factory=lambda: TtlCache(0)
    )
    issuers: TtlCache[str, IssuerContext | None] = field(
        default_factory=lambda: TtlCache(0, copies=False)
    )
    # Whether any accrediting body is trusted at all: asked by every verification, and with
    # none (the common case) the answer needs no further query.
    any_accreditor: TtlCache[tuple[str, ...], bool] = field(default_factory=lambda: TtlCache(0))

    @classmethod
    def with_ttl(cls, seconds: float) -> OwnDocumentCaches:
        return cls(
            levels=TtlCache(seconds),
            issuers=TtlCache(seconds, copies=False),
            any_accreditor=TtlCache(seconds),
        )


class DatabaseDocuments:
    """`OwnDocuments` from our database, for one request's session."""

    def __init__(
        self,
        session: Session,
        keyring: KeyRing | None,
        *,
        public_url: str,
        now: datetime,
        status_ttl_seconds: int = 300,
        caches: OwnDocumentCaches | None = None,
        trusted_accreditors: tuple[str, ...] = (),
    ) -> None:
        self.session = session
        self.trusted_accreditors = trusted_accreditors
        self.caches = caches or OwnDocumentCaches.with_ttl(0)
        self.keyring = keyring
        self.public_url = public_url
        self.now = now
        self.status_ttl_seconds = status_ttl_seconds
        self._did_prefix = documents.issuer_did(public_url, "")
        self._contexts: dict[str, IssuerContext | None] = {}
        self._targets: dict[tuple[str, ...], dict[str, Any] | None] = {}

    def _context(self, did: str) -> IssuerContext | None:
        if did not in self._contexts:
            self._contexts[did] = self.caches.issuers.get(did, lambda: self._load_context(did))
        return self._contexts[did]

    def _load_context(self, did: str) -> IssuerContext | None:
        try:
            context = issuer_service.load_context(
                self.session, did.removeprefix(self._did_prefix), public_url=self.public_url
            )
        except AppError:
            return None
        # Detached, so a rollback of this request's session cannot expire what other
        # requests read from the cache.
        for row in (context.issuer, *context.keys):
            self.session.expunge(row)
        return context

    def owns_did(self, did: str) -> bool:
        # Any DID under our host is answered here: an unknown slug is then "no such issuer",
        # never a request to our own public URL.
        return isinstance(did, str) and did.startswith(self._did_prefix)

    def verification_method(self, method_id: str) -> VerificationMethod:
        did, _ = split_url(method_id)
        context = self._context(did)
        if context is None:
            raise ResolutionError(f"{did} is not an issuer of this LearnProof service")
        revoked = _revoked_method(context, method_id)
        if revoked is not None:
            return revoked
        document = documents.did_document(context.did, context.keys)
        method = method_from_document(document, method_id, expected_id=context.did)
        return replace(method, own_issuer=context.issuer.slug)

    def successor_of(self, credential_id: str) -> str | None:
        prefix = f"{self.public_url}/credentials/"
        if not credential_id.startswith(prefix):
            return None
        successor = credential_service.successor_of(
            self.session, credential_id.removeprefix(prefix)
        )
        return f"{prefix}{successor}" if successor is not None else None

    def issuer_name(self, did: str) -> str | None:
        context = self._context(did) if self.owns_did(did) else None
        return context.issuer.name if context is not None else None

    def status_list(self, url: str) -> Any | None:
        prefix = f"{self.public_url}/status/"
        if not url.startswith(prefix) or self.keyring is None:
            return None
        return self._load_list(url)

    def _load_list(self, url: str) -> Any:
        assert self.keyring is not None
        slug, _, list_id = url.removeprefix(f"{self.public_url}/status/").partition("/")
        try:
            published = status_service.published_list(
                self.session,
                self.keyring,
                slug,
                list_id,
                public_url=self.public_url,
                now=self.now,
                ttl_seconds=self.status_ttl_seconds,
            )
        except AppError as error:
            raise ResolutionError(f"{url}: {error.detail}") from None
        return published.document

    def level_of(self, url: str) -> tuple[str, str] | None:
        """(framework, level) when `url` is one of our level pages."""
        prefix = f"{self.public_url}/frameworks/"
        if not isinstance(url, str) or not url.startswith(prefix):
            return None
        parts = url.removeprefix(prefix).split("/")
        if len(parts) == 3 and parts[1] == "levels" and parts[0] and parts[2]:
            return unquote(parts[0]), unquote(parts[2])
        return None

    def describe_level(self, framework: str, level: str) -> dict[str, Any] | None:
        return self.caches.levels.get(
            (framework, level), lambda: self._describe_level(framework, level)
        )

    def describe_target(self, alignment: Mapping[str, Any]) -> dict[str, Any] | None:
        """An occupation, industry or ESCO skill of our vocabularies that `alignment` names."""
        key = tuple(str(alignment.get(k)) for k in ("targetUrl", "targetCode", "targetFramework"))
        if key not in self._targets:
            self._targets[key] = recognition.recognise(self.session, self.public_url, alignment)
        return self._targets[key]

    def _describe_level(self, framework: str, level: str) -> dict[str, Any] | None:
        try:
            return framework_service.describe_alignment(self.session, framework, level)
        except AppError:
            return None

    def accreditations(self, did: str) -> list[AccreditationView] | None:
        """The issuer's accreditations from trusted bodies, read fresh (revocation shows);
        None when the service trusts no accrediting body at all (that answer is reused for
        the own-documents cache time, like issuer keys)."""
        configured = self.trusted_accreditors
        if not self.caches.any_accreditor.get(
            configured,
            lambda: bool(accreditation_service.trusted_accreditors(self.session, configured)),
        ):
            return None
        return [
            AccreditationView(
                id=held.id,
                url=accreditation_service.accreditation_url(self.public_url, held.id),
                accreditor=held.accreditor,
                accreditor_name=held.accreditor_name,
                limits=held.limits,
                valid_from=held.valid_from,
                valid_until=held.valid_until,
                revoked=held.revoked,
                credential=held.credential,
            )
            for held in accreditation_service.held_by(self.session, did, self.trusted_accreditors)
        ]

    def level_ordinal(self, framework: str, level: str) -> int | None:
        try:
            return framework_service.read_level(self.session, framework, level).ordinal
        except AppError:
            return None
