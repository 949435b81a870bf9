from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.accreditation import service
from app.accreditation.schemas import (
    AccreditationCreate,
    AccreditationRead,
    AccreditorCreate,
    AccreditorRead,
    ExternalAccreditation,
)
from app.auth.dependencies import IssuerAdminDep, PlatformAdminDep
from app.dependencies import ClockDep, KeyRingDep, SessionDep, SettingsDep, UrlsDep

router = APIRouter(prefix="/v1", tags=["Accreditation"])
public_router = APIRouter(tags=["Public documents"])


@router.get("/accreditors", response_model=list[AccreditorRead])
def list_accreditors(settings: SettingsDep, session: SessionDep) -> list[AccreditorRead]:
    """The accrediting bodies this service trusts (setting and API)."""
    return service.trusted_accreditors(session, settings.trusted_accreditors)


@router.post("/accreditors", status_code=201, response_model=AccreditorRead)
def add_accreditor(
    body: AccreditorCreate, clock: ClockDep, session: SessionDep, principal: PlatformAdminDep
) -> AccreditorRead:
    """Trust a DID as an accrediting body (an unbound admin key only)."""
    return service.add_accreditor(session, body, actor=principal.actor, now=clock.now())


@router.post("/issuers/{slug}/accreditations", status_code=201, response_model=AccreditationRead)
def create_accreditation(
    slug: str,
    body: AccreditationCreate,
    settings: SettingsDep,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    keyring: KeyRingDep,
    principal: IssuerAdminDep,
) -> AccreditationRead:
    """Accredit an issuer, as the trusted accrediting body `slug`: a signed credential."""
    return service.create_accreditation(
        session,
        keyring,
        slug,
        body,
        actor=principal.actor,
        now=clock.now(),
        urls=urls,
        configured=settings.trusted_accreditors,
    )


@router.post("/accreditations", status_code=201, response_model=AccreditationRead)
def register_external_accreditation(
    body: ExternalAccreditation,
    settings: SettingsDep,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: PlatformAdminDep,
) -> AccreditationRead:
    """Register an accreditation credential signed by an external trusted accrediting body."""
    return service.register_external(
        session,
        body.credential,
        actor=principal.actor,
        now=clock.now(),
        urls=urls,
        configured=settings.trusted_accreditors,
    )


@router.get("/issuers/{slug}/accreditations", response_model=list[AccreditationRead])
def list_accreditations(slug: str, urls: UrlsDep, session: SessionDep) -> list[AccreditationRead]:
    """Accreditations the accrediting body `slug` has issued (public)."""
    return service.list_accreditations(session, slug, urls=urls)


@public_router.get("/accreditations/{accreditation_id}")
def accreditation_credential(
    accreditation_id: str, urls: UrlsDep, session: SessionDep
) -> JSONResponse:
    """The signed accreditation credential at its stable URL."""
    found = service.read_accreditation(session, accreditation_id, urls=urls)
    return JSONResponse(found.credential, media_type="application/vc+ld+json")
