"""Server-rendered pages (credential page, verify page) and the portable proof downloads."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from app.achievements import service as achievement_service
from app.auth.dependencies import ReadDep
from app.core.budget import WorkBudget, run_within
from app.credentials import service as credential_service
from app.credentials import successions
from app.credentials.models import Credential
from app.dependencies import ClockDep, SessionDep, UrlsDep, VerificationStateDep
from app.errors import InvalidInput, NotFound, ServiceUnavailable, TooManyRequests
from app.proofs.extract import ExtractionError, extract_credential
from app.proofs.fonts import UnprintableText
from app.proofs.payload import MAX_FILE_BYTES
from app.proofs.summary import summarise
from app.verification.dependencies import VerifierDep
from app.web import credit_bank, downloads, i18n, pages, service
from app.web.i18n import gettext as _
from app.web.negotiation import wants_json
from app.web.reasons import translate
from app.web.rendering import (
    SVG_CSP,
    download_headers,
    download_name,
    render_page,
    with_inline_style,
)
from app.web.schemas import CredentialPublicRead, PublicPageRead, PublicPageUpdate
from app.web.verifying import printed_meaning, verify

router = APIRouter(tags=["Credentials"])
pages_router = APIRouter(tags=["Pages"])

# Files one submission of the verify page may carry (each is verified, so it is bounded).
MAX_FILES = 20
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such credential, or its issuer made it private"}
}


def too_large_page(detail: str) -> tuple[bytes, dict[str, str]]:
    """The verify page explaining an upload over the body limit (for browsers)."""
    megabytes = MAX_FILE_BYTES // 1_000_000
    message = _("The file is too large to verify here: at most {megabytes} MB is accepted.")
    message = message.format(megabytes=megabytes)
    response = render_page("verify.html", status_code=413, **pages.verify_page(error=message))
    return bytes(response.body), {
        k: v for k, v in response.headers.items() if k != "content-length" and k != "content-type"
    }


def _download(tag: str, media_type: str, filename: str, content: bytes | str, csp: str) -> Response:
    headers = {**download_headers(filename, csp=csp), "ETag": tag}
    return Response(content, media_type=media_type, headers=headers)


def _filename(record: Credential, suffix: str) -> str:
    """Named after the achievement and the learner, as people file certificates."""
    summary = summarise(record.document)
    return download_name(summary.achievement_name, summary.learner_name, suffix=suffix)


def _fresh(request: Request, tag: str) -> Response | None:
    """A 304 when the browser already holds this exact file."""
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    return None


@pages_router.get(
    "/credentials/{credential_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **_NOT_FOUND},
)
def credential_pdf(
    credential_id: str, request: Request, session: SessionDep, urls: UrlsDep
) -> Response:
    """The PDF certificate, carrying the signed credential as attached files."""
    record = credential_service.public_credential(session, credential_id)
    brand = achievement_service.branding(session, record.issuer_id, record.achievement_id)
    # The certificate's own words follow the page language; each language is its own file,
    # and a change of the issuer's look is a new file too.
    tag = downloads.etag(record, f"pdf-{i18n.current()}-{brand.fingerprint}")
    fresh = _fresh(request, tag)
    if fresh is not None:
        fresh.headers["Vary"] = "Accept-Language"
        return fresh
    try:
        content = downloads.certificate_pdf(
            record,
            page_url=credential_service.links(urls, record.id).page,
            verify_url=urls.verify_page,
            meaning=printed_meaning(session, urls, record.document),
            branding=brand,
        )
    except UnprintableText as error:
        # Better no certificate than one with a learner's name in replacement boxes.
        raise InvalidInput(str(error)) from None
    response = _download(
        tag,
        "application/pdf",
        _filename(record, "pdf"),
        content,
        csp="default-src 'none'; frame-ancestors 'none'",
    )
    response.headers["Vary"] = "Accept-Language"
    return response


@pages_router.get(
    "/credentials/{credential_id}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **_NOT_FOUND},
)
def credential_png(credential_id: str, request: Request, session: SessionDep) -> Response:
    """The badge as a PNG with the credential baked in (Open Badges 3.0)."""
    record = credential_service.public_credential(session, credential_id)
    tag = downloads.etag(record, "png")
    return _fresh(request, tag) or _download(
        tag, "image/png", _filename(record, "png"), downloads.badge_png(record), SVG_CSP
    )


@pages_router.get(
    "/credentials/{credential_id}.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **_NOT_FOUND},
)
def credential_svg(credential_id: str, request: Request, session: SessionDep) -> Response:
    """The badge as an SVG with the credential baked in (Open Badges 3.0)."""
    record = credential_service.public_credential(session, credential_id)
    tag = downloads.etag(record, "svg")
    return _fresh(request, tag) or _download(
        tag, "image/svg+xml", _filename(record, "svg"), downloads.badge_svg(record), SVG_CSP
    )


@pages_router.get(
    "/credentials/{credential_id}",
    # Documents the JSON form; HTML is the default and is listed beside it.
    response_model=CredentialPublicRead,
    responses={200: {"content": {"text/html": {}}}, **_NOT_FOUND},
)
def credential_page(
    credential_id: str,
    request: Request,
    session: SessionDep,
    verifier: VerifierDep,
    urls: UrlsDep,
    clock: ClockDep,
    state: VerificationStateDep,
) -> Response:
    """The credential page: HTML for people, ``{credential, status, links}`` for JSON clients."""
    as_json = wants_json(request.headers.get("accept"))
    try:
        record = credential_service.public_credential(session, credential_id)
    except NotFound:
        if as_json:
            raise
        return render_page("not_found.html", status_code=404)
    links = credential_service.links(urls, record.id)
    successor = successions.successor_of(session, record.id)
    replaced_by = credential_service.credential_url(urls, successor) if successor else None
    now = clock.now()
    expired = record.valid_until is not None and record.valid_until <= now
    if as_json:
        body = CredentialPublicRead(
            credential=record.document, status=record.status, links=links, expired=expired,
            valid_until=record.valid_until, replaced_by=replaced_by,
        )  # fmt: skip
        return JSONResponse(
            body.model_dump(mode="json", by_alias=True),
            headers={"X-Content-Type-Options": "nosniff", "Vary": "Accept"},
        )
    # Public and unauthenticated: bounded like any verification request.
    limits = state.limits
    budget = WorkBudget(cpu_seconds=limits.cpu_seconds, wall_seconds=limits.wall_seconds)
    verification = run_within(budget, lambda: verify(verifier, record.document))
    brand = achievement_service.branding(session, record.issuer_id, record.achievement_id)
    context = pages.credential_page(
        record, links, verification, expired=expired,
        successor_path=f"/credentials/{successor}" if successor else None, brand=brand,
    )  # fmt: skip
    clr = credit_bank.clr_link(session, record.id)
    if clr is not None:
        context["downloads"].append(
            pages.Download(
                _("Learner record (CLR 2.0)"),
                clr,
                _("this award with every credential it rests on"),
            )
        )
    response = render_page("credential.html", **context)
    if context["brand_style"]:
        response.headers["Content-Security-Policy"] = with_inline_style(context["brand_style"])
    response.headers["Vary"] = "Accept"
    return response


@pages_router.get("/", response_class=HTMLResponse)
def landing(session: SessionDep) -> HTMLResponse:
    """The front door: what the service is, and where to verify, read the docs and frameworks."""
    return render_page("index.html", **service.landing(session))


@pages_router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """The site icon (also linked from every page)."""
    return FileResponse(
        service.FAVICON,
        media_type="image/x-icon",
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@pages_router.get("/verify", response_class=HTMLResponse)
def verify_form(pathway: Annotated[str, Query(max_length=36)] = "") -> HTMLResponse:
    """The verification page: paste a credential or upload files (optionally for a pathway)."""
    return render_page("verify.html", **pages.verify_page(pathway=pathway))


@pages_router.post(
    "/verify",
    response_class=HTMLResponse,
    responses={
        429: {"description": "Too many verifications from this address"},
        503: {"description": "The verifier is busy; retry after Retry-After"},
    },
)
async def verify_submission(
    request: Request,
    verifier: VerifierDep,
    session: SessionDep,
    urls: UrlsDep,
    clock: ClockDep,
    state: VerificationStateDep,
    credential: Annotated[str, Form(max_length=MAX_FILE_BYTES)] = "",
    # An unused file input arrives as an empty string, not as a file.
    file: Annotated[list[UploadFile | str] | None, File()] = None,
    pathway: Annotated[str, Form(max_length=36)] = "",
) -> HTMLResponse:
    """Verify a pasted credential or uploaded files; with a pathway, evaluate them for it."""
    inputs = [
        (await item.read(MAX_FILE_BYTES + 1), _("the file {name}").format(name=item.filename))
        for item in (file or [])[: MAX_FILES + 1]
        if not isinstance(item, str) and item.filename
    ]
    if credential.strip() or not inputs:
        inputs.append((credential.encode("utf-8"), _("the pasted credential")))
    inputs = [(data, source) for data, source in inputs if data.strip()]

    def page(status: int, error: str) -> HTMLResponse:
        context = pages.verify_page(pasted=credential, error=error, pathway=pathway)
        return render_page("verify.html", status_code=status, **context)

    if not inputs:
        return page(400, _("Paste a credential or choose a file, then press Verify."))
    if len(inputs) > MAX_FILES:
        return page(422, _("Choose at most {count} files at a time.").format(count=MAX_FILES))
    client = request.client.host if request.client else "unknown"
    wait = state.limiter.take(client, cost=len(inputs))
    if wait:
        message = _("Too many verifications from your address; try again in {seconds} s.")
        message = message.format(seconds=math.ceil(wait))
        response = page(429, message)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response

    def work() -> HTMLResponse:
        results, payloads, labels = [], [], []
        for data, source in inputs:
            try:
                payload = extract_credential(data)
            except ExtractionError as error:
                if len(inputs) == 1:
                    return page(422, translate(str(error)))
                results.append(pages.unreadable_result(source, translate(str(error))))
                continue
            results.append(pages.verify_result(verify(verifier, payload), source, payload))
            payloads.append(payload)
            labels.append(source)
        evaluation = None
        if pathway.strip() and payloads:
            try:
                evaluation = credit_bank.evaluation_view(
                    session,
                    verifier,
                    pathway.strip(),
                    payloads,
                    labels=labels,
                    now=clock.now(),
                    urls=urls,
                )
            except NotFound:
                return page(404, _("No pathway has the id '{id}'.").format(id=pathway.strip()))
        context = pages.verify_page(
            pasted=credential, results=results, evaluation=evaluation, pathway=pathway
        )
        return render_page("verify.html", **context)

    # The same pool, budget and per-client CPU bucket as the verification API.
    try:
        return await state.pool.run(request, state.limits, work)
    except (TooManyRequests, ServiceUnavailable) as refused:
        # The API's detail names settings for operators; the page says what to do.
        busy = isinstance(refused, ServiceUnavailable)
        seconds = refused.headers.get("Retry-After", "2")
        message = (
            _("The verifier is busy; try again in a few seconds.")
            if busy
            else _("Too many verifications from your address; try again in {seconds} s.")
        )
        response = page(refused.status, message.format(seconds=seconds))
        response.headers.update(refused.headers)
        return response


@router.post(
    "/v1/credentials/{credential_id}/page",
    response_model=PublicPageRead,
    responses={403: {"description": "The key may not act for this credential's issuer"}},
)
def set_public_page(
    credential_id: str,
    body: PublicPageUpdate,
    clock: ClockDep,
    session: SessionDep,
    principal: ReadDep,
) -> PublicPageRead:
    """Show or hide the credential's public page and downloads (issue or revoke scope)."""
    return service.set_public_page(
        session,
        credential_id,
        public=body.public,
        principal=principal,
        now=clock.now(),
    )
