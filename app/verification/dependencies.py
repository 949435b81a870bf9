"""Wiring for the verification routes: one shared fetch cache per app, a verifier per request.

`DatabaseDocuments` answers the resolver's `OwnDocuments` questions from our database: it
reads issuers, status lists, levels, successions and accreditations, so it lives here, at the
HTTP edge, and the verifier itself imports none of those packages (no package cycle).

The fetch and status list caches must outlive a request, so they hang off `app.state`,
created on first use from the lifespan's shared httpx client (tests may install their own
`VerificationState` with a fake transport and host resolver first).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session

from app.accreditation import service as accreditation_service
from app.config import Settings
from app.core.cache import TtlCache
from app.core.urls import PublicUrls
from app.credentials import successions as credential_service
from app.db import ReadSessionDep, SessionDep
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
    method_from_document,
    public_key_of,
    split_url,
)
from app.verification.fetch import Fetcher
from app.verification.limits import VerifyLimits
from app.verification.pool import VerificationPool
from app.verification.ratelimit import CpuBudgetLimiter, TokenBucketLimiter
from app.verification.resolver import Resolver
from app.verification.service import StatusListCache, Verifier
from app.vocabularies import recognition

_STATE_LOCK = threading.Lock()


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
        self.urls = PublicUrls(public_url)
        self._contexts: dict[str, IssuerContext | None] = {}
        self._targets: dict[tuple[str, ...], dict[str, Any] | None] = {}

    def _context(self, did: str) -> IssuerContext | None:
        if did not in self._contexts:
            self._contexts[did] = self.caches.issuers.get(did, lambda: self._load_context(did))
        return self._contexts[did]

    def _load_context(self, did: str) -> IssuerContext | None:
        try:
            context = issuer_service.load_context(
                self.session, did.removeprefix(self.urls.did_prefix), public_url=self.public_url
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
        return self.urls.parse_issuer_did(did) is not None

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
        own_id = self.urls.parse_credential(credential_id)
        if own_id is None:
            return None
        successor = credential_service.successor_of(self.session, own_id)
        return self.urls.credential(successor) if successor is not None else None

    def issuer_name(self, did: str) -> str | None:
        context = self._context(did) if self.owns_did(did) else None
        return context.issuer.name if context is not None else None

    def status_list(self, url: str) -> Any | None:
        parsed = self.urls.parse_status_list(url)
        if parsed is None or self.keyring is None:
            return None
        return self._load_list(url, *parsed)

    def _load_list(self, url: str, slug: str, list_id: str) -> Any:
        assert self.keyring is not None
        try:
            published = status_service.published_list(
                self.session,
                self.keyring,
                slug,
                list_id,
                public_url=self.public_url,
                now=self.now,
                ttl_seconds=self.status_ttl_seconds,
                read_only=True,
            )
        except AppError as error:
            raise ResolutionError(f"{url}: {error.detail}") from None
        return published.document

    def level_of(self, url: str) -> tuple[str, str] | None:
        """(framework, level) when `url` is one of our level pages."""
        return self.urls.parse_level(url) if isinstance(url, str) else None

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


def _default_pool() -> VerificationPool:
    defaults = Settings.model_fields
    cpu = CpuBudgetLimiter(
        capacity=defaults["verify_client_cpu_seconds"].default,
        refill_per_second=defaults["verify_client_cpu_per_second"].default,
    )
    return VerificationPool(
        workers=defaults["verify_workers"].default,
        queue=defaults["verify_queue"].default,
        cpu_limiter=cpu,
    )


def _pool_for(settings: Settings) -> VerificationPool:
    cpu = CpuBudgetLimiter(
        capacity=settings.verify_client_cpu_seconds,
        refill_per_second=settings.verify_client_cpu_per_second,
    )
    return VerificationPool(
        workers=settings.verify_workers, queue=settings.verify_queue, cpu_limiter=cpu
    )


@dataclass
class VerificationState:
    fetcher: Fetcher
    status_cache: StatusListCache = field(default_factory=StatusListCache)
    limiter: TokenBucketLimiter = field(default_factory=TokenBucketLimiter)
    own_documents: OwnDocumentCaches = field(default_factory=OwnDocumentCaches)
    limits: VerifyLimits = field(default_factory=VerifyLimits)
    pool: VerificationPool = field(default_factory=_default_pool)


def verification_state(app: FastAPI) -> VerificationState:
    state: VerificationState | None = getattr(app.state, "verification", None)
    if state is not None:
        return state
    with _STATE_LOCK:
        state = getattr(app.state, "verification", None)
        if state is None:
            settings: Settings = app.state.settings
            fetcher = Fetcher(
                app.state.http,
                allow_hosts=settings.fetch_allow_hosts,
                max_bytes=settings.fetch_max_bytes,
                timeout_seconds=settings.fetch_timeout_seconds,
            )
            state = VerificationState(
                fetcher=fetcher,
                own_documents=OwnDocumentCaches.with_ttl(settings.own_documents_cache_seconds),
                limits=VerifyLimits.from_settings(settings),
                pool=_pool_for(settings),
            )
            app.state.verification = state
    return state


def shutdown_verification(app: FastAPI) -> None:
    """Stop the verification pool's threads (the app is shutting down)."""
    state: VerificationState | None = getattr(app.state, "verification", None)
    if state is not None:
        state.pool.shutdown()


def _verifier(request: Request, session: Session) -> Verifier:
    app = request.app
    settings: Settings = app.state.settings
    now = app.state.clock.now()
    state = verification_state(app)
    own = DatabaseDocuments(
        session,
        getattr(app.state, "keyring", None),
        public_url=settings.public_url,
        now=now,
        status_ttl_seconds=settings.status_list_ttl_seconds,
        caches=state.own_documents,
        trusted_accreditors=tuple(settings.trusted_accreditors),
    )
    return Verifier(
        resolver=Resolver(state.fetcher, own),
        now=now,
        skew=timedelta(seconds=settings.clock_skew_seconds),
        trusted_issuers=tuple(settings.trusted_issuers),
        status_cache=state.status_cache,
        limits=state.limits,
    )


# Async: building the verifier does no I/O, and a sync dependency costs every verification a
# round trip through the threadpool.
async def get_verifier(request: Request, session: SessionDep) -> Verifier:
    return _verifier(request, session)


async def get_read_verifier(request: Request, session: ReadSessionDep) -> Verifier:
    """The verifier of routes that only verify: its session cannot write (README "Verifying")."""
    return _verifier(request, session)


VerifierDep = Annotated[Verifier, Depends(get_verifier)]
"""For routes that verify and then write in the request's one transaction (awards, CLR)."""
ReadVerifierDep = Annotated[Verifier, Depends(get_read_verifier)]


async def raw_body(request: Request) -> bytes:
    """The body as bytes (already capped by the body size middleware)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
