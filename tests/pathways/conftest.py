from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.pathways.factories import Bank


@pytest.fixture
def bank(
    client: TestClient, session: Session, admin_headers: dict[str, str], now: datetime
) -> Bank:
    return Bank(client, session, admin_headers, now)


@pytest.fixture
def bank_pool(bank: Bank) -> tuple[Bank, dict[str, Any], list[Any]]:
    """A pathway with its rule, and four inputs: three certificates that meet it, and a JWT."""
    pathway = bank.pathway()
    bank.rule(pathway)
    python = bank.mooc.issue(bank.python)
    web = bank.mooc.issue(bank.web)
    return (
        bank,
        pathway,
        [python["credential"], web["credential"], bank.outside_databases(), python["jwt"]],
    )
