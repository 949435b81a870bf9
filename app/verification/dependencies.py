"""Wiring for the verification routes: one shared fetch cache per app, a verifier per request.

The fetch and status list caches must outlive a request, so they hang off `app.state`,
created on first use from the lifespan's shared httpx client (tests may install their own
`VerificationState` with a fake transport and host resolver first).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from app.config import Settings
from app.db import SessionDep
from app.verification.fetch import Fetcher
from app.verification.limits import VerifyLimits
from app.verification.pool import VerificationPool
from app.verification.ratelimit import CpuBudgetLimiter, TokenBucketLimiter
from app.verification.resolver import DatabaseDocuments, OwnDocumentCaches, Resolver
from app.verification.service import StatusListCache, Verifier

_STATE_LOCK = threading.Lock()


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


def get_verifier(request: Request, session: SessionDep) -> Verifier:
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


VerifierDep = Annotated[Verifier, Depends(get_verifier)]


async def raw_body(request: Request) -> bytes:
    """The body as bytes (already capped by the body size middleware)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
