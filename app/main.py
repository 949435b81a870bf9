"""Application factory: the lifespan owns the engine, sessions and the shared httpx client."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session, sessionmaker

from app import connection_reuse
from app.accreditation.router import public_router as accreditation_documents_router
from app.accreditation.router import router as accreditation_router
from app.achievements.router import public_router as achievement_documents_router
from app.achievements.router import router as achievements_router
from app.audit.router import router as audit_router
from app.auth.router import router as auth_router
from app.clr.router import pages_router as clr_pages_router
from app.clr.router import router as clr_router
from app.config import Settings, load_settings
from app.connection_reuse import ConnectionReuseMiddleware, WorkerLoads
from app.core.clock import Clock, SystemClock
from app.credentials.batch_jobs import JobWorker
from app.credentials.expiry import lifecycle_tasks
from app.credentials.issuance_groups import IssuanceGroups
from app.credentials.issuance_router import router as issuance_router
from app.credentials.lifecycle_router import router as lifecycle_router
from app.credentials.router import public_router as credential_documents_router
from app.credentials.router import router as credentials_router
from app.credentials.warmup import warm_caches
from app.db import (
    make_engine,
    make_read_engine,
    make_read_sessionmaker,
    make_sessionmaker,
    open_pool,
)
from app.errors import install_error_handlers
from app.frameworks.router import public_router as framework_documents_router
from app.frameworks.router import router as frameworks_router
from app.guards import APP_GUARDS
from app.health.router import router as health_router
from app.issuers.keystore import check_master_key, load_master_key
from app.issuers.router import public_router as issuer_documents_router
from app.issuers.router import router as issuers_router
from app.issuers.signing import KeyRing
from app.json_middleware import StrictJsonMiddleware
from app.observability import (
    BodySizeLimitMiddleware,
    Metrics,
    RequestContextMiddleware,
    configure_logging,
)
from app.occupations.router import pages_router as occupation_pages_router
from app.occupations.router import router as guidance_router
from app.openapi import install_problem_responses
from app.pathways.router import pages_router as pathway_documents_router
from app.pathways.router import router as pathways_router
from app.referencing.router import router as referencing_router
from app.status.allocation import reserve_in_blocks
from app.status.router import public_router as status_documents_router
from app.verification.deadline import make_http_client
from app.verification.router import router as verification_router
from app.verification.state import VerificationState
from app.vocabularies.router import router as vocabularies_router
from app.wallet.router import router as wallet_router
from app.web.assets import static_files
from app.web.credit_bank import router as credit_bank_pages_router
from app.web.docs import DOCS_ASSETS_URL, docs_assets, docs_router
from app.web.i18n import LocaleMiddleware
from app.web.router import pages_router, too_large_page
from app.web.router import router as web_router
from app.webhooks.delivery import Deliverer, DeliveryPolicy, DeliveryWorker
from app.webhooks.guard import UrlGuard
from app.webhooks.router import router as webhooks_router

# Status indexes a process reserves at once for single issuances on PostgreSQL: the list row
# is locked, and its allocation bitmap rewritten, once per 256 credentials instead of once each
# (app/status/allocation.py; README "Figures", noon).
RESERVATION_BLOCK = 256

API_DESCRIPTION = (
    "LearnProof issues and verifies Open Badges 3.0 credentials (W3C Verifiable Credentials "
    "with Data Integrity eddsa-rdfc-2022 proofs and VC-JWT), revocable through Bitstring "
    "Status Lists and aligned to qualification frameworks."
)


def _open_keyring(settings: Settings, factory: sessionmaker[Session], clock: Clock) -> KeyRing:
    """Load the master secret and prove it matches the database, before serving anything."""
    master = load_master_key(settings)
    with factory() as session:
        check_master_key(session, master, now=clock.now())
        session.commit()
    return KeyRing(master)


def _deliverer(
    settings: Settings, factory: sessionmaker[Session], keyring: KeyRing, clock: Clock,
    client: httpx.Client,
) -> Deliverer:  # fmt: skip
    policy = DeliveryPolicy(
        timeout_seconds=settings.webhook_timeout_seconds,
        retry_window=timedelta(hours=settings.webhook_retry_hours),
        disable_after=timedelta(hours=settings.webhook_disable_after_hours),
        # Longer than any one attempt, short enough that a crashed instance's claims
        # are picked up again within a minute.
        lease=timedelta(seconds=3 * settings.webhook_timeout_seconds + 5),
    )
    guard = UrlGuard(allow_hosts=settings.fetch_allow_hosts)
    return Deliverer(factory, keyring, clock, client, guard, policy)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    session_factory: sessionmaker[Session] | None = None,
    freeze_startup_heap: bool = False,
    warm_up: bool = False,
    worker_loads: WorkerLoads | None = None,
) -> FastAPI:
    """Build the app; tests inject a clock and a session factory bound to their transaction.

    `freeze_startup_heap`, `warm_up`: see `create_served_app`. `worker_loads`: the in-flight counts
    `serve --workers N`'s processes share (`app.connection_reuse`).
    """
    settings = settings or load_settings()
    configure_logging(as_json=settings.log_as_json)
    metrics = Metrics()
    app_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = reservations = readers = None
        factory = session_factory
        if factory is None:
            engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
            factory = make_sessionmaker(engine)
        app.state.sessionmaker = factory
        app.state.read_sessions = None  # a factory handed in (tests) reads through itself
        if engine is not None:
            readers = make_read_engine(settings.database_url, pool_size=settings.verify_workers + 4)
            app.state.read_sessions = make_read_sessionmaker(engine, readers)
        app.state.reads_apart = readers is not None
        app.state.status_sessions = factory
        if engine is not None and engine.dialect.name != "sqlite":
            # Status indexes are reserved in short transactions of their own while the
            # request holds its session's connection. From the same pool, 15 concurrent
            # issuers would hold every connection and wait for a 16th until the pool times
            # out; a pool of their own always frees up within a reservation.
            reservations = make_engine(settings.database_url)
            app.state.status_sessions = make_sessionmaker(reservations)
            reserve_in_blocks(app.state.status_sessions, RESERVATION_BLOCK)
        app.state.keyring = _open_keyring(settings, factory, app_clock)
        # Made here, in the app's event loop: anyio's limiters (and asyncio's events) belong
        # to one loop.
        app.state.issue_groups = IssuanceGroups(
            factory, turns=settings.issue_concurrency, group_size=settings.issue_group_size
        )
        worker = None
        if settings.job_worker:
            worker = JobWorker(
                factory, app.state.keyring, app_clock, urls=settings.urls,
                chunk_items=settings.batch_chunk_items,
            )  # fmt: skip
            worker.start()
        with (
            make_http_client(settings.fetch_timeout_seconds) as client,
            httpx.Client(follow_redirects=False) as webhook_client,
        ):
            # Sync on purpose: routes are sync (CPU-bound signing and canonicalization
            # run in the threadpool) and httpx.Client is safe to share across threads.
            app.state.http = client
            app.state.webhooks = _deliverer(settings, factory, app.state.keyring, app_clock,
                                            webhook_client)  # fmt: skip
            webhook_worker = None
            if settings.webhook_worker:
                webhook_worker = DeliveryWorker(
                    app.state.webhooks, periodic=lifecycle_tasks(settings, factory, app_clock)
                )
                webhook_worker.start()
            if warm_up:
                # Before the freeze: the caches it fills live as long as the process.
                warm_caches(settings.urls, app_clock.now())
                for pooled in (engine, reservations, readers):
                    if pooled is not None:
                        open_pool(pooled)
            if freeze_startup_heap:
                gc.collect()
                gc.freeze()
                gc.set_threshold(*SERVED_GC_THRESHOLDS)
            try:
                yield
            finally:
                if webhook_worker is not None:
                    webhook_worker.stop()
                verification: VerificationState | None = getattr(app.state, "verification", None)
                if verification is not None:
                    verification.pool.shutdown()
                if worker is not None:
                    worker.stop()
                if engine is not None:
                    engine.dispose()
                if reservations is not None:
                    reservations.dispose()
                if readers is not None:
                    readers.dispose()

    app = FastAPI(
        title="LearnProof",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(guard) for guard in APP_GUARDS],
        # Served by app/web/docs.py from the package's own assets (no CDN).
        docs_url=None,
        redoc_url=None,
    )
    # Read back only by app/dependencies.py, as typed dependencies.
    urls = settings.urls
    app.state.settings = settings
    app.state.urls = urls
    app.state.clock = app_clock
    app.state.metrics = metrics
    install_error_handlers(app, urls.problems)
    # Innermost: checks the body as the route reads it, already capped by the size limit.
    app.add_middleware(StrictJsonMiddleware)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        problem_type=f"{urls.problems}/payload-too-large",
        html_page=too_large_page,
    )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    # The language is known to every page, including the 413 page above.
    app.add_middleware(LocaleMiddleware)
    # Outermost: any response may end its connection.
    app.add_middleware(
        ConnectionReuseMiddleware,
        requests_per_connection=settings.requests_per_connection,
        loads=worker_loads,
    )
    # Each request is matched against the routers in this order, and every router passed
    # costs 5-30 us: the busiest routes come first (issuance, verification, the documents
    # other verifiers fetch). tests/foundation/test_route_order.py checks that no route
    # hides another.
    for router in (
        health_router,
        issuance_router,
        verification_router,
        credentials_router,
        status_documents_router,
        issuer_documents_router,
        credential_documents_router,
        auth_router,
        audit_router,
        issuers_router,
        lifecycle_router,
        frameworks_router,
        framework_documents_router,
        referencing_router,
        accreditation_router,
        accreditation_documents_router,
        achievements_router,
        achievement_documents_router,
        wallet_router,
        vocabularies_router,
        occupation_pages_router,
        guidance_router,
        webhooks_router,
        pathways_router,
        pathway_documents_router,
        credit_bank_pages_router,
        clr_router,
        clr_pages_router,
        # After the credential documents: its /credentials/{id} would otherwise match .json.
        web_router,
        pages_router,
        docs_router,
    ):
        app.include_router(router)
    # Before /static: the more specific mount must match first.
    app.mount(DOCS_ASSETS_URL, docs_assets(), name="docs-assets")
    app.mount("/static", static_files(), name="static")
    install_problem_responses(app)
    return app


# Young collections after 10,000 new objects instead of 700: a verification or an issuance
# allocates thousands, and with 700 every request in flight was walked (and promoted towards
# the full collections) several times over. Measured over one verify bench run, both
# workers: 769 young collections, 182 ms, plus 67 middle ones, 56 ms, with (700, 10, 10);
# 30 young ones, 111 ms (the longest 23 ms), and none in the middle with these.
SERVED_GC_THRESHOLDS = (10_000, 20, 10)


def create_served_app() -> FastAPI:
    """The app of each `learnproof serve` worker: `create_app` warmed up
    (`app.credentials.warmup`: its first requests do not pay for the process's caches), its
    start-up heap frozen and the collector's thresholds at `SERVED_GC_THRESHOLDS`.

    Everything alive once the app has started (modules, contexts, schemas, pools, routes)
    lives as long as the process. Python's full garbage collection walked all of it, about
    250,000 objects: 120-230 ms measured with two workers under load, a pause every request
    in the process waits out, and the first one comes soon after start. Frozen (`gc.freeze`),
    those objects are left out of every collection, and a full one walks only what requests
    left behind (8-11 ms measured). Not for apps built in tests: one process builds many, and
    frozen cycles are never freed.
    """
    return create_app(
        freeze_startup_heap=True, warm_up=True, worker_loads=connection_reuse.joined()
    )
