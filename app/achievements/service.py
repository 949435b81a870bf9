"""Achievement definitions: validated against the framework registry, emitted as OB 3.0."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements.builder import (
    FieldAlignment,
    LevelAlignment,
    TargetAlignment,
    build_achievement,
)
from app.achievements.models import Achievement, AchievementTarget
from app.achievements.schemas import AchievementBrandingUpdate, AchievementCreate, Skill
from app.audit import service as audit_service
from app.core.cache import LruCache
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.errors import InvalidInput, NotFound
from app.frameworks import service as frameworks_service
from app.issuers.models import Issuer
from app.issuers.schemas import BRANDING_FIELDS
from app.proofs.branding import Branding
from app.proofs.summary import text
from app.vocabularies import service as vocabulary_service


@dataclass(frozen=True)
class _Reference:
    """What an achievement's document takes from reference data: level and field names and
    its occupation and industry references, none of which changes once written.

    Frameworks are create-only (a second import of a code is refused; nothing updates or
    deletes a level), the ISCED-F fields are fixed by the migrations, and an achievement's
    targets are written with it and never changed. So they are read from the database once
    per achievement and process (three statements per issuance fewer); what does change
    (the vocabularies' concepts, reloadable) is still looked up every time.
    """

    levels: tuple[tuple[str, str, str, str], ...]  # framework code and name, level code and name
    field: tuple[str, str] | None
    targets: tuple[tuple[str, str, str], ...]  # kind, scheme, code


# Per engine, so that two databases in one process (tests) never share an entry.
_REFERENCES: Final[weakref.WeakKeyDictionary[object, LruCache[tuple[Any, ...], _Reference]]] = (
    weakref.WeakKeyDictionary()
)
_REFERENCES_LOCK: Final = threading.Lock()


def _reference(session: Session, record: Achievement) -> _Reference:
    bind = session.get_bind()
    with _REFERENCES_LOCK:
        cache = _REFERENCES.get(bind)
        if cache is None:
            cache = _REFERENCES[bind] = LruCache(4096)
    # The row's own references are part of the key: an id alone would do, but this costs
    # nothing and leaves no doubt about which row an entry was read for.
    key = (record.id, tuple(tuple(sorted(ref.items())) for ref in record.framework_levels),
           record.isced_f)  # fmt: skip
    found = cache.get(key)
    if found is None:
        found = _Reference(
            levels=tuple(_level_names(session, record)),
            field=_field_name(session, record),
            targets=tuple(
                (row.kind, row.scheme, row.code)
                for row in session.scalars(
                    select(AchievementTarget)
                    .where(
                        AchievementTarget.achievement_id == record.id,
                        AchievementTarget.kind != "skill",
                    )
                    .order_by(AchievementTarget.position)
                )
            ),
        )
        cache.put(key, found)
    return found


def _level_names(session: Session, record: Achievement) -> list[tuple[str, str, str, str]]:
    names = []
    for ref in record.framework_levels:
        level = frameworks_service.get_level(session, ref["framework"], ref["level"])
        framework = level.framework
        names.append((framework.code, framework.name, level.code, level.name))
    return names


def _field_name(session: Session, record: Achievement) -> tuple[str, str] | None:
    if record.isced_f is None:
        return None
    field = frameworks_service.get_isced_field(session, record.isced_f)
    return field.code, field.name


def _levels(reference: _Reference, urls: PublicUrls) -> list[LevelAlignment]:
    return [
        LevelAlignment(
            framework_code=framework_code,
            framework_name=framework_name,
            level_code=level_code,
            level_name=level_name,
            url=frameworks_service.level_url(urls, framework_code, level_code),
        )
        for framework_code, framework_name, level_code, level_name in reference.levels
    ]


def _field(reference: _Reference, urls: PublicUrls) -> FieldAlignment | None:
    if reference.field is None:
        return None
    code, name = reference.field
    return FieldAlignment(code=code, name=name, url=urls.isced_field(code))


def _description(target: vocabulary_service.Target) -> str | None:
    """Says in the credential itself that an occupation is digital or green (CSCO markers)."""
    flags = vocabulary_service.flags_text(target.concept)
    if flags is None or target.kind != "occupation":
        return None
    marks = "、".join(
        name
        for name, on in (("数字职业", target.concept.digital), ("绿色职业", target.concept.green))
        if on
    )
    return f"{target.vocabulary.label}: {marks} ({flags})"


def _targets(session: Session, reference: _Reference, urls: PublicUrls) -> list[TargetAlignment]:
    out = []
    for kind, scheme, code in reference.targets:
        found = vocabulary_service.find(session, kind, scheme, code)
        if found is None:  # the vocabulary was reloaded without this code since
            framework, name, description = scheme, code, None
        else:
            framework, name = found.vocabulary.label, found.concept.name
            description = _description(found)
        out.append(
            TargetAlignment(
                kind=kind,
                code=code,
                name=name,
                framework=framework,
                url=vocabulary_service.concept_url(urls, kind, scheme, code),
                description=description,
            )
        )
    return out


def _resolve(
    session: Session, data: AchievementCreate
) -> tuple[list[vocabulary_service.Target], list[dict[str, Any]]]:
    """Every referenced occupation, industry and ESCO skill, or a 422 naming scheme and code."""
    targets = [
        vocabulary_service.require(
            session, "occupation", ref.scheme, ref.code, field=f"occupations[{index}]"
        )
        for index, ref in enumerate(data.occupations)
    ]
    targets += [
        vocabulary_service.require(
            session, "industry", ref.scheme, ref.code, field=f"industries[{index}]"
        )
        for index, ref in enumerate(data.industries)
    ]
    skills = []
    for index, skill in enumerate(data.skills):
        if skill.scheme is None:
            skills.append(skill.model_dump(mode="json", exclude_none=True))
            continue
        found = vocabulary_service.require(
            session, "skill", skill.scheme, skill.code or "", field=f"skills[{index}]"
        )
        targets.append(found)
        skills.append(_coded_skill(skill, found))
    keys = [(t.kind, t.concept.scheme, t.concept.code) for t in targets]
    if len(set(keys)) != len(keys):
        raise InvalidInput("An occupation, industry or skill is listed twice.", field="occupations")
    return targets, skills


def _coded_skill(skill: Skill, found: vocabulary_service.Target) -> dict[str, Any]:
    return {
        "scheme": found.concept.scheme,
        "code": found.concept.code,
        "name": skill.name or found.concept.name,
        "url": found.concept.code,
        "framework": found.vocabulary.label,
    }


def create_achievement(
    session: Session,
    issuer: Issuer,
    data: AchievementCreate,
    *,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> Achievement:
    targets, skills = _resolve(session, data)
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
        skills=skills,
        result_descriptions=[r.model_dump(exclude_none=True) for r in data.result_descriptions],
        framework_levels=[ref.model_dump() for ref in data.framework_levels],
        isced_f=data.isced_f,
        credits_available=data.credits_available,
        suspendable=data.suspendable,
        valid_for=data.valid_for,
        **{name: getattr(data, name) for name in BRANDING_FIELDS},
        created_at=now,
    )
    # Refuse unknown frameworks, levels and fields before anything is stored.
    _level_names(session, record)
    _field_name(session, record)
    session.add(record)
    session.flush()
    session.add_all(
        AchievementTarget(
            achievement_id=record.id,
            position=position,
            kind=target.kind,
            scheme=target.concept.scheme,
            code=target.concept.code,
        )
        for position, target in enumerate(targets)
    )
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


def update_branding(
    session: Session,
    issuer: Issuer,
    achievement_id: str,
    data: AchievementBrandingUpdate,
    *,
    now: datetime,
    actor: str,
) -> Achievement:
    """Set (or with null, clear back to the issuer's) the look of this achievement's proofs."""
    record = get_achievement(session, issuer, achievement_id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(record, name, value)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="achievement.branding_updated",
        now=now,
        issuer_slug=issuer.slug,
        details={"achievement_id": record.id, "fields": sorted(changes)},
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
    session: Session, issuer: Issuer, record: Achievement, *, urls: PublicUrls
) -> dict[str, Any]:
    reference = _reference(session, record)
    return build_achievement(
        record,
        url=urls.achievement(issuer.slug, record.id),
        levels=_levels(reference, urls),
        field=_field(reference, urls),
        targets=_targets(session, reference, urls),
    )


def target_refs(session: Session, record: Achievement, kind: str) -> list[dict[str, str]]:
    """The achievement's {scheme, code} references of one kind, in stated order."""
    rows = session.scalars(
        select(AchievementTarget)
        .where(AchievementTarget.achievement_id == record.id, AchievementTarget.kind == kind)
        .order_by(AchievementTarget.position)
    )
    return [{"scheme": row.scheme, "code": row.code} for row in rows]


def aligned_to(
    session: Session, kind: str, scheme: str, code: str | list[str], *, limit: int
) -> list[Achievement]:
    """Achievements that state this occupation, industry or skill (or any of these codes),
    newest first, bounded."""
    codes = [code] if isinstance(code, str) else code
    matching = (
        select(AchievementTarget.achievement_id)
        .where(
            AchievementTarget.kind == kind,
            AchievementTarget.scheme == scheme,
            AchievementTarget.code.in_(codes),
        )
        .distinct()
    )
    return list(
        session.scalars(
            select(Achievement)
            .where(Achievement.id.in_(matching))
            .order_by(Achievement.created_at.desc(), Achievement.id)
            .limit(limit)
        )
    )


def branding(session: Session, issuer_id: str, achievement_id: str | None) -> Branding:
    """How a credential's proofs look: the achievement's fields, else its issuer's."""
    issuer = session.get(Issuer, issuer_id)
    record = session.get(Achievement, achievement_id) if achievement_id else None
    if issuer is None:
        return Branding()

    def pick(name: str) -> str | None:
        own = getattr(record, name) if record is not None else None
        value: str | None = own if own is not None else getattr(issuer, name)
        return value

    logo = issuer.image if issuer.image and issuer.image.startswith("data:") else None
    return Branding(
        colour=pick("brand_color"),
        logo=logo,
        # Names are shown like credential text: no control or bidi-override characters.
        signatory_name=text(pick("signatory_name"), 200),
        signatory_title=text(pick("signatory_title"), 200),
        signature=pick("signature_image"),
        background=pick("background_image"),
    )
