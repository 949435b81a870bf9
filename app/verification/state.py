"""What verification keeps between requests: the fetch cache, status list cache, limits, pool.

It must outlive a request, so `app.dependencies` builds one per app on first use from the
lifespan's shared httpx client (tests may install their own `VerificationState` with a fake
transport and host resolver first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from app.config import Settings
from app.core.cache import TtlCache
from app.issuers.service import IssuerContext
from app.verification.did_documents import VerificationMethod
from app.verification.fetch import Fetcher
from app.verification.limits import VerifyLimits
from app.verification.pool import VerificationPool
from app.verification.ratelimit import CpuBudgetLimiter, TokenBucketLimiter
from app.verification.status_cache import StatusListCache


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
    # Our keys as verification methods, each with the cached issuer context it was read
    # from (keyed by that context's identity): reused only while that context is.
    methods: TtlCache[tuple[str, int], tuple[IssuerContext, VerificationMethod]] = field(
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
            methods=TtlCache(seconds, copies=False),
            any_accreditor=TtlCache(seconds),
        )


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


def build_verification_state(settings: Settings, http: httpx.Client) -> VerificationState:
    fetcher = Fetcher(
        http,
        allow_hosts=settings.fetch_allow_hosts,
        max_bytes=settings.fetch_max_bytes,
        timeout_seconds=settings.fetch_timeout_seconds,
    )
    return VerificationState(
        fetcher=fetcher,
        own_documents=OwnDocumentCaches.with_ttl(settings.own_documents_cache_seconds),
        limits=VerifyLimits.from_settings(settings),
        pool=_pool_for(settings),
    )
