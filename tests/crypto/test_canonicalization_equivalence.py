"""Our canonicalization (context caches, RDFC fast path) writes exactly what plain pyld writes.

Every JSON-LD document under tests/vectors/ (spec vectors and third-party credentials, their
unsecured forms and proof configurations), a credential as our builder issues it and JSON-LD
shapes that exercise the caches and both RDFC paths, each compared with `jsonld.normalize`
run by pyld on its own. Two known, deliberate differences are kept out of the comparison: we
drop relative IRIs where pyld resolves them against a made-up base (so pyld runs with
`"base": None`; documents free of them are also compared with pyld's defaults), and we escape
control characters (tested in test_rdfc.py).
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from pyld import jsonld

from app.crypto.control_characters import find_control_characters
from app.crypto.errors import JsonLdProcessingError
from app.crypto.jsonld import canonize, document_loader, undefined_terms
from tests.support.jsonld_corpus import CORPUS, EX


def _ours(document: dict[str, Any]) -> str:
    try:
        return canonize(copy.deepcopy(document))
    except JsonLdProcessingError as error:
        return f"error: {type(error).__name__}"


def _plain_pyld(document: dict[str, Any], **options: Any) -> str:
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", **options}
    try:
        normalized: str = jsonld.normalize(
            copy.deepcopy(document), {**options, "documentLoader": document_loader}
        )
    except jsonld.JsonLdError as error:
        return f"pyld error: {error.args[0]}"
    return normalized


def test_the_corpus_covers_what_matters() -> None:
    names = " ".join(CORPUS)

    assert len(CORPUS) > 200
    for expected in ("third-party", "di-openbadges", "proof-set-chain", "issued OB credential"):
        assert expected in names
    assert sum(not _ours(doc).startswith("error") for doc in CORPUS.values()) > 180


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_canonical_form_is_what_plain_pyld_writes(name: str) -> None:
    document = CORPUS[name]
    if find_control_characters(document):
        pytest.fail("control characters are escaped differently on purpose; keep them out")

    ours = _ours(document)
    plain = _plain_pyld(document, base=None)

    if ours.startswith("error"):
        assert plain.startswith("pyld error"), ours
        return
    assert ours == plain
    assert _ours(document) == ours  # warm caches change nothing
    if not undefined_terms(document):
        assert ours == _plain_pyld(document)


def test_results_do_not_depend_on_what_was_canonicalized_before() -> None:
    names = sorted(CORPUS)
    first = {name: _ours(CORPUS[name]) for name in names}

    for seed in range(3):
        shuffled = names[:]
        random.Random(seed).shuffle(shuffled)
        assert {name: _ours(CORPUS[name]) for name in shuffled} == first


def test_a_changed_inline_context_is_not_served_from_the_cache() -> None:
    document = {"@context": {"p": f"{EX}p"}, "@id": "urn:x:a", "p": "v"}
    before = canonize(document)

    document["@context"]["p"] = f"{EX}changed"

    assert before == f'<urn:x:a> <{EX}p> "v" .\n'
    assert canonize(document) == f'<urn:x:a> <{EX}changed> "v" .\n'
