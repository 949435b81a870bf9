"""Credit bank pages: a pathway in plain words, and its evaluation on the verify page.

Here rather than in ``app/pathways`` so the dependency points one way (web → pathways): the
pages use the pathway services, never the reverse.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.core.negotiation import prefers
from app.core.urls import PublicUrls
from app.dependencies import ClockDep, SessionDep, UrlsDep
from app.errors import NotFound
from app.issuers import service as issuer_service
from app.pathways import awards, evaluating, rules, service
from app.pathways.presenting import Presented
from app.pathways.schemas import PathwayRead
from app.verification.service import Verifier
from app.web.i18n import gettext as _
from app.web.rendering import render_page

router = APIRouter(tags=["Pages"])


@router.get(
    "/pathways/{pathway_id}",
    response_model=PathwayRead,
    responses={200: {"content": {"text/html": {}}}, 404: {"description": "No such pathway"}},
)
def pathway_page(
    pathway_id: str, request: Request, session: SessionDep, urls: UrlsDep, clock: ClockDep
) -> Response:
    """The pathway in plain words: HTML for people, JSON for clients that ask for it."""
    as_json = prefers(request.headers.get("accept"), ["application/json"], ["text/html"])
    try:
        record = service.get_pathway(session, pathway_id)
    except NotFound:
        if as_json:
            raise
        return render_page("pathway_not_found.html", status_code=404)
    read = service.pathway_read(session, record, urls=urls)
    if as_json:
        return JSONResponse(
            read.model_dump(mode="json"),
            headers={"X-Content-Type-Options": "nosniff", "Vary": "Accept"},
        )
    issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
    response = render_page(
        "pathway.html",
        pathway=read,
        issuer_name=issuer.name,
        rules=rules.describe_rules(session, record, now=clock.now()),
    )
    response.headers["Vary"] = "Accept"
    return response


def evaluation_view(
    session: Session,
    verifier: Verifier,
    pathway_id: str,
    payloads: list[Any],
    *,
    labels: list[str],
    now: Any,
    urls: PublicUrls,
) -> dict[str, Any]:
    """What the verify page shows for a pathway: the sentence, each requirement, each file."""
    record = service.get_pathway(session, pathway_id)
    evaluated = evaluating.evaluate(
        session, verifier, record, Presented(credentials=payloads), now=now, urls=urls
    )
    body = evaluating.to_json(evaluated, urls=urls)
    return {
        "pathway_id": record.id,
        "pathway_name": record.name,
        "met": body["met"],
        "summary": body["summary"],
        "requirements": [
            {"text": item["text"], "met": item["met"]} for item in body["requirements"]
        ],
        "credentials": [
            {
                "label": _("{source}, included credential {number}").format(
                    source=labels[item["input"]], number=item["included"]
                )
                if item["included"]
                else labels[item["input"]],
                "counted": item["counted"],
                "credits": item["credits"],
                "reason": item["reason"],
            }
            for item in body["credentials"]
        ],
    }


def clr_link(session: Session, credential_id: str) -> str | None:
    """The learner record's download link when this credential is a pathway award."""
    found = awards.award_for_credential(session, credential_id)
    return f"/clr/{found.clr_credential_id}" if found and found.clr_credential_id else None
