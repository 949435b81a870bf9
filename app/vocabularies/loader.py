"""Loads vocabularies into the database: by migration 0011, `learnproof vocab load`, ESCO import.

Works on a SQLAlchemy ``Connection`` with lightweight table clauses (no ORM), so the
migration can call it with the schema it has just created. Every file is parsed in full
before the first write, and the caller's transaction holds the whole load: a bad line leaves
nothing half-loaded. A vocabulary whose files have the digest already recorded is left
alone, so loading twice is a no-op; a changed file replaces that vocabulary's rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import Connection

from app.vocabularies.parsing import PARSERS, ConceptRow

BUILTIN: Final = ("csco2022", "naics2022", "nace2.1", "isic4")
_CHUNK: Final = 1_000

_vocabulary = sa.table(
    "vocabulary",
    *(
        sa.column(name)
        for name in (
            "scheme kind name label version language publisher source source_url licence "
            "digest concept_count"
        ).split()
    ),
    sa.column("loaded_at", sa.DateTime(timezone=True)),
)
_concept = sa.table(
    "vocabulary_concept",
    *(
        sa.column(name)
        for name in "scheme code kind level parent_code name name_en definition".split()
    ),
    sa.column("alt_labels", sa.JSON),
    sa.column("digital", sa.Boolean),
    sa.column("green", sa.Boolean),
    sa.column("extra", sa.JSON),
    sa.column("search_text", sa.Text),
)
_relation = sa.table(
    "vocabulary_relation",
    *(sa.column(n) for n in ("scheme", "occupation_code", "skill_code", "relation_type")),
)


@dataclass(frozen=True)
class Relation:
    occupation_code: str
    skill_code: str
    relation_type: str


@dataclass(frozen=True)
class LoadResult:
    scheme: str
    outcome: str  # loaded | unchanged | replaced
    concepts: int
    relations: int = 0


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Each scheme's name, version, language, source and licence (data/vocabularies.json)."""
    text = resources.files("app.vocabularies").joinpath("data/vocabularies.json").read_text()
    loaded: dict[str, dict[str, Any]] = json.loads(text)
    return loaded


def builtin_rows(scheme: str) -> tuple[str, list[ConceptRow]]:
    """(digest, rows) of a vocabulary shipped in the package."""
    entry = catalogue()[scheme]
    data = resources.files("app.vocabularies").joinpath(f"data/{entry['file']}").read_bytes()
    rows = PARSERS[entry["format"]](data.decode("utf-8-sig"), entry["file"])
    return hashlib.sha256(data).hexdigest(), rows


def search_text(row: ConceptRow) -> str:
    parts = [row.code, row.name, row.name_en or "", *row.alt_labels]
    return "\n".join(p for p in parts if p).lower()


def load(
    connection: Connection,
    scheme: str,
    rows: Sequence[ConceptRow],
    *,
    digest: str,
    now: datetime,
    relations: Iterable[Relation] = (),
    metadata: dict[str, Any] | None = None,
) -> LoadResult:
    """Store one vocabulary in the caller's transaction; a known digest is a no-op."""
    meta = {**catalogue()[scheme], **(metadata or {})}
    current = connection.execute(
        sa.select(_vocabulary.c.digest).where(_vocabulary.c.scheme == scheme)
    ).scalar_one_or_none()
    if current == digest:
        return LoadResult(scheme, "unchanged", len(rows))
    if current is not None:
        connection.execute(_relation.delete().where(_relation.c.scheme == scheme))
        connection.execute(_concept.delete().where(_concept.c.scheme == scheme))
        connection.execute(_vocabulary.delete().where(_vocabulary.c.scheme == scheme))
    connection.execute(
        _vocabulary.insert().values(
            scheme=scheme,
            kind=meta["kind"],
            name=meta["name"],
            label=meta["label"],
            version=meta["version"],
            language=meta["language"],
            publisher=meta["publisher"],
            source=meta["source"],
            source_url=meta["source_url"],
            licence=meta["licence"],
            digest=digest,
            concept_count=len(rows),
            loaded_at=now,
        )
    )
    values = [
        {
            "scheme": scheme,
            "code": row.code,
            "kind": row.kind,
            "level": row.level,
            "parent_code": row.parent_code,
            "name": row.name,
            "name_en": row.name_en,
            "definition": row.definition,
            "alt_labels": list(row.alt_labels),
            "digital": row.digital,
            "green": row.green,
            "extra": row.extra,
            "search_text": search_text(row),
        }
        for row in rows
    ]
    for start in range(0, len(values), _CHUNK):
        connection.execute(_concept.insert(), values[start : start + _CHUNK])
    links = [
        {
            "scheme": scheme,
            "occupation_code": r.occupation_code,
            "skill_code": r.skill_code,
            "relation_type": r.relation_type,
        }
        for r in relations
    ]
    for start in range(0, len(links), _CHUNK * 5):
        connection.execute(_relation.insert(), links[start : start + _CHUNK * 5])
    return LoadResult(scheme, "replaced" if current else "loaded", len(rows), len(links))


def load_builtin(
    connection: Connection, now: datetime, schemes: Sequence[str] = BUILTIN
) -> list[LoadResult]:
    """Parse every requested shipped file first, then store them (one transaction)."""
    parsed = {scheme: builtin_rows(scheme) for scheme in schemes}
    return [
        load(connection, scheme, rows, digest=digest, now=now)
        for scheme, (digest, rows) in parsed.items()
    ]
