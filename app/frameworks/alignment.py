"""What a level equals: the levels reached through linkages in either direction, named, and the
statement an alignment to the level makes ("DQR 6 equals EQF 6, official referencing report
of 2012").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.frameworks import equivalence, repository
from app.frameworks.equivalence import Equivalent, LevelRef, Link, Relation
from app.frameworks.schemas import (
    AlignmentMeaning,
    EquivalentRead,
    FrameworkSummary,
    HopRead,
    LevelSummary,
)
from app.frameworks.service import read_level

_PHRASES = {
    Relation.exact: "equals",
    Relation.close: "closely matches",
    Relation.broad: "falls within",
    Relation.narrow: "encompasses",
    Relation.related: "overlaps with",
}


def equivalents(session: Session, framework_code: str, level_code: str) -> list[Equivalent]:
    """Levels reachable through linkages in either direction; NotFound for an unknown level."""
    read_level(session, framework_code, level_code)
    links = [
        Link(
            LevelRef(row.framework, row.level),
            LevelRef(row.target_framework, row.target_level),
            Relation(row.relation),
            row.source,
            row.label,
            _report_phrase(row),
        )
        for row in repository.linkage_rows(session)
    ]
    return equivalence.equivalents(LevelRef(framework_code, level_code), links)


def named_equivalents(
    session: Session, framework_code: str, level_code: str
) -> list[EquivalentRead]:
    """``equivalents`` with the names of the frameworks and levels reached."""
    found = equivalents(session, framework_code, level_code)
    names = repository.level_names(session, {equivalent.framework for equivalent in found})
    return [
        EquivalentRead(
            framework=equivalent.framework,
            framework_name=names[(equivalent.framework, equivalent.level)][0],
            level=equivalent.level,
            level_name=names[(equivalent.framework, equivalent.level)][1],
            relation=equivalent.relation,
            path=[HopRead.model_validate(hop) for hop in equivalent.path],
            label=equivalent.label,
        )
        for equivalent in found
    ]


def describe_alignment(session: Session, framework_code: str, level_code: str) -> dict[str, Any]:
    """What an alignment to this level means, as JSON; NotFound for an unknown level."""
    level = read_level(session, framework_code, level_code)
    framework = level.framework
    found = named_equivalents(session, framework_code, level_code)
    statement = "; ".join(
        [f"{level.name} ({framework.name})"]
        + [
            f"{_PHRASES[e.relation]} {e.level_name} ({e.framework_name}){_label_phrase(e)}"
            for e in found
        ]
    )
    meaning = AlignmentMeaning(
        framework=FrameworkSummary.model_validate(framework, from_attributes=True),
        level=LevelSummary.model_validate(level, from_attributes=True),
        statement=statement,
        equivalents=found,
    )
    return meaning.model_dump(mode="json")


def _report_phrase(row: repository.LinkageRow) -> str | None:
    if row.report_id is None:
        return None
    year = (row.report_approved_on or "")[:4]
    status = "withdrawn" if row.report_revoked else row.report_status
    return f"{status} referencing report of {year}"


def _label_phrase(equivalent: EquivalentRead) -> str:
    """How sure the equivalence is, when a referencing report is involved: ", official
    referencing report of 2012", or ", proposed (...)" once a report is withdrawn or while it
    is only proposed. Linkages stated without a report add nothing, as before reports."""
    reports = [hop.report for hop in equivalent.path if hop.report]
    if not reports:
        return ""
    if equivalent.label == "official":
        return ", " + "; ".join(dict.fromkeys(reports))
    return ", proposed (" + "; ".join(dict.fromkeys(reports)) + ")"
