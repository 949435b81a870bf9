"""The public page of an occupation or industry: what it is, and where to learn for it.

Everything comes from the loaded vocabularies (app/vocabularies) and the achievements issuers
have aligned to the code (app/achievements); the page reads only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from sqlalchemy.orm import Session

from app.achievements import service as achievement_service
from app.achievements.models import Achievement
from app.core.urls import PublicUrls
from app.errors import AppError
from app.frameworks import service as framework_service
from app.issuers import service as issuer_service
from app.occupations.schemas import (
    AchievementRef,
    ConceptPageRead,
    GroupRead,
    LevelRead,
    SkillRead,
)
from app.vocabularies import service as vocabulary_service
from app.vocabularies.schemas import VocabularyRead

MAX_ACHIEVEMENTS: Final = 200


def achievement_refs(
    session: Session, urls: PublicUrls, records: Iterable[Achievement]
) -> list[AchievementRef]:
    refs = []
    issuers: dict[str, tuple[str, str]] = {}
    for record in records:
        if record.issuer_id not in issuers:
            issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
            issuers[record.issuer_id] = (issuer.slug, issuer.name)
        slug, issuer_name = issuers[record.issuer_id]
        refs.append(
            AchievementRef(
                id=record.id,
                url=urls.achievement(slug, record.id),
                name=record.name,
                issuer=slug,
                issuer_name=issuer_name,
                achievement_type=record.achievement_type,
                levels=[_level(session, ref) for ref in record.framework_levels],
                isced_f=record.isced_f,
                credits_available=record.credits_available,
            )
        )
    return refs


def _level(session: Session, ref: dict[str, str]) -> LevelRead:
    try:
        name = framework_service.get_level(session, ref["framework"], ref["level"]).name
    except AppError:  # a framework removed since; the stated codes still say something
        name = f"{ref['framework']} {ref['level']}"
    return LevelRead(framework=ref["framework"], level=ref["level"], name=name)


def concept_page(
    session: Session, urls: PublicUrls, kind: str, scheme: str, code: str
) -> ConceptPageRead:
    target = vocabulary_service.page_target(session, kind, scheme, code)
    concept = target.concept
    parents = [
        GroupRead(
            code=group.code,
            name=group.name,
            level=group.level,
            url=vocabulary_service.concept_url(urls, group.kind, group.scheme, group.code),
        )
        for group in vocabulary_service.ancestors(session, target)
    ]
    isco = concept.extra.get("iscoGroup")
    if scheme == "esco" and isinstance(isco, str) and isco:
        name = concept.extra.get("iscoGroupName")
        parents.append(
            GroupRead(code=f"ISCO-08 {isco}", name=name if isinstance(name, str) else isco, level=4)
        )
    skills = [
        SkillRead(
            code=skill.code,
            name=skill.name,
            relation_type=relation,
            digital=skill.digital,
            green=skill.green,
        )
        for skill, relation in (
            vocabulary_service.skills_of(session, scheme, concept.code)
            if scheme == "esco" and kind == "occupation"
            else []
        )
    ]
    records = achievement_service.aligned_to(
        session, kind, scheme, concept.code, limit=MAX_ACHIEVEMENTS
    )
    tasks = concept.extra.get("tasks")
    return ConceptPageRead(
        **vocabulary_service.read(urls, target).model_dump(),
        vocabulary=VocabularyRead.model_validate(target.vocabulary),
        parents=parents,
        tasks=tasks if isinstance(tasks, str) else None,
        skills=skills,
        achievements=achievement_refs(session, urls, records),
    )
