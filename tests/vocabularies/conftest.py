from __future__ import annotations

import pytest
from sqlalchemy import Connection

from app.vocabularies import loader
from tests.vocabularies.fixtures import import_esco


@pytest.fixture
def esco_loaded(connection: Connection) -> loader.LoadResult:
    """The ESCO fixture, imported inside the test's rolled-back transaction."""
    return import_esco(connection)
