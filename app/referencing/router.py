from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from app.auth.dependencies import PlatformAdminDep
from app.dependencies import ClockDep, KeyRingDep, SessionDep, UrlsDep
from app.referencing import service
from app.referencing.schemas import CriteriaSetRead, ReportRead, WithdrawRequest
from app.status.dependencies import ListSigningDep

router = APIRouter(prefix="/v1", tags=["Referencing reports"])

ReportBody = Annotated[
    dict[str, Any],
    Body(
        description="{target, criteria_set?, criteria: [{id, statement, evidence: [URL]}], "
        "level_table: [{level, target_level, relation, justification}], approved_by, "
        "approved_on, status: official | proposed | withdrawn, title?, report_url?}",
    ),
]


@router.get("/referencing-criteria", response_model=list[CriteriaSetRead])
def list_criteria_sets() -> list[CriteriaSetRead]:
    """The referencing criteria sets reports are checked against (EQF: 10, AQRF: 11)."""
    return service.criteria_sets()


@router.post(
    "/frameworks/{code}/referencing-reports",
    status_code=201,
    response_model=ReportRead,
    responses={422: {"description": "The report has lint errors (all listed as findings)"}},
)
def create_report(
    code: str,
    body: ReportBody,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    keyring: KeyRingDep,
    principal: PlatformAdminDep,
) -> ReportRead:
    """Publish a referencing report as data and as a credential signed by the registry."""
    return service.create_report(
        session,
        keyring,
        code,
        body,
        actor=principal.actor,
        now=clock.now(),
        urls=urls,
    )


@router.get("/frameworks/{code}/referencing-reports", response_model=list[ReportRead])
def list_reports(code: str, urls: UrlsDep, session: SessionDep) -> list[ReportRead]:
    """The referencing reports of a framework, oldest first."""
    return service.list_reports(session, code, urls=urls)


@router.get("/referencing-reports/{report_id}", response_model=ReportRead)
def get_report(report_id: str, urls: UrlsDep, session: SessionDep) -> ReportRead:
    """A referencing report with its signed credential (its stable public URL)."""
    return service.read_report(session, report_id, urls=urls)


@router.post(
    "/frameworks/{code}/referencing-reports/{report_id}/withdraw", response_model=ReportRead
)
def withdraw_report(
    code: str,
    report_id: str,
    body: WithdrawRequest,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: PlatformAdminDep,
    signing: ListSigningDep,
) -> ReportRead:
    """Withdraw a report: its credential is revoked, its linkages become proposed."""
    return service.withdraw_report(
        session,
        code,
        report_id,
        reason=body.reason,
        actor=principal.actor,
        now=clock.now(),
        urls=urls,
        signing=signing,
    )
