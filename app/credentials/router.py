from __future__ import annotations

import base64
import itertools
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from app.auth.dependencies import IssueDep, IssuerAdminDep, IssuerIssueDep, IssuerReadDep, ReadDep
from app.core.urls import PublicUrls
from app.credentials import (
    batch_intake,
    batch_jobs,
    reissue,
    service,
    successions,
    vc_api,
)
from app.credentials.models import Credential, JobStatus
from app.credentials.schemas import (
    MAX_BATCH_ITEMS,
    BatchCreate,
    BatchResult,
    BulkReissueAccepted,
    BulkReissueRequest,
    CredentialIssued,
    CredentialPage,
    JobAccepted,
    JobRead,
    ReissueRequest,
)
from app.dependencies import (
    ClockDep,
    KeyRingDep,
    MetricsDep,
    SessionDep,
    SessionmakerDep,
    SettingsDep,
    StatusSessionsDep,
    UrlsDep,
)
from app.errors import BadRequest
from app.guards import UtcQueryDatetime
from app.issuers import service as issuer_service
from app.json_middleware import SpooledBodyDep, file_chunks
from app.proofs.summary import summarise
from app.status.dependencies import ListSigningDep
from app.web.rendering import content_disposition, download_name

router = APIRouter(tags=["Credentials"])
public_router = APIRouter(tags=["Public documents"])


def to_read(
    record: Credential, issuer_slug: str, urls: PublicUrls, links: successions.Links | None = None
) -> CredentialIssued:
    return CredentialIssued(
        id=record.id,
        url=service.credential_url(urls, record.id),
        issuer=issuer_slug,
        achievement_id=record.achievement_id,
        status=record.status,
        status_reason=record.status_reason,
        issued_at=record.issued_at,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        external_id=record.external_id,
        credential=record.document,
        jwt=record.jwt,
        links=service.links(urls, record.id),
        replaced_by=links.replaced_by if links else None,
        replaces=links.replaces if links else None,
    )


def _cursor(value: str | None) -> tuple[datetime, str] | None:
    """Decode a cursor this API returned; anything else is a 400, never a database error."""
    if value is None:
        return None
    try:
        at, ident = base64.urlsafe_b64decode(value.encode()).decode().split("|", 1)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or len(ident) > 36 or "\x00" in ident:
            raise ValueError(value)
        return moment.astimezone(UTC), ident
    except (ValueError, OverflowError):
        raise BadRequest("The cursor is not one this API returned.") from None


@router.get("/v1/issuers/{slug}/credentials", response_model=CredentialPage)
def list_credentials(
    slug: str,
    urls: UrlsDep,
    session: SessionDep,
    principal: IssuerReadDep,
    achievement: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(pattern="^(active|revoked|suspended)$")] = None,
    issued_after: UtcQueryDatetime | None = None,
    issued_before: UtcQueryDatetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CredentialPage:
    """List an issuer's credentials, filtered by achievement, status and issue date."""
    issuer = issuer_service.get_issuer(session, slug)
    records = service.list_credentials(
        session,
        issuer.id,
        achievement_id=achievement,
        status=status,
        issued_after=issued_after,
        issued_before=issued_before,
        cursor=_cursor(cursor),
        limit=limit,
    )
    next_cursor = None
    if len(records) == limit:
        last = records[-1]
        raw = f"{last.issued_at.isoformat()}|{last.id}"
        next_cursor = base64.urlsafe_b64encode(raw.encode()).decode()
    linked = successions.links_of(session, [r.id for r in records])
    return CredentialPage(
        items=[to_read(r, slug, urls, linked[r.id]) for r in records],
        next_cursor=next_cursor,
    )


@router.get("/v1/credentials/{credential_id}", response_model=CredentialIssued)
def get_credential(
    credential_id: str, urls: UrlsDep, session: SessionDep, principal: ReadDep
) -> CredentialIssued:
    """Read a credential, its current status and its signed forms."""
    record = service.get_credential(session, credential_id)
    issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
    principal.require_issuer(issuer.slug)
    linked = successions.links_of(session, [record.id])[record.id]
    return to_read(record, issuer.slug, urls, linked)


@router.post(
    "/v1/credentials/{credential_id}/reissue",
    status_code=201,
    response_model=CredentialIssued,
    responses={409: {"description": "The credential is already revoked or superseded"}},
)
def reissue_credential(
    credential_id: str, body: ReissueRequest, session: SessionDep, keyring: KeyRingDep,
    principal: IssueDep, signing: ListSigningDep, urls: UrlsDep, clock: ClockDep,
    sessions: SessionmakerDep,
) -> CredentialIssued:  # fmt: skip
    """Issue a corrected copy; the old credential is revoked as superseded and points to it."""
    record = service.get_credential(session, credential_id)
    issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
    principal.require_issuer(issuer.slug)
    context = issuer_service.load_context(session, issuer.slug, urls=urls)
    new = reissue.reissue(
        session, keyring, context, record.id, body, now=clock.now(),
        actor=principal.actor, urls=urls,
        status_sessions=sessions, signing=signing,
    )  # fmt: skip
    return to_read(new, issuer.slug, urls, successions.Links(None, record.id))


@router.post(
    "/v1/issuers/{slug}/credentials/reissue",
    status_code=202,
    response_model=BulkReissueAccepted,
    responses={200: {"model": BulkReissueAccepted, "description": "Nothing to re-issue"}},
)
def reissue_signed_with_revoked_keys(
    slug: str, body: BulkReissueRequest, session: SessionDep, principal: IssuerAdminDep,
    urls: UrlsDep, clock: ClockDep,
) -> BulkReissueAccepted | JSONResponse:  # fmt: skip
    """After a key compromise: re-issue, as a job, every live credential a revoked key signed."""
    context = issuer_service.load_context(session, slug, urls=urls)
    job = reissue.create_bulk_job(
        session, context, signing_key=body.signing_key, reason=body.reason,
        now=clock.now(), actor=principal.actor,
    )  # fmt: skip
    if job is None:
        nothing = BulkReissueAccepted(job_id=None, status=JobStatus.done, total=0, status_url=None)
        return JSONResponse(nothing.model_dump(), status_code=200)
    return BulkReissueAccepted(
        job_id=job.id, status=job.status, total=job.total,
        status_url=urls.job(job.id),
    )  # fmt: skip


def _attachment(record: Credential, suffix: str) -> str:
    """``<achievement>-<learner>.<suffix>``, named like the PDF and the badges."""
    summary = summarise(record.document)
    return content_disposition(
        download_name(summary.achievement_name, summary.learner_name, suffix=suffix)
    )


@public_router.get("/credentials/{credential_id}.json")
def credential_json(credential_id: str, session: SessionDep) -> JSONResponse:
    """The credential with its Data Integrity proof (JSON-LD)."""
    record = service.public_credential(session, credential_id)
    return JSONResponse(
        record.document,
        media_type="application/vc+ld+json",
        headers={"Content-Disposition": _attachment(record, "json")},
    )


@public_router.get("/credentials/{credential_id}.jwt")
def credential_jwt(credential_id: str, session: SessionDep) -> Response:
    """The credential as a VC-JOSE-COSE JWT."""
    record = service.public_credential(session, credential_id)
    return Response(
        record.jwt,
        media_type="application/vc+jwt",
        headers={"Content-Disposition": _attachment(record, "jwt")},
    )


@router.post(
    "/credentials/issue",
    status_code=201,
    tags=["VC-API"],
    responses={
        400: {"description": "Malformed credential or issuer mismatch"},
        409: {"description": "This issuer already has a credential with that id"},
        422: {"description": "The credential would not verify, or an option is not supported"},
    },
)
def vc_api_issue(
    body: vc_api.IssueRequest,
    session: SessionDep,
    keyring: KeyRingDep,
    principal: IssueDep,
    urls: UrlsDep,
    clock: ClockDep,
) -> JSONResponse:
    """VC-API issue: sign the posted credential as this API key's issuer."""
    try:
        slug = issuer_service.slug_for_did(session, body.credential.get("issuer"), urls=urls)
    except BadRequest:
        if principal.issuer_slug is None:
            raise
        slug = principal.issuer_slug  # vc_api.issue then names the DID this key signs as
    principal.require_issuer(slug)
    context = issuer_service.load_context(session, slug, urls=urls)
    signed = vc_api.issue(
        session,
        keyring,
        context,
        body,
        now=clock.now(),
        actor=principal.actor,
        urls=urls,
    )
    return JSONResponse({"verifiableCredential": signed}, status_code=201)


@router.post(
    "/v1/issuers/{slug}/credentials/batch",
    response_model=BatchResult,
    responses={202: {"model": JobAccepted, "description": "More than 1,000 items: a job"}},
    # The body is spooled and read item by item (app/credentials/batch_intake.py), not parsed
    # whole by FastAPI; its schema is still the one published.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BatchCreate.model_json_schema()}},
        }
    },
)
def issue_batch(
    slug: str,
    # First: the body is spooled before any dependency takes a database connection.
    body: SpooledBodyDep,
    session: SessionDep,
    keyring: KeyRingDep,
    principal: IssuerIssueDep,
    settings: SettingsDep,
    urls: UrlsDep,
    clock: ClockDep,
    status_sessions: StatusSessionsDep,
    metrics: MetricsDep,
) -> BatchResult | JSONResponse:
    """Issue many credentials: up to 1,000 inline, more as a background job (202)."""
    context = issuer_service.load_context(session, slug, urls=urls)
    now = clock.now()
    incoming = batch_intake.items(file_chunks(body))
    items = batch_intake.first(incoming, settings.batch_inline_items)
    if len(items) > settings.batch_inline_items:
        job = batch_jobs.create_job(
            session, context, itertools.chain(items, incoming), now=now, actor=principal.actor,
            chunk_items=settings.batch_chunk_items,
        )  # fmt: skip
        accepted = JobAccepted(
            job_id=job.id, status=job.status, total=job.total,
            status_url=urls.job(job.id),
        )  # fmt: skip
        return JSONResponse(accepted.model_dump(), status_code=202)
    results = batch_jobs.issue_items(
        session, keyring, context, items, first_index=0, now=now,
        actor=principal.actor, urls=urls,
        status_sessions=status_sessions,
    )  # fmt: skip
    failed = sum(1 for r in results if "error" in r)
    metrics.credentials_issued.inc(len(results) - failed)
    return BatchResult(issued=len(results) - failed, failed=failed, results=results)


@router.get("/v1/jobs/{job_id}", response_model=JobRead)
def get_job(
    job_id: str,
    session: SessionDep,
    principal: ReadDep,
    offset: Annotated[int, Query(ge=0, le=MAX_BATCH_ITEMS)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
) -> JobRead:
    """Progress and per-item results of a batch job (results paged by offset)."""
    job = batch_jobs.get_job(session, job_id)
    issuer = issuer_service.get_issuer_by_id(session, job.issuer_id)
    principal.require_issuer(issuer.slug)
    page, next_offset = batch_jobs.results_page(session, job, offset=offset, limit=limit)
    return JobRead(
        job_id=job.id, issuer=issuer.slug, kind=job.kind, status=job.status, total=job.total,
        done=job.done_count, failed=job.failed_count, created_at=job.created_at,
        finished_at=job.finished_at, results=page, next_offset=next_offset,
    )  # fmt: skip
