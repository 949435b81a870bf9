"""The API's views of stored frameworks: the document as stored, with its linkages as rows."""

from __future__ import annotations

import copy
from typing import Any

from app.frameworks import meta, repository
from app.frameworks.models import QualificationFramework
from app.frameworks.schemas import DomainRead, FrameworkRead, LevelRead, LinkageRead


def stored_document(framework: QualificationFramework) -> dict[str, Any]:
    """The framework's v2 document without linkages; rows stored before v2 are upgraded from
    their columns (levels must be loaded)."""
    if framework.document is not None:
        return copy.deepcopy(framework.document)
    v1: dict[str, Any] = {
        "code": framework.code,
        "name": framework.name,
        "jurisdiction": framework.jurisdiction,
        "version": framework.version,
        "source_url": framework.source_url,
        "credit_system": framework.credit_system,
        "levels": [
            {
                "code": level.code,
                "ordinal": level.ordinal,
                "name": level.name,
                "descriptors": copy.deepcopy(level.descriptors),
                **({"typical_volume": level.typical_volume} if level.typical_volume else {}),
            }
            for level in framework.levels
        ],
    }
    if framework.description is not None:
        v1["description"] = framework.description
    return meta.upgrade_v1(v1)


def framework_read(
    framework: QualificationFramework, rows: list[repository.LinkageRow]
) -> FrameworkRead:
    doc = stored_document(framework)
    credit = doc.get("credit_system")
    return FrameworkRead(
        code=framework.code,
        name=framework.name,
        names=meta.texts(doc.get("name")),
        jurisdiction=framework.jurisdiction,
        version=framework.version,
        valid_from=doc.get("valid_from"),
        valid_until=doc.get("valid_until"),
        source_url=framework.source_url,
        owner=doc.get("owner"),
        competent_authority=doc.get("competent_authority"),
        credit_system=framework.credit_system,
        credit=credit if isinstance(credit, dict) else None,
        description=framework.description,
        domains=[DomainRead.model_validate(domain) for domain in doc.get("domains", [])],
        sub_frameworks=doc.get("sub_frameworks"),
        levels=[level_read(level) for level in doc.get("levels", [])],
        linkages=[linkage_read(row) for row in rows],
        created_at=framework.created_at,
    )


def level_read(level: dict[str, Any]) -> LevelRead:
    return LevelRead(
        code=level["code"],
        ordinal=level["ordinal"],
        name=meta.text_in(level["name"]),
        names=meta.texts(level["name"]),
        descriptors=level["descriptors"],
        qualification_types=level.get("qualification_types"),
        typical_volume=level.get("typical_volume"),
    )


def linkage_read(row: repository.LinkageRow) -> LinkageRead:
    return LinkageRead(
        level=row.level,
        target_framework=row.target_framework,
        target_level=row.target_level,
        relation=row.relation,
        source=row.source,
        created_at=row.created_at,
        label=row.label,
        report_id=row.report_id,
    )
