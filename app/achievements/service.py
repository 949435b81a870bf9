"""Achievement definitions: validated against the framework registry, emitted as OB 3.0."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements.builder import (
    FieldAlignment,
    LevelAlignment,
    achievement_url,
    build_achievement,
)
from app.achievements.models import Achievement
from app.achievements.schemas import AchievementCreate
from app.audit import service as audit_service
from app.core.ids import new_id
from app.errors import NotFound
from app.frameworks import service as frameworks_service
from app.issuers.models import Issuer


def _levels(session: Session, record: Achievement, public_url: str) -> list[LevelAlignment]:
    levels = []
    for ref in record.framework_levels:
        level = frameworks_service.get_level(session, ref["framework"], ref["level"])
        framework = level.framework
        levels.append(
            LevelAlignment(
                framework_code=framework.code,
                framework_name=framework.name,
                level_code=level.code,
                level_name=level.name,
                url=frameworks_service.level_url(public_url, framework.code, level.code),
            )
        )
    return levels


def _field(session: Session, record: Achievement, public_url: str) -> FieldAlignment | None:
    if record.isced_f is None:
        return None
    field = frameworks_service.get_isced_field(session, record.isced_f)
    return FieldAlignment(
        code=field.code, name=field.name, url=f"{public_url}/v1/isced-f/{field.code}"
    )


def create_achievement(
    session: Session,
    issuer: Issuer,
    data: AchievementCreate,
    *,
    now: datetime,
    actor: str,
    public_url: str,
) -> Achievement:
    record = Achievement(
        id=new_id(),
        issuer_id=issuer.id,
        name=data.name,
        description=data.description,
        criteria_narrative=data.criteria.narrative,
        criteria_url=str(data.criteria.id) if data.criteria.id else None,
        achievement_type=data.achievement_type,
        image=str(data.image) if data.image else None,
        tags=list(data.tags),
        skills=[s.model_dump(mode="json", exclude_none=True) for s in data.skills],
        result_descriptions=[r.model_dump(exclude_none=True) for r in data.result_descriptions],
        framework_levels=[ref.model_dump() for ref in data.framework_levels],
        isced_f=data.isced_f,
        credits_available=data.credits_available,
        suspendable=data.suspendable,
        valid_for=data.valid_for,
        created_at=now,
    )
    # Refuse unknown frameworks, levels and fields before anything is stored.
    _levels(session, record, public_url)
    _field(session, record, public_url)
    session.add(record)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="achievement.created",
        now=now,
        issuer_slug=issuer.slug,
        details={"achievement_id": record.id, "name": record.name},
    )
    return record


def get_achievement(session: Session, issuer: Issuer, achievement_id: str) -> Achievement:
    record = session.get(Achievement, achievement_id)
    if record is None or record.issuer_id != issuer.id:
        raise NotFound(f"Issuer '{issuer.slug}' has no achievement '{achievement_id}'.")
    return record


def list_achievements(session: Session, issuer: Issuer) -> list[Achievement]:
    return list(
        session.scalars(
            select(Achievement)
            .where(Achievement.issuer_id == issuer.id)
            .order_by(Achievement.created_at, Achievement.id)
        )
    )


def achievement_document(
    session: Session, issuer: Issuer, record: Achievement, *, public_url: str
) -> dict[str, Any]:
    return build_achievement(
        record,
        url=achievement_url(public_url, issuer.slug, record.id),
        levels=_levels(session, record, public_url),
        field=_field(session, record, public_url),
    )
