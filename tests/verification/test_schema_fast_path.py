"""The jsonschema-rs fast path agrees with the reference jsonschema implementation."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.verification import structure

VECTORS = Path(__file__).parents[1] / "vectors"
SCHEMAS = ("verifiable-credential-schema.json", "ob_v3p0_achievementcredential_schema.json")


def _documents() -> list[Any]:
    found = []
    for path in sorted(VECTORS.rglob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(document, dict) and "@context" in document:
            found.append(document)
    return found


def _mutations(document: dict[str, Any]) -> list[Any]:
    variants: list[Any] = []
    for key in ("@context", "type", "issuer", "credentialSubject", "validFrom", "proof"):
        if key in document:
            without = copy.deepcopy(document)
            del without[key]
            variants.append(without)
            wrong = copy.deepcopy(document)
            wrong[key] = 42
            variants.append(wrong)
    return variants


@pytest.mark.parametrize("name", SCHEMAS)
def test_fast_and_reference_validators_agree(name: str) -> None:
    documents = _documents()
    assert len(documents) > 30
    checked = invalid = 0
    for document in documents:
        for candidate in [document, *_mutations(document)]:
            view = structure._ob_view(candidate) if name.startswith("ob_") else candidate
            reference = not list(structure._validator(name).iter_errors(view))
            assert structure._fast_validator(name).is_valid(view) is reference
            checked += 1
            invalid += not reference
    assert invalid > checked // 3
