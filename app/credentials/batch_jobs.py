"""Batch issuance: small batches inline, larger ones as a background job.

How many items are issued inline, and how many a job issues per transaction, are settings
(``LEARNPROOF_BATCH_INLINE_ITEMS``, ``LEARNPROOF_BATCH_CHUNK_ITEMS``).

A batch is issued a chunk at a time (``chunk``): shared work is done once, and one bad
item is reported without touching the others. A job's items are stored (per chunk) before
the 202 answer; a worker claims the job with a short lease that a heartbeat renews while
the worker lives (several instances can run workers against one PostgreSQL: ``SKIP LOCKED``
and the lease keep them apart), and commits each chunk of credentials together with the
job's progress, so a crash repeats no item and loses none, and another worker resumes a
dead one's job within ``LEASE`` instead of minutes later.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from app.core.clock import Clock
from app.core.daemon import DaemonLoop
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import chunk, reissue
from app.credentials.models import IssueJob, IssueJobChunk, JobStatus
from app.errors import NotFound
from app.issuers import service as issuer_service
from app.issuers.service import IssuerContext
from app.issuers.signing import KeyRing
from app.webhooks import events as webhook_events

# A live worker renews its lease every HEARTBEAT_SECONDS; a dead one stops renewing, and its
# job is free again LEASE later. The chunk in progress also holds the job's row lock on
# PostgreSQL, so a worker stalled longer than the lease is never overlapped mid-chunk.
LEASE = timedelta(seconds=15)
HEARTBEAT_SECONDS = 5.0
log = logging.getLogger("learnproof.jobs")


# Inline batches and job chunks issue the same way: in the caller's transaction, one result
# per item, a failed item reported without touching the others (``chunk`` shares the work).
issue_items = chunk.issue_chunk


def create_job(
    session: Session, context: IssuerContext, items: Iterable[dict[str, Any]], *, now: datetime,
    actor: str, chunk_items: int,
) -> IssueJob:  # fmt: skip
    """A pending job for ``items``, taken from the iterable as they come (a body being
    parsed item by item): each chunk row is written as soon as its items are in, so only one
    chunk's items are held at a time."""
    job = IssueJob(
        id=new_id(),
        issuer_id=context.issuer.id,
        actor=actor,
        status=JobStatus.pending,
        total=0,
        done_count=0,
        failed_count=0,
        # Items live in chunk rows (one per ``chunk_items`` items): a worker reads and writes one
        # chunk, never the whole job, so a 50,000-item job costs no more per chunk than a
        # small one.
        items=[],
        results=[],
        created_at=now,
    )
    session.add(job)
    session.flush()
    # Core INSERTs: ORM objects would stay in the session, holding every chunk's items.
    insert_chunk = insert(IssueJobChunk)
    pending = iter(items)
    while part := list(itertools.islice(pending, chunk_items)):
        session.execute(insert_chunk, [{"job_id": job.id, "start": job.total, "items": part}])
        job.total += len(part)
    session.flush()
    return job


def get_job(session: Session, job_id: str) -> IssueJob:
    job = session.get(IssueJob, job_id)
    if job is None:
        raise NotFound(f"No job has the id '{job_id}'.")
    return job


def results_page(
    session: Session, job: IssueJob, *, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """Results of items ``offset`` to ``offset + limit`` (those issued so far), and the next
    offset when more results exist; reads only the chunk rows of that range."""
    end = offset + limit
    # The chunk holding ``offset`` starts at or before it (chunk sizes may have changed since).
    first = (
        select(func.max(IssueJobChunk.start))
        .where(IssueJobChunk.job_id == job.id, IssueJobChunk.start <= offset)
        .scalar_subquery()
    )
    rows = session.execute(
        select(IssueJobChunk.results)
        .where(
            IssueJobChunk.job_id == job.id,
            IssueJobChunk.start < end,
            IssueJobChunk.start >= func.coalesce(first, 0),
            IssueJobChunk.results.is_not(None),
        )
        .order_by(IssueJobChunk.start)
    ).scalars()
    page = [r for results in rows if results for r in results if offset <= r["index"] < end]
    available = job.done_count
    if not page and job.results:
        # A job stored before chunk rows existed.
        page, available = job.results[offset:end], len(job.results)
    return page, end if end < available else None


def _claim(session: Session, worker: str, now: datetime) -> IssueJob | None:
    query = (
        select(IssueJob)
        .where(
            IssueJob.status != JobStatus.done,
            or_(
                IssueJob.claimed_until.is_(None),
                IssueJob.claimed_until < now,
                IssueJob.claimed_by == worker,
            ),
        )
        .order_by(IssueJob.created_at, IssueJob.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job = session.scalar(query)
    if job is not None:
        job.claimed_by, job.claimed_until, job.status = worker, now + LEASE, JobStatus.running
    return job


def renew_lease(factory: sessionmaker[Session], job_id: str, *, worker: str, now: datetime) -> bool:
    """Extend this worker's lease on a job; False once the job is done or another has it."""
    with factory() as session:
        query = select(IssueJob).where(IssueJob.id == job_id)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job = session.scalar(query)
        if job is None:
            # Locked by our own chunk in progress, which renews the lease as it commits.
            return True
        if job.claimed_by != worker or job.status == JobStatus.done:
            return False
        job.claimed_until = now + LEASE
        session.commit()
        return True


class Heartbeat(DaemonLoop):
    """Calls ``renew`` every ``interval`` seconds on a daemon thread until stopped or refused."""

    def __init__(self, renew: Callable[[], bool], interval: float) -> None:
        self._renew, self._interval = renew, interval
        super().__init__("learnproof-lease")

    def __enter__(self) -> Heartbeat:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                if not self._renew():
                    return  # the lease is gone: the chunk loop notices and stops too
            except Exception:
                log.exception("renewing a job lease failed; retrying at the next beat")


def run_next_job(
    factory: sessionmaker[Session], keyring: KeyRing, clock: Clock, *, worker: str,
    urls: PublicUrls, chunk_items: int, stop: Callable[[], bool] = lambda: False,
    heartbeat_seconds: float | None = None,
) -> bool:  # fmt: skip
    """Work one job to the end (chunk by chunk); False when there was nothing to do.

    ``heartbeat_seconds`` renews the lease from a thread of its own (the JobWorker's
    setting); without it the lease is renewed only as each chunk commits.
    """
    with factory() as session:
        job = _claim(session, worker, clock.now())
        session.commit()
        if job is None:
            return False
        job_id = job.id
    if heartbeat_seconds is None:
        return _work(
            factory, keyring, clock, job_id, worker=worker, urls=urls,
            chunk_items=chunk_items, stop=stop,
        )  # fmt: skip

    def renew() -> bool:
        return renew_lease(factory, job_id, worker=worker, now=clock.now())

    with Heartbeat(renew, heartbeat_seconds):
        return _work(
            factory, keyring, clock, job_id, worker=worker, urls=urls,
            chunk_items=chunk_items, stop=stop,
        )  # fmt: skip


def _work(
    factory: sessionmaker[Session], keyring: KeyRing, clock: Clock, job_id: str, *,
    worker: str, urls: PublicUrls, chunk_items: int, stop: Callable[[], bool],
) -> bool:  # fmt: skip
    while not stop():
        with factory() as session:
            job = session.get(IssueJob, job_id, with_for_update=True)
            if job is None or job.status == JobStatus.done or job.claimed_by != worker:
                return True
            issuer = issuer_service.get_issuer_by_id(session, job.issuer_id)
            context = issuer_service.load_context(session, issuer.slug, urls=urls)
            start = job.done_count
            stored = session.get(IssueJobChunk, (job.id, start))
            # Re-issue jobs, and jobs accepted before chunk rows existed, keep their items
            # on the job row.
            chunk = stored.items if stored is not None else job.items[start : start + chunk_items]
            now = clock.now()
            run_items = reissue.reissue_items if job.kind == "reissue" else issue_items
            results = run_items(
                session, keyring, context, chunk, first_index=start, now=now,
                actor=job.actor, urls=urls, status_sessions=factory,
            )  # fmt: skip
            if stored is not None:
                stored.results = results
            else:
                job.results = [*job.results, *results]
            job.done_count = start + len(chunk)
            job.failed_count += sum(1 for r in results if "error" in r)
            job.claimed_until = clock.now() + LEASE  # from the chunk's end, not its start
            if job.done_count >= job.total:
                job.status, job.finished_at = JobStatus.done, now
                _emit_finished(session, job, context.issuer.slug, urls, now)
            session.commit()
            if job.status == JobStatus.done:
                return True
    return True


def _emit_finished(
    session: Session, job: IssueJob, slug: str, urls: PublicUrls, now: datetime
) -> None:
    data = {
        "job_id": job.id, "kind": job.kind, "issuer": slug, "status": job.status,
        "total": job.total,
        "done": job.done_count, "failed": job.failed_count,
        "status_url": urls.job(job.id),
    }  # fmt: skip
    webhook_events.emit(
        session, issuer_id=job.issuer_id, event_type="job.finished", data=data, now=now
    )


class JobWorker(DaemonLoop):
    """A daemon thread that runs pending batch jobs of this instance's database."""

    def __init__(
        self, factory: sessionmaker[Session], keyring: KeyRing, clock: Clock, *, urls: PublicUrls,
        chunk_items: int, poll_seconds: float = 1.0,
    ) -> None:  # fmt: skip
        self._factory, self._keyring, self._clock = factory, keyring, clock
        self._urls, self._chunk_items, self._poll = urls, chunk_items, poll_seconds
        self.worker_id = f"worker-{uuid.uuid4().hex[:12]}"
        super().__init__("learnproof-jobs")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = run_next_job(
                    self._factory, self._keyring, self._clock, worker=self.worker_id,
                    urls=self._urls, chunk_items=self._chunk_items,
                    stop=self._stop.is_set,
                    heartbeat_seconds=HEARTBEAT_SECONDS,
                )  # fmt: skip
            except Exception:
                log.exception("batch job failed; it will be retried after its lease")
                busy = False
            if not busy:
                self._stop.wait(self._poll)
