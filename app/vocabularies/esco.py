"""Reads the official ESCO CSV download (v1.2) from a folder; nothing is fetched.

Required: ``occupations_<lang>.csv`` and ``skills_<lang>.csv`` (``conceptUri``,
``preferredLabel``, ``altLabels``, ``description``; occupations also ``iscoGroup``) and
``occupationSkillRelations_<lang>.csv`` (``occupationUri``, ``relationType``
essential/optional, ``skillUri``). Optional: ``ISCOGroups_<lang>.csv`` names the ISCO groups,
``digitalSkillsCollection_<lang>.csv`` and ``greenSkillsCollection_<lang>.csv`` flag skills.
``altLabels`` hold one label per line, as ESCO writes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from app.vocabularies.loader import Relation
from app.vocabularies.parsing import MAX_NAME, ConceptRow, VocabularyFormatError, csv_records

ESCO_PREFIX: Final = "http://data.europa.eu/esco/"
MAX_FILE_BYTES: Final = 200_000_000
_CONCEPT_COLUMNS: Final = ["conceptUri", "preferredLabel", "altLabels", "description"]
_RELATION_COLUMNS: Final = ["occupationUri", "relationType", "skillUri"]


@dataclass(frozen=True)
class EscoDownload:
    digest: str
    language: str
    concepts: list[ConceptRow]
    relations: list[Relation]


def _optional(folder: Path, stem: str, language: str) -> Path | None:
    path = folder / f"{stem}_{language}.csv"
    return path if path.is_file() else None


def _required(folder: Path, stem: str, language: str) -> Path:
    path = _optional(folder, stem, language)
    if path is None:
        name = f"{stem}_{language}.csv"
        raise VocabularyFormatError(f"{folder} has no {name} (the ESCO CSV download)")
    return path


def _language(folder: Path) -> str:
    found = sorted(folder.glob("occupations_*.csv"))
    if not found:
        raise VocabularyFormatError(f"{folder} has no occupations_<language>.csv")
    return found[0].stem.removeprefix("occupations_")


def _read(path: Path, hasher: Any) -> str:
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise VocabularyFormatError(f"{path.name} is larger than {MAX_FILE_BYTES} bytes")
    hasher.update(path.name.encode() + b"\0" + data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise VocabularyFormatError(f"{path.name} line {line}: not UTF-8") from None


def _uri(value: str, kind: str, source: str, line: int) -> str:
    uri = value.strip()
    if (
        not uri.startswith(f"{ESCO_PREFIX}{kind}/")
        or len(uri) > 200
        or any(c.isspace() for c in uri)
    ):
        raise VocabularyFormatError(
            f"{source} line {line}: {uri!r} is not an ESCO {kind} URI ({ESCO_PREFIX}{kind}/…)"
        )
    return uri


def _concepts(text: str, source: str, kind: str, extra_columns: list[str]) -> list[ConceptRow]:
    rows: dict[str, ConceptRow] = {}
    for line, record in csv_records(text, source, _CONCEPT_COLUMNS + extra_columns):
        uri = _uri(record["conceptUri"], kind, source, line)
        name = record["preferredLabel"].strip()
        if not name or len(name) > MAX_NAME:
            raise VocabularyFormatError(f"{source} line {line}: preferredLabel is empty or long")
        if uri in rows:
            raise VocabularyFormatError(f"{source} line {line}: {uri} appears twice")
        labels = [a.strip() for a in record["altLabels"].splitlines() if a.strip()]
        extra = {}
        if kind == "occupation":
            extra["iscoGroup"] = record["iscoGroup"].strip()
        elif record.get("skillType", "").strip():
            extra["skillType"] = record["skillType"].strip()
        rows[uri] = ConceptRow(
            code=uri,
            kind=kind,
            level=1,
            name=name,
            name_en=None,
            definition=record["description"].strip() or None,
            alt_labels=tuple(dict.fromkeys(a for a in labels if a != name))[:100],
            extra=extra,
        )
    return list(rows.values())


def read_download(folder: Path) -> EscoDownload:
    """Parse every file before anything is stored; errors name the file and line."""
    if not folder.is_dir():
        raise VocabularyFormatError(f"{folder} is not a folder")
    language = _language(folder)
    hasher = hashlib.sha256()
    occupations_path = _required(folder, "occupations", language)
    skills_path = _required(folder, "skills", language)
    relations_path = _required(folder, "occupationSkillRelations", language)
    occupations = _concepts(
        _read(occupations_path, hasher), occupations_path.name, "occupation", ["iscoGroup"]
    )
    skills = _concepts(_read(skills_path, hasher), skills_path.name, "skill", [])
    flagged: dict[str, set[str]] = {}
    for flag, stem in (("digital", "digitalSkillsCollection"), ("green", "greenSkillsCollection")):
        path = _optional(folder, stem, language)
        if path is not None:
            text = _read(path, hasher)
            flagged[flag] = {
                _uri(r["conceptUri"], "skill", path.name, line)
                for line, r in csv_records(text, path.name, ["conceptUri"])
            }
    groups = _isco_groups(folder, language, hasher)
    occupations = [_with_group(row, groups) if groups else row for row in occupations]
    skills = [
        replace(
            row,
            digital=row.code in flagged.get("digital", set()),
            green=row.code in flagged.get("green", set()),
        )
        for row in skills
    ]
    if language == "en":
        occupations = [replace(r, name_en=r.name) for r in occupations]
        skills = [replace(r, name_en=r.name) for r in skills]
    relations = _relations(
        _read(relations_path, hasher),
        relations_path.name,
        {r.code for r in occupations},
        {r.code for r in skills},
    )
    return EscoDownload(hasher.hexdigest(), language, occupations + skills, relations)


def _isco_groups(folder: Path, language: str, hasher: Any) -> dict[str, str]:
    path = _optional(folder, "ISCOGroups", language)
    if path is None:
        return {}
    columns = ["code", "preferredLabel"]
    return {
        r["code"].strip(): r["preferredLabel"].strip()
        for _, r in csv_records(_read(path, hasher), path.name, columns)
    }


def _with_group(row: ConceptRow, groups: dict[str, str]) -> ConceptRow:
    code = row.extra.get("iscoGroup", "")
    if code not in groups:
        return row
    return replace(row, extra={**row.extra, "iscoGroupName": groups[code]})


def _relations(text: str, source: str, occupations: set[str], skills: set[str]) -> list[Relation]:
    out: dict[tuple[str, str], Relation] = {}
    for line, record in csv_records(text, source, _RELATION_COLUMNS):
        occupation = _uri(record["occupationUri"], "occupation", source, line)
        skill = _uri(record["skillUri"], "skill", source, line)
        relation = record["relationType"].strip()
        if relation not in ("essential", "optional"):
            raise VocabularyFormatError(
                f"{source} line {line}: relationType {relation!r} is not essential or optional"
            )
        if occupation not in occupations:
            raise VocabularyFormatError(f"{source} line {line}: unknown occupation {occupation}")
        if skill not in skills:
            raise VocabularyFormatError(f"{source} line {line}: unknown skill {skill}")
        known = out.get((occupation, skill))
        # ESCO lists a pair once; if twice, essential wins.
        if known is None or relation == "essential":
            out[(occupation, skill)] = Relation(occupation, skill, relation)
    return list(out.values())
