"""Credit bank endpoints: pathways, their public page, evaluation and awards."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.auth.dependencies import IssuerIssueDep, IssuerReadDep, IssuerRevokeDep
from app.credentials import lifecycle
from app.credentials import service as credential_service
from app.dependencies import ClockDep, KeyRingDep, SessionDep, UrlsDep, VerificationStateDep
from app.errors import NotFound
from app.issuers import service as issuer_service
from app.pathways import awards, evaluating, presenting, rules, service
from app.pathways.schemas import (
    AwardCreate,
    AwardRead,
    EvaluationRead,
    PathwayCreate,
    PathwayRead,
    RuleRevoke,
    TransferRuleCreate,
    TransferRuleRead,
)
from app.status.dependencies import ListSigningDep
from app.verification.dependencies import RawBody, VerifierDep

router = APIRouter(tags=["Credit bank"])
pages_router = APIRouter(tags=["Public documents"])

_PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


@router.post("/v1/issuers/{slug}/pathways", status_code=201, response_model=PathwayRead)
def create_pathway(
    slug: str,
    body: PathwayCreate,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: IssuerIssueDep,
) -> PathwayRead:
    """Define a pathway: the requirements that earn the target achievement."""
    issuer = issuer_service.get_issuer(session, slug)
    record = service.create_pathway(
        session,
        issuer,
        body,
        now=clock.now(),
        actor=principal.actor,
        urls=urls,
    )
    return service.pathway_read(session, record, urls=urls)


@router.get("/v1/issuers/{slug}/pathways", response_model=list[PathwayRead])
def list_pathways(
    slug: str, urls: UrlsDep, session: SessionDep, principal: IssuerReadDep
) -> list[PathwayRead]:
    """List an issuer's pathways."""
    issuer = issuer_service.get_issuer(session, slug)
    return [
        service.pathway_read(session, record, urls=urls)
        for record in service.list_pathways(session, issuer)
    ]


@router.get("/v1/pathways/{pathway_id}", response_model=PathwayRead)
def read_pathway(pathway_id: str, urls: UrlsDep, session: SessionDep) -> PathwayRead:
    """A pathway and its requirements (public)."""
    record = service.get_pathway(session, pathway_id)
    return service.pathway_read(session, record, urls=urls)


@router.post(
    "/v1/pathways/{pathway_id}/evaluate",
    response_model=EvaluationRead,
    responses={
        404: {"description": "No such pathway", **_PROBLEM},
        413: {"description": "The body is too large or too deep", **_PROBLEM},
        429: {"description": "Too many credentials from this client", **_PROBLEM},
    },
)
def evaluate_pathway(
    pathway_id: str,
    request: Request,
    urls: UrlsDep,
    clock: ClockDep,
    raw: RawBody,
    session: SessionDep,
    verifier: VerifierDep,
    state: VerificationStateDep,
) -> dict[str, Any]:
    """Evaluate up to 100 credentials (or a presentation) against a pathway (public)."""
    record = service.get_pathway(session, pathway_id)
    presented = presenting.read_request(raw)
    client = request.client.host if request.client else "unknown"
    presenting.take_budget(client, state, len(presented.credentials))
    evaluated = evaluating.evaluate(
        session,
        verifier,
        record,
        presented,
        now=clock.now(),
        urls=urls,
    )
    return evaluating.to_json(evaluated, urls=urls)


@router.post("/v1/issuers/{slug}/transfer-rules", status_code=201, response_model=TransferRuleRead)
def create_transfer_rule(
    slug: str,
    body: TransferRuleCreate,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    keyring: KeyRingDep,
    principal: IssuerIssueDep,
) -> TransferRuleRead:
    """Publish a transfer rule toward one of the issuer's pathways, as a signed credential."""
    context = issuer_service.load_context(session, slug, urls=urls)
    record = rules.create_rule(
        session,
        keyring,
        context,
        body,
        now=clock.now(),
        actor=principal.actor,
        urls=urls,
    )
    rule, credential = rules.get_rule(session, record.id)
    return rules.rule_read(rule, credential, urls=urls)


@router.get("/v1/transfer-rules/{rule_id}", response_model=TransferRuleRead)
def read_transfer_rule(rule_id: str, urls: UrlsDep, session: SessionDep) -> TransferRuleRead:
    """A transfer rule, its status and its signed credential (public)."""
    rule, credential = rules.get_rule(session, rule_id)
    return rules.rule_read(rule, credential, urls=urls)


@pages_router.get("/transfer-rules/{rule_id}", response_model=dict[str, Any])
def transfer_rule_document(rule_id: str, session: SessionDep) -> JSONResponse:
    """The signed transfer rule credential (its ``id`` URL dereferences here)."""
    _rule, credential = rules.get_rule(session, rule_id)
    return JSONResponse(
        credential.document,
        media_type="application/vc+ld+json",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )


@router.post("/v1/issuers/{slug}/transfer-rules/{rule_id}/revoke", response_model=TransferRuleRead)
def revoke_transfer_rule(
    slug: str,
    rule_id: str,
    body: RuleRevoke,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: IssuerRevokeDep,
    signing: ListSigningDep,
) -> TransferRuleRead:
    """Revoke a transfer rule: it stops counting in every evaluation from now on."""
    issuer = issuer_service.get_issuer(session, slug)
    rule, credential = rules.get_rule(session, rule_id)
    if rule.issuer_id != issuer.id:
        raise NotFound(f"Issuer '{slug}' has no transfer rule '{rule_id}'.")
    lifecycle.change_status(
        session,
        credential,
        "revoke",
        reason=body.reason,
        now=clock.now(),
        actor=principal.actor,
        signing=signing,
    )
    rule, credential = rules.get_rule(session, rule_id)
    return rules.rule_read(rule, credential, urls=urls)


@router.post(
    "/v1/issuers/{slug}/pathways/{pathway_id}/award",
    status_code=201,
    response_model=AwardRead,
    responses={
        200: {"model": AwardRead, "description": "Already awarded: the same credential"},
        422: {"description": "The pathway is not met; the body carries the evaluation"},
    },
)
def award_pathway(
    slug: str,
    pathway_id: str,
    body: AwardCreate,
    request: Request,
    urls: UrlsDep,
    clock: ClockDep,
    response: Response,
    session: SessionDep,
    keyring: KeyRingDep,
    verifier: VerifierDep,
    state: VerificationStateDep,
    principal: IssuerIssueDep,
) -> AwardRead:
    """Award the pathway's qualification to a learner whose credentials meet it, once."""
    issuer = issuer_service.get_issuer(session, slug)
    pathway = service.get_issuer_pathway(session, issuer, pathway_id)
    client = request.client.host if request.client else "unknown"
    presenting.take_budget(client, state, len(body.credentials))
    context = issuer_service.load_context(session, slug, urls=urls)
    awarded = awards.award(
        session,
        keyring,
        context,
        verifier,
        pathway,
        body.recipient,
        body.credentials,
        now=clock.now(),
        actor=principal.actor,
        urls=urls,
    )
    if awarded.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    record = awarded.award
    return AwardRead(
        id=record.id,
        pathway_id=record.pathway_id,
        credential_id=record.credential_id,
        url=credential_service.credential_url(urls, record.credential_id),
        credential=awarded.credential.document,
        clr_url=urls.clr(record.clr_credential_id) if record.clr_credential_id else None,
        credits=record.credits,
        counted=record.counted,
        created_at=record.created_at,
        evaluation=evaluating.to_json(awarded.evaluation, urls=urls)
        if awarded.evaluation
        else None,
    )
