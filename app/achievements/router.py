from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.achievements import service
from app.achievements.models import Achievement
from app.achievements.schemas import (
    AchievementBrandingUpdate,
    AchievementCreate,
    AchievementRead,
)
from app.auth.dependencies import IssuerIssueDep, IssuerReadDep
from app.core.urls import PublicUrls
from app.dependencies import ClockDep, SessionDep, SettingsDep, UrlsDep
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.issuers.schemas import BRANDING_FIELDS

router = APIRouter(prefix="/v1/issuers/{slug}/achievements", tags=["Achievements"])
public_router = APIRouter(tags=["Public documents"])

OB_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def _read(
    urls: PublicUrls, session: SessionDep, issuer: Issuer, record: Achievement
) -> AchievementRead:
    return AchievementRead(
        id=record.id,
        url=urls.achievement(issuer.slug, record.id),
        issuer=issuer.slug,
        name=record.name,
        description=record.description,
        achievement_type=record.achievement_type,
        framework_levels=record.framework_levels,
        isced_f=record.isced_f,
        credits_available=record.credits_available,
        occupations=service.target_refs(session, record, "occupation"),
        industries=service.target_refs(session, record, "industry"),
        suspendable=record.suspendable,
        valid_for=record.valid_for,
        **{name: getattr(record, name) for name in BRANDING_FIELDS},
        created_at=record.created_at,
        achievement=service.achievement_document(session, issuer, record, urls=urls),
    )


@router.post("", status_code=201, response_model=AchievementRead)
def create_achievement(
    slug: str,
    body: AchievementCreate,
    settings: SettingsDep,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: IssuerIssueDep,
) -> AchievementRead:
    """Define an achievement; framework levels, ISCED-F field and credits are validated."""
    issuer = issuer_service.get_issuer(session, slug)
    record = service.create_achievement(
        session,
        issuer,
        body,
        now=clock.now(),
        actor=principal.actor,
        urls=urls,
    )
    return _read(urls, session, issuer, record)


@router.get("", response_model=list[AchievementRead])
def list_achievements(
    slug: str, urls: UrlsDep, session: SessionDep, principal: IssuerReadDep
) -> list[AchievementRead]:
    """List the issuer's achievements."""
    issuer = issuer_service.get_issuer(session, slug)
    return [_read(urls, session, issuer, r) for r in service.list_achievements(session, issuer)]


@router.get("/{achievement_id}", response_model=AchievementRead)
def get_achievement(
    slug: str,
    achievement_id: str,
    urls: UrlsDep,
    session: SessionDep,
    principal: IssuerReadDep,
) -> AchievementRead:
    """Read one achievement."""
    issuer = issuer_service.get_issuer(session, slug)
    return _read(urls, session, issuer, service.get_achievement(session, issuer, achievement_id))


@router.patch("/{achievement_id}", response_model=AchievementRead)
def update_achievement_branding(
    slug: str,
    achievement_id: str,
    body: AchievementBrandingUpdate,
    urls: UrlsDep,
    clock: ClockDep,
    session: SessionDep,
    principal: IssuerIssueDep,
) -> AchievementRead:
    """Change how this achievement's certificates look (colour, signatory, images); null
    falls back to the issuer's. What it certifies cannot change: credentials carry it signed."""
    issuer = issuer_service.get_issuer(session, slug)
    record = service.update_branding(
        session, issuer, achievement_id, body, now=clock.now(), actor=principal.actor
    )
    return _read(urls, session, issuer, record)


@public_router.get("/issuers/{slug}/achievements/{achievement_id}")
def achievement_json_ld(
    slug: str, achievement_id: str, urls: UrlsDep, session: SessionDep
) -> dict[str, Any]:
    """The public Open Badges 3.0 Achievement (the `id` URL inside credentials)."""
    issuer = issuer_service.get_issuer(session, slug)
    record = service.get_achievement(session, issuer, achievement_id)
    document = service.achievement_document(session, issuer, record, urls=urls)
    return {"@context": OB_CONTEXTS, **document}
