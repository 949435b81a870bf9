"""Referencing reports: a framework's levels related to a reference framework's (EQF, AQRF),
with evidence for every criterion of the reference framework's criteria set.

A report is checked by the frameworks lint, stored as data, turned into linkages that carry
its status, and published as a credential signed by the registry issuer with a revocation
entry. Withdrawing a report revokes that credential and turns its linkages from official
into proposed, which the next verification report shows.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.credentials import lifecycle as status_changes
from app.credentials import service as credential_service
from app.credentials import vc_api
from app.credentials.models import CredentialStatus
from app.errors import Conflict, InvalidInput, NotFound
from app.frameworks import repository as framework_repository
from app.frameworks import service as framework_service
from app.frameworks import validation as framework_validation
from app.frameworks.meta import load_criteria_sets
from app.frameworks.models import FrameworkLinkage, ReferencingReport
from app.issuers.signing import KeyRing
from app.referencing.registry_issuer import registry_context
from app.referencing.schemas import CriteriaSetRead, ReportRead
from app.status import service as status_service

V2: Final = "https://www.w3.org/ns/credentials/v2"
# Our report terms, defined inline so every term is covered by the signature and no
# context has to be fetched (the vocabulary is the one the level pages use).
REPORT_CONTEXT: Final = {"@vocab": "urn:learnproof:vocab:framework#"}
CREDENTIAL_TYPE: Final = "ReferencingReportCredential"


def criteria_sets() -> list[CriteriaSetRead]:
    return [CriteriaSetRead(code=code, **body) for code, body in load_criteria_sets().items()]


def create_report(
    session: Session,
    keyring: KeyRing,
    framework_code: str,
    body: object,
    *,
    actor: str,
    now: datetime,
    urls: PublicUrls,
) -> ReportRead:
    """Check, store and publish a report; 422 with every lint finding when it has errors."""
    framework = framework_service.framework_or_404(session, framework_code)
    if not isinstance(body, dict):
        raise InvalidInput("A referencing report must be a JSON object.", field="$")
    if body.get("framework", framework_code) != framework_code:
        raise InvalidInput(
            f"The report names framework {body.get('framework')!r} but is posted to "
            f"'{framework_code}'.",
            field="$.framework",
        )
    document: dict[str, Any] = {**copy.deepcopy(body), "framework": framework_code}
    document.setdefault("level_table", [])
    document.setdefault("criteria", [])
    findings = framework_service.lint_document(session, document)
    if framework_validation.errors_of(findings):
        raise framework_validation.invalid_document(findings, kind="referencing report")
    target = framework_service.get_framework(session, document["target"], field="$.target")
    report = ReferencingReport(
        id=new_id(),
        framework_id=framework.id,
        target_framework_id=target.id,
        status=document["status"],
        approved_on=document["approved_on"],
        document=document,
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    session.flush()
    url = urls.referencing_report(report.id)
    levels = {level.code: level for level in framework.levels}
    targets = {level.code: level for level in target.levels}
    for row in document["level_table"]:
        source, goal = levels[row["level"]], targets[row["target_level"]]
        linkage = framework_repository.linkage_between(session, source.id, goal.id)
        if linkage is None:
            linkage = FrameworkLinkage(
                id=new_id(),
                source_level_id=source.id,
                target_level_id=goal.id,
                created_at=now,
            )
            session.add(linkage)
        # The report now stands behind the linkage, whoever stated it before.
        linkage.relation = row["relation"]
        linkage.source = url
        linkage.report_id = report.id
    session.flush()
    context = registry_context(session, keyring, urls=urls, now=now, actor=actor)
    signed = vc_api.issue(
        session,
        keyring,
        context,
        vc_api.IssueRequest(credential=_credential(document, context.did, url, now)),
        now=now,
        actor=actor,
        urls=urls,
    )
    report.credential_id = str(signed["id"]).rsplit("/", 1)[-1]
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="framework.referencing_report_published",
        now=now,
        details={"report": report.id, "framework": framework_code, "target": target.code},
    )
    return _read(session, report, framework_code, target.code, urls)


def read_report(session: Session, report_id: str, *, urls: PublicUrls) -> ReportRead:
    report = framework_repository.report_by_id(session, report_id)
    if report is None:
        raise NotFound(f"No referencing report has the id '{report_id}'.")
    document = report.document
    return _read(session, report, document["framework"], document["target"], urls)


def list_reports(session: Session, framework_code: str, *, urls: PublicUrls) -> list[ReportRead]:
    framework = framework_service.framework_or_404(session, framework_code)
    return [
        _read(session, report, framework_code, report.document["target"], urls)
        for report in framework_repository.reports_of(session, framework.id)
    ]


def withdraw_report(
    session: Session,
    framework_code: str,
    report_id: str,
    *,
    reason: str,
    actor: str,
    now: datetime,
    urls: PublicUrls,
    signing: status_service.ListSigning | None = None,
) -> ReportRead:
    """Withdraw a report: its credential is revoked and its linkages become proposed."""
    report = framework_repository.report_by_id(session, report_id)
    if report is None or report.document.get("framework") != framework_code:
        raise NotFound(f"Framework '{framework_code}' has no referencing report '{report_id}'.")
    if report.status == "withdrawn":
        raise Conflict(f"Referencing report '{report_id}' is already withdrawn.")
    report.status = "withdrawn"
    report.updated_at = now
    if report.credential_id is not None:
        credential = credential_service.get_credential(session, report.credential_id)
        if credential.status != CredentialStatus.revoked:
            status_changes.change_status(
                session, credential, "revoke", reason=reason, now=now, actor=actor, signing=signing
            )
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="framework.referencing_report_withdrawn",
        now=now,
        details={"report": report_id, "framework": framework_code, "reason": reason},
    )
    return read_report(session, report_id, urls=urls)


def _credential(
    document: dict[str, Any], issuer_did: str, url: str, now: datetime
) -> dict[str, Any]:
    subject = {
        "id": url,
        "type": "ReferencingReport",
        "framework": document["framework"],
        "target": document["target"],
        "criteriaSet": document.get("criteria_set", document["target"]),
        "status": document["status"],
        "approvedBy": document["approved_by"],
        "approvedOn": document["approved_on"],
        "criteria": [
            {"criterion": c["id"], "statement": c["statement"], "evidence": list(c["evidence"])}
            for c in document["criteria"]
        ],
        "levelTable": [
            {
                "level": row["level"],
                "targetLevel": row["target_level"],
                "relation": row["relation"],
                "justification": row["justification"],
            }
            for row in document["level_table"]
        ],
    }
    if document.get("report_url"):
        subject["reportUrl"] = document["report_url"]
    return {
        "@context": [V2, REPORT_CONTEXT],
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer_did,
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": document.get("title")
        or f"Referencing report of {document['framework']} to {document['target']}",
        "credentialSubject": subject,
    }


def _read(
    session: Session, report: ReferencingReport, framework: str, target: str, urls: PublicUrls
) -> ReportRead:
    credential = (
        credential_service.get_credential(session, report.credential_id)
        if report.credential_id
        else None
    )
    return ReportRead(
        id=report.id,
        framework=framework,
        target=target,
        status=report.status,
        approved_on=report.approved_on,
        url=urls.referencing_report(report.id),
        report=report.document,
        credential=credential.document if credential else None,
        credential_status=credential.status if credential else None,
        created_at=report.created_at,
        updated_at=report.updated_at,
    )
