"""The context caches stay warm, bounded and unpoisonable; RDFC-1.0 takes its fast path."""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import Any

import pytest
from pyld.jsonld import JsonLdProcessor

from app.crypto import rdfc
from app.crypto.errors import ContextNotAllowed, JsonLdProcessingError
from app.crypto.jsonld import CONTEXT_FILES, CONTEXTS_DIR, canonize, load_context
from tests.support.jsonld_corpus import CORPUS, issued_ob_credential

V2 = "https://www.w3.org/ns/credentials/v2"


def test_pyld_is_the_version_context_cache_was_checked_against() -> None:
    """context_cache.py overrides pyld internals; review it before moving to another pyld."""
    assert version("pyld") == "3.3.0"


def test_a_warm_canonicalization_processes_no_context(monkeypatch: pytest.MonkeyPatch) -> None:
    credential = issued_ob_credential()
    canonize(credential)
    definitions = 0
    create_term_definition = JsonLdProcessor._create_term_definition

    def counting(self: JsonLdProcessor, *args: Any, **kwargs: Any) -> Any:
        nonlocal definitions
        definitions += 1
        return create_term_definition(self, *args, **kwargs)

    monkeypatch.setattr(JsonLdProcessor, "_create_term_definition", counting)
    canonize(credential)
    canonize({**credential, "id": "urn:uuid:another", "name": "Another badge"})

    assert definitions == 0


def test_credentials_need_no_n_degree_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct first-degree hashes: pyld's URDNA2015 (the slow, bounded path) never runs."""
    expected = canonize(issued_ob_credential())

    def refuse(*args: Any) -> None:
        raise AssertionError("took the Hash N-Degree Quads path")

    monkeypatch.setattr(rdfc, "_BoundedURDNA2015", refuse)

    assert canonize(issued_ob_credential()) == expected
    with pytest.raises(AssertionError, match="N-Degree"):
        canonize(CORPUS["identical blank nodes (Hash N-Degree Quads path)"])


def test_import_is_refused_and_cannot_change_later_documents() -> None:
    """pyld would merge the importing context into the cached VC 2.0 context itself."""
    credential = {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "name": "hello",
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    attacker = {
        "@context": [{"@import": V2, "@propagate": True, "name": "https://evil.example/name"}],
        "@id": "urn:x:a",
        "name": "z",
    }
    scoped_import = {
        "@context": {"t": {"@id": "urn:t", "@context": {"@import": V2}}},
        "t": {"@id": "urn:x:b"},
    }

    with pytest.raises(JsonLdProcessingError, match="@import"):
        canonize(attacker)
    with pytest.raises(JsonLdProcessingError):
        canonize(scoped_import)
    assert '<https://schema.org/name> "hello"' in canonize(credential)


def test_the_vendored_documents_pyld_shares_are_never_written_to() -> None:
    for document in CORPUS.values():
        try:
            canonize(document)
        except JsonLdProcessingError:
            pass

    for url, name in CONTEXT_FILES.items():
        assert load_context(url) == json.loads((CONTEXTS_DIR / name).read_bytes()), url


def test_a_string_context_never_resolves_to_a_cached_inline_one() -> None:
    inline = {"p": "http://example.org/vocab#p"}
    canonize({"@context": inline, "@id": "urn:x:a", "p": "v"})
    key = json.dumps(inline, sort_keys=True, ensure_ascii=False)

    with pytest.raises(ContextNotAllowed):
        canonize({"@context": key, "@id": "urn:x:a", "p": "v"})
