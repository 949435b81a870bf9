"""The framework registry: import and export frameworks, state linkages between their levels,
resolve the levels and ISCED-F fields that achievements align to, and say what a level equals.

Lookups come in two kinds. ``read_*`` finds a resource addressed by URL: unknown is
``NotFound``. ``get_*`` resolves a code named in a request body, such as an achievement's
alignment: unknown is ``InvalidInput`` naming the value and the field it came from.
What a level equals is in ``alignment.py``; the API's views of a framework in ``reads.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.audit import service as audit_service
from app.core.ids import new_id
from app.core.urls import PublicUrls
from app.errors import Conflict, InvalidInput, NotFound
from app.frameworks import interchange, lint, meta, repository, validation
from app.frameworks.findings import Finding
from app.frameworks.models import (
    FrameworkLevel,
    FrameworkLinkage,
    IscedField,
    QualificationFramework,
)
from app.frameworks.reads import framework_read, stored_document
from app.frameworks.schemas import FrameworkRead, LinkageCreate, LinkageRead


def lint_document(session: Session, document: object) -> list[Finding]:
    """Findings for a framework document or referencing report, checked against the registry."""
    return lint.lint(document, repository.registry_view(session))


def create_framework(
    session: Session, document: object, *, actor: str, now: datetime
) -> FrameworkRead:
    """Import a framework document (version 1 or 2); refused with every finding if it has
    errors, nothing stored. Version 1 documents are stored upgraded to version 2."""
    findings = validation.document_findings(document, repository.registry_view(session))
    if validation.errors_of(findings):
        raise validation.invalid_document(findings)
    assert isinstance(document, dict)  # the schema said so
    doc = meta.upgrade_v1(document) if meta.is_v1(document) else copy.deepcopy(document)
    code = doc["code"]
    if repository.framework_by_code(session, code) is not None:
        raise Conflict(f"A framework with code '{code}' already exists.")
    linkages_in = [LinkageCreate.model_validate(link) for link in doc.get("linkages", [])]
    targets = [
        _level_or_invalid(
            session,
            linkage.target_framework,
            linkage.target_level,
            framework_field=f"$.linkages[{index}].target_framework",
            level_field=f"$.linkages[{index}].target_level",
        )
        for index, linkage in enumerate(linkages_in)
    ]
    description = doc.get("description")
    framework = QualificationFramework(
        id=new_id(),
        code=code,
        name=meta.text_in(doc["name"]),
        jurisdiction=doc["jurisdiction"],
        version=doc["version"],
        source_url=doc["source_url"],
        credit_system=meta.credit_unit(doc),
        description=meta.text_in(description) if description else None,
        document={key: value for key, value in doc.items() if key != "linkages"},
        created_at=now,
    )
    levels = {
        level["code"]: FrameworkLevel(
            id=new_id(),
            framework_id=framework.id,
            code=level["code"],
            ordinal=level["ordinal"],
            name=meta.text_in(level["name"]),
            descriptors=level["descriptors"],
            typical_volume=level.get("typical_volume"),
        )
        for level in doc["levels"]
    }
    linkages = [
        _new_linkage(levels[linkage.level], target, linkage, now)
        for linkage, target in zip(linkages_in, targets, strict=True)
    ]
    _insert(
        session,
        [[framework], list(levels.values()), linkages],
        conflict=f"A framework with code '{code}' already exists.",
    )
    audit_service.record(
        session,
        actor=actor,
        action="framework.created",
        now=now,
        details={"code": code, "levels": len(levels), "linkages": len(linkages)},
    )
    return read_framework(session, code)


def add_linkage(
    session: Session, framework_code: str, body: LinkageCreate, *, actor: str, now: datetime
) -> LinkageRead:
    """State that a level of ``framework_code`` corresponds to a level of another framework."""
    framework = _framework_or_404(session, framework_code)
    level = next((level for level in framework.levels if level.code == body.level), None)
    if level is None:
        raise InvalidInput(_no_such_level(framework, body.level), field="level")
    if body.target_framework == framework.code:
        raise InvalidInput(
            f"A framework cannot link to itself; '{body.target_framework}' is '{framework.code}'.",
            field="target_framework",
        )
    target = _level_or_invalid(
        session,
        body.target_framework,
        body.target_level,
        framework_field="target_framework",
        level_field="target_level",
    )
    duplicate = (
        f"Level '{body.level}' of '{framework.code}' is already linked to level "
        f"'{body.target_level}' of '{body.target_framework}'."
    )
    if repository.linkage_exists(session, level.id, target.id):
        raise Conflict(duplicate)
    linkage = _new_linkage(level, target, body, now)
    _insert(session, [[linkage]], conflict=duplicate)
    audit_service.record(
        session,
        actor=actor,
        action="framework.linkage_created",
        now=now,
        details={"framework": framework.code, **body.model_dump()},
    )
    return LinkageRead(**body.model_dump(), created_at=now)


def list_frameworks(session: Session) -> list[FrameworkRead]:
    rows = repository.linkage_rows(session)
    return [
        framework_read(framework, [row for row in rows if row.framework == framework.code])
        for framework in repository.list_frameworks(session)
    ]


def read_framework(session: Session, code: str) -> FrameworkRead:
    framework = _framework_or_404(session, code)
    return framework_read(framework, repository.linkage_rows(session, framework_code=code))


def export_document(session: Session, code: str) -> dict[str, Any]:
    """The framework as a meta-standard v2 document that ``create_framework`` accepts back."""
    framework = _framework_or_404(session, code)
    rows = repository.linkage_rows(session, framework_code=code)
    return {
        **stored_document(framework),
        "linkages": [
            {
                "level": row.level,
                "target_framework": row.target_framework,
                "target_level": row.target_level,
                "relation": row.relation,
                "source": row.source,
            }
            for row in rows
        ],
    }


def export_as(session: Session, code: str, form: str, *, urls: PublicUrls) -> dict[str, Any]:
    """The framework as SKOS JSON-LD (``skos``) or CTDL-shaped JSON (``ctdl``)."""
    document = export_document(session, code)
    scheme = urls.framework(code)

    def url(framework: str, level: str) -> str:
        return level_url(urls, framework, level)

    convert = interchange.to_skos if form == "skos" else interchange.to_ctdl
    return convert(document, scheme, url)


def import_as(
    session: Session, data: object, form: str, *, urls: PublicUrls, actor: str, now: datetime
) -> FrameworkRead:
    """Import a SKOS or CTDL export; the result is linted and stored like any document."""

    def parse(url: str) -> tuple[str, str] | None:
        return parse_level_url(urls, url)

    convert = interchange.from_skos if form == "skos" else interchange.from_ctdl
    return create_framework(session, convert(data, parse), actor=actor, now=now)


def get_framework(
    session: Session, code: str, *, field: str = "framework_levels"
) -> QualificationFramework:
    """The framework named in a request body (levels loaded); InvalidInput when unknown."""
    framework = repository.framework_by_code(session, code)
    if framework is None:
        raise InvalidInput(f"No qualification framework has code '{code}'.", field=field)
    return framework


def get_level(
    session: Session, framework_code: str, level_code: str, *, field: str = "framework_levels"
) -> FrameworkLevel:
    """The level named in a request body (its framework loaded); InvalidInput when unknown."""
    return _level_or_invalid(
        session, framework_code, level_code, framework_field=field, level_field=field
    )


def read_level(session: Session, framework_code: str, level_code: str) -> FrameworkLevel:
    """The level addressed by a URL (its framework loaded); NotFound when unknown."""
    level = repository.level_by_codes(session, framework_code, level_code)
    if level is None:
        framework = _framework_or_404(session, framework_code)
        raise NotFound(_no_such_level(framework, level_code))
    return level


def level_url(urls: PublicUrls, framework_code: str, level_code: str) -> str:
    """The public page of a level: the ``targetUrl`` of credential alignments."""
    return urls.level(framework_code, level_code)


def parse_level_url(urls: PublicUrls, url: str) -> tuple[str, str] | None:
    """``(framework code, level code)`` when ``url`` is one of our level pages, else None."""
    return urls.parse_level(url)


def get_isced_field(session: Session, code: str, *, field: str = "isced_f") -> IscedField:
    """The ISCED-F field named in a request body; InvalidInput naming the code when unknown."""
    found = repository.isced_field_by_code(session, code)
    if found is None:
        raise InvalidInput(f"'{code}' is not an ISCED-F 2013 field code.", field=field)
    return found


def read_isced_field(session: Session, code: str) -> IscedField:
    found = repository.isced_field_by_code(session, code)
    if found is None:
        raise NotFound(f"'{code}' is not an ISCED-F 2013 field code.")
    return found


def search_isced_fields(session: Session, text: str | None = None) -> list[IscedField]:
    return repository.search_isced_fields(session, text)


def framework_or_404(session: Session, code: str) -> QualificationFramework:
    """The framework addressed by a URL, levels loaded; NotFound when unknown."""
    return _framework_or_404(session, code)


def _framework_or_404(session: Session, code: str) -> QualificationFramework:
    framework = repository.framework_by_code(session, code)
    if framework is None:
        raise NotFound(f"No qualification framework has code '{code}'.")
    return framework


def _level_or_invalid(
    session: Session,
    framework_code: str,
    level_code: str,
    *,
    framework_field: str,
    level_field: str,
) -> FrameworkLevel:
    level = repository.level_by_codes(session, framework_code, level_code)
    if level is not None:
        return level
    framework = repository.framework_by_code(session, framework_code)
    if framework is None:
        raise InvalidInput(
            f"No qualification framework has code '{framework_code}'.", field=framework_field
        )
    raise InvalidInput(_no_such_level(framework, level_code), field=level_field)


def _no_such_level(framework: QualificationFramework, level_code: str) -> str:
    known = ", ".join(level.code for level in framework.levels)
    return f"Framework '{framework.code}' has no level '{level_code}'; its levels are {known}."


def _new_linkage(
    level: FrameworkLevel, target: FrameworkLevel, body: LinkageCreate, now: datetime
) -> FrameworkLinkage:
    return FrameworkLinkage(
        id=new_id(),
        source_level_id=level.id,
        target_level_id=target.id,
        relation=body.relation,
        source=body.source,
        created_at=now,
    )


def _insert(session: Session, batches: Sequence[Sequence[object]], *, conflict: str) -> None:
    # Batches flush in order: linkages have no ORM relationship to order them after levels.
    # The savepoint turns a unique violation from a concurrent twin request into a 409.
    try:
        with session.begin_nested():
            for batch in batches:
                session.add_all(batch)
                session.flush()
    except IntegrityError as exc:
        raise Conflict(conflict) from exc
