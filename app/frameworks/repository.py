"""Queries of the framework registry; no business rules, no commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, String, column, select, table
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from app.frameworks.findings import RegistryView, StatedLink
from app.frameworks.models import (
    FrameworkLevel,
    FrameworkLinkage,
    IscedField,
    QualificationFramework,
    ReferencingReport,
)

# The report's credential is a row of the credentials package, which builds on this one; its
# status (revoked through any route) is read by id through a lightweight table, not the model.
_credential = table("credential", column("id", String), column("status", String))


class LinkageRow(NamedTuple):
    """A linkage by codes: what the API shows and the equivalence graph walks."""

    framework: str
    level: str
    target_framework: str
    target_level: str
    relation: str
    source: str
    created_at: datetime
    # Linkages derived from a referencing report carry its id, status and approval date.
    report_id: str | None = None
    report_status: str | None = None
    report_approved_on: str | None = None
    report_credential_status: str | None = None

    @property
    def report_revoked(self) -> bool:
        return self.report_credential_status == "revoked"

    @property
    def label(self) -> str:
        """``official`` only when an official referencing report, whose credential is not
        revoked, stands behind it."""
        official = self.report_status == "official" and not self.report_revoked
        return "official" if official else "proposed"


def framework_by_code(session: Session, code: str) -> QualificationFramework | None:
    """The framework with its levels loaded, in ordinal order."""
    return session.scalar(
        select(QualificationFramework)
        .where(QualificationFramework.code == code)
        .options(selectinload(QualificationFramework.levels))
    )


def list_frameworks(session: Session) -> list[QualificationFramework]:
    return list(
        session.scalars(
            select(QualificationFramework)
            .order_by(QualificationFramework.code)
            .options(selectinload(QualificationFramework.levels))
        )
    )


def level_by_codes(session: Session, framework_code: str, level_code: str) -> FrameworkLevel | None:
    """The level with its framework loaded."""
    return session.scalar(
        select(FrameworkLevel)
        .join(FrameworkLevel.framework)
        .where(QualificationFramework.code == framework_code, FrameworkLevel.code == level_code)
        .options(joinedload(FrameworkLevel.framework))
    )


def linkage_exists(session: Session, source_level_id: str, target_level_id: str) -> bool:
    found = session.scalar(
        select(FrameworkLinkage.id).where(
            FrameworkLinkage.source_level_id == source_level_id,
            FrameworkLinkage.target_level_id == target_level_id,
        )
    )
    return found is not None


def linkage_rows(session: Session, *, framework_code: str | None = None) -> list[LinkageRow]:
    """Linkages stated by one framework, or all of them (the graph is small: levels × links).

    Ordered by source framework, source level ordinal, then target, so exports are stable.
    """
    source_level = aliased(FrameworkLevel)
    source_framework = aliased(QualificationFramework)
    target_level = aliased(FrameworkLevel)
    target_framework = aliased(QualificationFramework)
    query = (
        select(
            source_framework.code,
            source_level.code,
            target_framework.code,
            target_level.code,
            FrameworkLinkage.relation,
            FrameworkLinkage.source,
            FrameworkLinkage.created_at,
            FrameworkLinkage.report_id,
            ReferencingReport.status,
            ReferencingReport.approved_on,
            _credential.c.status,
        )
        .outerjoin(ReferencingReport, FrameworkLinkage.report_id == ReferencingReport.id)
        .outerjoin(_credential, ReferencingReport.credential_id == _credential.c.id)
        .join(source_level, FrameworkLinkage.source_level_id == source_level.id)
        .join(source_framework, source_level.framework_id == source_framework.id)
        .join(target_level, FrameworkLinkage.target_level_id == target_level.id)
        .join(target_framework, target_level.framework_id == target_framework.id)
        .order_by(
            source_framework.code,
            source_level.ordinal,
            target_framework.code,
            target_level.ordinal,
        )
    )
    if framework_code is not None:
        query = query.where(source_framework.code == framework_code)
    return [LinkageRow._make(row) for row in session.execute(query)]


def level_names(
    session: Session, framework_codes: Iterable[str]
) -> dict[tuple[str, str], tuple[str, str]]:
    """``(framework code, level code) -> (framework name, level name)`` for these frameworks."""
    rows = session.execute(
        select(
            QualificationFramework.code,
            FrameworkLevel.code,
            QualificationFramework.name,
            FrameworkLevel.name,
        )
        .join(FrameworkLevel.framework)
        .where(QualificationFramework.code.in_(set(framework_codes)))
    )
    return {
        (fw_code, lvl_code): (fw_name, lvl_name) for fw_code, lvl_code, fw_name, lvl_name in rows
    }


def isced_field_by_code(session: Session, code: str) -> IscedField | None:
    return session.get(IscedField, code)


def search_isced_fields(session: Session, text: str | None) -> list[IscedField]:
    """Fields whose code starts with ``text`` or whose name contains it, in code order."""
    query = select(IscedField).order_by(IscedField.code)
    if text:
        matches: ColumnElement[bool] = IscedField.code.startswith(
            text, autoescape=True
        ) | IscedField.name.icontains(text, autoescape=True)
        query = query.where(matches)
    return list(session.scalars(query))


def registry_view(session: Session) -> RegistryView:
    """Every level's ordinal and every stated linkage, for lint (small: levels x links)."""
    ordinals = {
        (framework, level): ordinal
        for framework, level, ordinal in session.execute(
            select(QualificationFramework.code, FrameworkLevel.code, FrameworkLevel.ordinal).join(
                FrameworkLevel.framework
            )
        )
    }
    stated = [
        StatedLink(row.framework, row.level, row.target_framework, row.target_level, row.relation)
        for row in linkage_rows(session)
    ]
    return RegistryView(ordinals=ordinals, stated=stated, knows_targets=True)


def report_by_id(session: Session, report_id: str) -> ReferencingReport | None:
    return session.get(ReferencingReport, report_id)


def reports_of(session: Session, framework_id: str) -> list[ReferencingReport]:
    return list(
        session.scalars(
            select(ReferencingReport)
            .where(ReferencingReport.framework_id == framework_id)
            .order_by(ReferencingReport.created_at, ReferencingReport.id)
        )
    )


def linkage_between(
    session: Session, source_level_id: str, target_level_id: str
) -> FrameworkLinkage | None:
    return session.scalar(
        select(FrameworkLinkage).where(
            FrameworkLinkage.source_level_id == source_level_id,
            FrameworkLinkage.target_level_id == target_level_id,
        )
    )
