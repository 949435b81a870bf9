"""CLR 2.0 endpoints: issue a learner record, and download one."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.auth.dependencies import IssuerIssueDep
from app.clr import service
from app.clr.schemas import ClrCreate, ClrRead
from app.dependencies import ClockDep, KeyRingDep, SessionDep, UrlsDep
from app.issuers import service as issuer_service
from app.verification.dependencies import VerifierDep

router = APIRouter(tags=["Credit bank"])
pages_router = APIRouter(tags=["Public documents"])


@router.post("/v1/issuers/{slug}/clr", status_code=201, response_model=ClrRead)
def issue_clr(
    slug: str,
    body: ClrCreate,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    keyring: KeyRingDep,
    verifier: VerifierDep,
    principal: IssuerIssueDep,
) -> ClrRead:
    """Package verified credentials of one learner in a signed ClrCredential (CLR 2.0)."""
    context = issuer_service.load_context(session, slug, urls=urls)
    record = service.issue_clr(
        session,
        keyring,
        context,
        verifier,
        body,
        now=clock.now(),
        actor=principal.actor,
        urls=urls,
    )
    return ClrRead(
        id=record.id,
        url=urls.clr(record.id),
        credential=record.document,
        included=service.included_ids(record.document),
    )


@pages_router.get("/clr/{clr_id}", response_model=dict[str, object])
def clr_document(clr_id: str, session: SessionDep) -> JSONResponse:
    """A learner record (its id is unguessable; whoever has the link may read it)."""
    record = service.get_clr(session, clr_id)
    return JSONResponse(
        record.document,
        media_type="application/vc+ld+json",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
            "Content-Disposition": f'attachment; filename="clr-{record.id}.json"',
            "Referrer-Policy": "no-referrer",
        },
    )
