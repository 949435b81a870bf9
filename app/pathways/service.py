"""Pathways: define them (validated, bounded, free of cycles), read them, describe them.

Requirements name achievements, framework levels and ISCED-F fields; the lookups here check
them against the registry while the pure parser (``requirements.py``) walks the tree, so a
malformed or unknown part is a 422 naming its JSON path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.achievements import service as achievement_service
from app.achievements.models import Achievement
from app.audit import service as audit_service
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.errors import AppError, InvalidInput, NotFound
from app.frameworks import service as frameworks_service
from app.issuers import service as issuer_service
from app.issuers.models import Issuer
from app.pathways import requirements
from app.pathways.models import Pathway
from app.pathways.requirements import Lookups, Node, RequirementError
from app.pathways.schemas import PathwayCreate, PathwayRead

# How far the cycle search follows pathways through the achievements they require.
MAX_CYCLE_SEARCH: Final = 10_000
_URL_SCHEMES: Final = ("http://", "https://", "urn:", "did:")


def pathway_url(urls: PublicUrls, pathway_id: str) -> str:
    return urls.pathway(pathway_id)


class RegistryLookups:
    """Lookups against the database, cached for one request."""

    def __init__(self, session: Session, urls: PublicUrls) -> None:
        self.session = session
        self.urls = urls
        self._levels: dict[tuple[str, str], requirements.Level] = {}
        self._ordinals: dict[tuple[str, str], int | None] = {}

    def lookups(self) -> Lookups:
        return Lookups(achievement=self.achievement, level=self.level, isced_f=self.isced_f)

    def achievement(self, value: str, field: str) -> requirements.Achievement:
        ident = self.urls.parse_achievement(value)
        if ident is None and ":" not in value:
            ident = value
        if ident is None:
            if not value.startswith(_URL_SCHEMES) or any(c.isspace() for c in value):
                raise RequirementError(
                    "must be the id of an achievement of this service or an absolute "
                    "achievement URL (http, https, urn or did)",
                    field,
                )
            return requirements.Achievement(url=value, label=value)
        record = self.session.get(Achievement, ident)
        if record is None:
            raise RequirementError(f"no achievement has the id '{ident}'", field)
        issuer = issuer_service.get_issuer_by_id(self.session, record.issuer_id)
        url = self.urls.achievement(issuer.slug, record.id)
        return requirements.Achievement(url=url, label=record.name)

    def level(self, framework: str, level: str, field: str) -> requirements.Level:
        cached = self._levels.get((framework, level))
        if cached is not None:
            return cached
        try:
            row = frameworks_service.get_level(self.session, framework, level, field=field)
        except AppError as error:
            raise RequirementError(error.detail, field) from None
        found = requirements.Level(
            framework=framework,
            level=level,
            ordinal=row.ordinal,
            label=f"{framework.upper()} level {level}",
        )
        self._levels[(framework, level)] = found
        return found

    def ordinal(self, framework: str, level: str) -> int | None:
        """The ordinal of a level; None when the registry does not know it."""
        if (framework, level) not in self._ordinals:
            try:
                found: int | None = self.level(framework, level, "level").ordinal
            except RequirementError:
                found = None
            self._ordinals[(framework, level)] = found
        return self._ordinals[(framework, level)]

    def isced_f(self, code: str, field: str) -> str:
        try:
            return frameworks_service.get_isced_field(self.session, code, field=field).name
        except AppError as error:
            raise RequirementError(error.detail, field) from None


def _invalid(error: RequirementError) -> InvalidInput:
    return InvalidInput(f"'{error.field}' {error.message}.", field=error.field)


def parse_requirements(
    session: Session, value: Any, *, urls: PublicUrls, registry: RegistryLookups | None = None
) -> Node:
    registry = registry or RegistryLookups(session, urls)
    try:
        tree = requirements.parse(value, registry.lookups())
        requirements.check_names(tree)
    except RequirementError as error:
        raise _invalid(error) from None
    return tree


def _refuse_cycles(session: Session, tree: Node, target_url: str) -> list[str]:
    """The achievement URLs ``tree`` requires; InvalidInput when one leads back to the target."""
    for node in tree.walk():
        if node.achievement is not None and node.achievement.url == target_url:
            raise InvalidInput(
                f"'{node.path}.achievement' is the pathway's own target achievement: a "
                "pathway cannot require what it awards.",
                field=f"{node.path}.achievement",
            )
    required = sorted(requirements.achievement_urls(tree))
    # Follow pathways that award a required achievement to what they require in turn.
    frontier, seen = set(required), set(required)
    while frontier and len(seen) < MAX_CYCLE_SEARCH:
        rows = session.execute(
            select(Pathway.name, Pathway.required_achievements).where(
                Pathway.target_achievement_url.in_(sorted(frontier)[:500])
            )
        ).all()
        frontier = set()
        for name, needed in rows:
            if target_url in needed:
                raise InvalidInput(
                    "The requirements form a cycle: they need an achievement awarded by the "
                    f"pathway '{name}', which itself (directly or through others) needs this "
                    "pathway's target achievement.",
                    field="requirements",
                )
            frontier |= set(needed) - seen
            seen |= set(needed)
    return required


def create_pathway(
    session: Session,
    issuer: Issuer,
    body: PathwayCreate,
    *,
    now: datetime,
    actor: str,
    urls: PublicUrls,
) -> Pathway:
    try:
        target = achievement_service.get_achievement(session, issuer, body.target_achievement_id)
    except NotFound as error:
        raise InvalidInput(error.detail, field="target_achievement_id") from None
    target_url = urls.achievement(issuer.slug, target.id)
    tree = parse_requirements(session, body.requirements, urls=urls)
    required = _refuse_cycles(session, tree, target_url)
    record = Pathway(
        id=new_id(),
        issuer_id=issuer.id,
        name=body.name,
        description=body.description,
        target_achievement_id=target.id,
        target_achievement_url=target_url,
        required_achievements=required,
        # Stored in the shape given (a list stays a list), so error paths stay the same.
        requirements=(
            [member.to_json() for member in tree.members]
            if isinstance(body.requirements, list)
            else tree.to_json()
        ),
        min_credits=body.min_credits,
        created_at=now,
    )
    session.add(record)
    session.flush()
    audit_service.record(
        session,
        actor=actor,
        action="pathway.created",
        now=now,
        issuer_slug=issuer.slug,
        details={"pathway_id": record.id, "name": record.name},
    )
    return record


def get_pathway(session: Session, pathway_id: str) -> Pathway:
    record = session.get(Pathway, pathway_id) if len(pathway_id) <= 36 else None
    if record is None:
        raise NotFound(f"No pathway has the id '{pathway_id}'.")
    return record


def get_issuer_pathway(session: Session, issuer: Issuer, pathway_id: str) -> Pathway:
    record = session.get(Pathway, pathway_id) if len(pathway_id) <= 36 else None
    if record is None or record.issuer_id != issuer.id:
        raise NotFound(f"Issuer '{issuer.slug}' has no pathway '{pathway_id}'.")
    return record


def list_pathways(session: Session, issuer: Issuer) -> list[Pathway]:
    return list(
        session.scalars(
            select(Pathway)
            .where(Pathway.issuer_id == issuer.id)
            .order_by(Pathway.created_at, Pathway.id)
        )
    )


def load_tree(
    session: Session, record: Pathway, *, urls: PublicUrls, registry: RegistryLookups | None = None
) -> Node:
    """The stored requirements as a tree (they were valid when stored, and stay so)."""
    return parse_requirements(session, record.requirements, urls=urls, registry=registry)


def summary_lines(tree: Node, min_credits: float | None) -> list[str]:
    """The requirements in plain words, one line per top-level requirement."""
    lines = [member.text() for member in tree.members] if tree.kind == "all" else [tree.text()]
    if min_credits is not None:
        lines.append(f"at least {min_credits:g} credits in all")
    return lines


def pathway_read(session: Session, record: Pathway, *, urls: PublicUrls) -> PathwayRead:
    issuer = issuer_service.get_issuer_by_id(session, record.issuer_id)
    target = session.get(Achievement, record.target_achievement_id)
    tree = load_tree(session, record, urls=urls)
    return PathwayRead(
        id=record.id,
        url=pathway_url(urls, record.id),
        issuer=issuer.slug,
        name=record.name,
        description=record.description,
        target_achievement_id=record.target_achievement_id,
        target_achievement_url=record.target_achievement_url,
        target_achievement_name=target.name if target else "",
        requirements=record.requirements,
        min_credits=record.min_credits,
        summary=summary_lines(tree, record.min_credits),
        created_at=record.created_at,
    )
