"""Pure: the shipped classification files → concept rows, or an error naming file and line.

Each reader checks the header it expects and every row's shape, so a wrong or truncated file
stops the load with ``VocabularyFormatError("csco-2022.csv line 17: ...")`` before anything
is written. The CSCO 2022 edition marks digital occupations (数字职业) with a trailing ``S``
and green occupations (绿色职业) with ``L`` (``L/S`` both); the marker becomes a flag and
leaves the display name.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Final

MAX_NAME: Final = 1_000
_CSCO_CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
_CSCO_MARKER = re.compile(r"(L/S|S/L|L|S)$")
_NAICS_CODE = re.compile(r"^(\d{2,6}|\d{2}-\d{2})$")
_NACE_CODE = re.compile(r"^([A-Z]|\d{2}(\.\d{1,3})?)$")
_ISIC_CODE = re.compile(r"^([A-Z]|\d{2,4})$")


class VocabularyFormatError(ValueError):
    """A vocabulary file that is not in the expected format; the message names the line."""


@dataclass(frozen=True)
class ConceptRow:
    code: str
    kind: str  # occupation | industry | skill
    level: int
    name: str
    parent_code: str | None = None
    name_en: str | None = None
    definition: str | None = None
    alt_labels: tuple[str, ...] = ()
    digital: bool = False
    green: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _fail(source: str, line: int, message: str) -> VocabularyFormatError:
    return VocabularyFormatError(f"{source} line {line}: {message}")


def csv_records(
    text: str, source: str, expected: list[str], *, delimiter: str = ","
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; the header must hold every expected column."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, strict=True)
    line = 1
    try:
        header = next(reader, None)
        if header is None:
            raise _fail(source, 1, "the file is empty")
        missing = [name for name in expected if name not in header]
        if missing:
            raise _fail(
                source, 1, f"the header lacks {', '.join(missing)} (found: {', '.join(header)})"
            )
        while True:
            # A quoted field may span lines (ESCO's altLabels): report where the row starts.
            line = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise _fail(source, line, f"{len(row)} fields, the header has {len(header)}")
            # Trailing empty fields may be left out (the NACE file does so).
            cells = row + [""] * (len(header) - len(row))
            yield line, dict(zip(header, cells, strict=True))
    except csv.Error as error:
        raise _fail(source, line, f"not valid CSV ({error})") from None


def _name(value: str, source: str, line: int) -> str:
    name = value.strip()
    if not name or len(name) > MAX_NAME:
        raise _fail(source, line, f"a name must have 1 to {MAX_NAME} characters")
    return name


def split_csco_marker(name: str) -> tuple[str, bool, bool]:
    """'计算机软件工程技术人员S' → ('计算机软件工程技术人员', digital=True, green=False)."""
    match = _CSCO_MARKER.search(name)
    # Only a marker after Chinese text counts: a Latin word at the end is part of the name.
    if match is None or match.start() == 0 or name[match.start() - 1].isascii():
        return name, False, False
    marker = match.group(1)
    return name[: match.start()].rstrip(), "S" in marker, "L" in marker


def _csco_parent(code: str, level: int) -> str | None:
    major, sub, minor, _unit = code.split("-")
    chain = {
        4: f"{major}-{sub}-{minor}-00",
        3: f"{major}-{sub}-00-00",
        2: f"{major}-00-00-00",
    }
    parent = chain.get(level)
    if parent == code:  # an occupation coded like its minor group (2-03-01-00)
        parent = chain[3]
    return parent


def parse_csco(text: str, source: str = "csco-2022.csv") -> list[ConceptRow]:
    columns = ["level", "code", "name", "definition", "tasks", "alias"]
    rows: dict[str, tuple[int, ConceptRow]] = {}
    for line, record in csv_records(text, source, columns):
        code, level_text = record["code"].strip(), record["level"].strip()
        if not _CSCO_CODE.match(code):
            raise _fail(source, line, f"code {code!r} is not of the form 1-23-45-67")
        if level_text not in {"1", "2", "3", "4"}:
            raise _fail(source, line, f"level {level_text!r} is not 1, 2, 3 or 4")
        level = int(level_text)
        name, digital, green = split_csco_marker(_name(record["name"], source, line))
        if level < 4 and (digital or green):
            raise _fail(source, line, "only occupations (level 4) carry the S/L markers")
        aliases = [split_csco_marker(a.strip())[0] for a in record["alias"].split(",") if a.strip()]
        extra = {"tasks": record["tasks"].strip()} if record["tasks"].strip() else {}
        row = ConceptRow(
            code=code,
            kind="occupation",
            level=level,
            name=name,
            parent_code=_csco_parent(code, level),
            definition=record["definition"].strip() or None,
            alt_labels=tuple(dict.fromkeys(a for a in aliases if a != name)),
            digital=digital,
            green=green,
            extra=extra,
        )
        known = rows.get(code)
        if known is None or known[1] == row:
            rows[code] = (line, row)
        elif {known[1].level, level} == {3, 4} and known[1].name == name:
            # The source lists 2-03-01-00 both as a minor group and as its only occupation:
            # one concept, the occupation (it has the definition).
            rows[code] = (line, row if level == 4 else known[1])
        else:
            raise _fail(source, line, f"code {code} repeats line {known[0]} with other content")
    return _nearest_parents([row for _, row in rows.values()])


def _nearest_parents(rows: list[ConceptRow]) -> list[ConceptRow]:
    """Some minor groups have no row of their own: point their occupations one level up."""
    codes = {row.code for row in rows}
    out = []
    for row in rows:
        parent = row.parent_code
        while parent is not None and parent not in codes:
            level = 4 - parent.split("-")[1:].count("00")
            parent = _csco_parent(parent, level) if level > 1 else None
        out.append(row if parent == row.parent_code else replace(row, parent_code=parent))
    return out


def _naics_parent(code: str, known: set[str], ranges: list[tuple[int, int, str]]) -> str | None:
    if "-" in code or len(code) == 2:
        return None
    for length in range(len(code) - 1, 1, -1):
        if code[:length] in known:
            return code[:length]
    sector = int(code[:2])
    return next((name for low, high, name in ranges if low <= sector <= high), None)


def parse_naics(text: str, source: str = "naics-2022.csv") -> list[ConceptRow]:
    records = []
    for line, record in csv_records(text, source, ["code", "title"]):
        code = record["code"].strip()
        if not _NAICS_CODE.match(code):
            raise _fail(source, line, f"code {code!r} is not a 2- to 6-digit NAICS code")
        records.append((line, code, _name(record["title"], source, line)))
    known: dict[str, int] = {}
    for line, code, _title in records:
        if code in known:
            raise _fail(source, line, f"code {code} repeats line {known[code]}")
        known[code] = line
    ranges = [(int(code[:2]), int(code[3:]), code) for _, code, _ in records if "-" in code]
    codes = set(known)
    return [
        ConceptRow(
            code=code,
            kind="industry",
            level=2 if "-" in code else len(code),
            name=title,
            name_en=title,
            parent_code=_naics_parent(code, codes, ranges),
        )
        for _, code, title in records
    ]


def parse_nace(text: str, source: str = "nace-rev2.1.csv") -> list[ConceptRow]:
    columns = ["code", "parentCode", "level", "name"]
    rows: list[ConceptRow] = []
    seen: dict[str, int] = {}
    for line, record in csv_records(text, source, columns, delimiter=";"):
        code, parent = record["code"].strip(), record["parentCode"].strip()
        if not _NACE_CODE.match(code):
            raise _fail(source, line, f"code {code!r} is not a NACE code (A, 01, 01.1, 01.11)")
        if record["level"].strip() not in {"1", "2", "3", "4", "5"}:
            raise _fail(source, line, f"level {record['level']!r} is not 1 to 5")
        if code in seen:
            raise _fail(source, line, f"code {code} repeats line {seen[code]}")
        seen[code] = line
        name = _name(record["name"], source, line)
        notes = record.get("notes", "").strip()
        rows.append(
            ConceptRow(
                code=code,
                kind="industry",
                level=int(record["level"]),
                name=name,
                name_en=name,
                parent_code=parent or None,
                definition=notes or None,
            )
        )
    return rows


def parse_isic(text: str, source: str = "isic-rev4-en.json") -> list[ConceptRow]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(source, error.lineno, f"not valid JSON ({error.msg})") from None
    if not isinstance(document, dict) or not isinstance(document.get("sections"), list):
        raise _fail(source, 1, "expected an object with a 'sections' array")
    rows: list[ConceptRow] = []
    levels: tuple[tuple[str, str | None], ...] = (
        ("section", "divisions"),
        ("division", "groups"),
        ("group", "classes"),
        ("class", None),
    )

    def walk(items: Any, depth: int, parent: str | None, path: str) -> None:
        key, children = levels[depth]
        if not isinstance(items, list):
            raise _fail(source, 1, f"{path} must be an array")
        for index, item in enumerate(items):
            where = f"{path}[{index}]"
            if not isinstance(item, dict):
                raise _fail(source, 1, f"{where} must be an object")
            code = str(item.get(key, "")).upper()
            if not _ISIC_CODE.match(code):
                raise _fail(source, 1, f"{where}.{key} {item.get(key)!r} is not an ISIC code")
            description = item.get("description")
            if not isinstance(description, str) or not description.strip():
                raise _fail(source, 1, f"{where}.description is missing")
            name = description.strip()
            rows.append(
                ConceptRow(
                    code=code,
                    kind="industry",
                    level=depth + 1,
                    name=name,
                    name_en=name,
                    parent_code=parent,
                )
            )
            if children is not None:
                walk(item.get(children), depth + 1, code, f"{where}.{children}")

    walk(document["sections"], 0, None, "sections")
    counts = Counter(row.code for row in rows)
    duplicates = sorted(code for code, count in counts.items() if count > 1)
    if duplicates:
        raise _fail(source, 1, f"codes appear twice: {', '.join(duplicates[:5])}")
    return rows


PARSERS: Final = {
    "csco-csv": parse_csco,
    "naics-csv": parse_naics,
    "nace-csv": parse_nace,
    "isic-json": parse_isic,
}
