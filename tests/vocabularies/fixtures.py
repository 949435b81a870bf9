"""The ESCO fixture (tests/vectors/esco, official v1.2 CSV format) and its well-known URIs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from app.vocabularies import esco, loader

ESCO_FIXTURE = Path(__file__).resolve().parent.parent / "vectors" / "esco"
ESCO = "http://data.europa.eu/esco/"
SOFTWARE_DEVELOPER = f"{ESCO}occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
DATA_ANALYST = f"{ESCO}occupation/d3edb8f8-3a0b-4f7e-9c9f-8c4a4f2d1b10"
WEB_DEVELOPER = f"{ESCO}occupation/a7c1a2d4-5e1e-4c39-9d55-0b6d7c1e9f21"
PYTHON = f"{ESCO}skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = f"{ESCO}skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
SPECIFICATIONS = f"{ESCO}skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97"
SOFTWARE_TESTS = f"{ESCO}skill/8f18f987-33e2-4228-9efb-65de25d03330"
JAVASCRIPT = f"{ESCO}skill/c8fb5a5b-0b6e-4f5c-8b39-5d5d0e8b3a51"
DATA_ANALYSIS = f"{ESCO}skill/3b6a8a6e-9f2e-4f5a-a0a5-7e7f5b1a2c44"


def import_esco(connection: Connection, folder: Path = ESCO_FIXTURE) -> loader.LoadResult:
    download = esco.read_download(folder)
    return loader.load(
        connection,
        "esco",
        download.concepts,
        relations=download.relations,
        digest=download.digest,
        now=datetime(2026, 11, 26, tzinfo=UTC),
        metadata={"language": download.language},
    )
