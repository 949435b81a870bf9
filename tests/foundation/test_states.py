"""States are StrEnums whose values are the strings already stored in the database."""

from __future__ import annotations

from enum import StrEnum

import pytest

from app.credentials.models import CredentialStatus, JobStatus
from app.issuers.models import KeyStatus
from app.webhooks.models import DeliveryStatus


@pytest.mark.parametrize(
    ("states", "stored"),
    [
        (CredentialStatus, ["active", "revoked", "suspended"]),
        (JobStatus, ["pending", "running", "done"]),
        (KeyStatus, ["active", "retired", "revoked"]),
        (DeliveryStatus, ["pending", "delivered", "failed"]),
    ],
)
def test_states_keep_their_stored_strings(states: type[StrEnum], stored: list[str]) -> None:
    assert [state.value for state in states] == stored
    # Rows read back hold plain strings: they must compare equal to the members.
    assert all(states(value) == value and str(states(value)) == value for value in stored)
