"""A shape's prepared canonicalization (app/crypto/rdfc_template.py) writes what rdfc writes.

The differential test (test_rdf_template_differential.py) holds it to pyld over 10,000
generated credentials; these pin its own branches: labels that follow each document's hashes,
lines sorted per document or once per template, limits, an empty dataset, and the templates
it declines to prepare.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.crypto import jsonld, rdf_template, rdfc
from app.crypto.errors import CanonicalizationLimitExceeded
from app.crypto.jsonld import canonize
from app.crypto.rdfc import CanonicalizationLimits

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"


pytestmark = pytest.mark.usefixtures("empty_caches")


def _filled(document: dict[str, Any]) -> rdf_template.Filled:
    """The document filled into its template, prepared (a shape's second document is)."""
    for _second_prepares in range(2):
        filled = rdf_template.fill(document, jsonld._to_rdf, jsonld._context_terms())
    assert filled is not None
    assert filled.template.prepared
    return filled


def _outcome(document: dict[str, Any], **options: Any) -> str:
    try:
        return canonize(document, **options)
    except (CanonicalizationLimitExceeded, UnicodeEncodeError) as error:
        return f"{type(error).__name__}: {error}"


def _same_both_ways(document: dict[str, Any], **options: Any) -> str:
    """The canonical form (or error) by the prepared template, after checking it against
    pyld's own path and against rdfc over the template's dataset."""
    reference = _outcome(document, **options)
    assert _outcome(document, reuse_shape="signing", **options) == reference
    assert _outcome(document, reuse_shape="verifying", **options) == reference
    limits = options.get("limits", rdfc.DEFAULT_LIMITS)
    try:
        direct = rdfc.canonicalize_dataset(_filled(document).dataset(), limits)
    except (CanonicalizationLimitExceeded, UnicodeEncodeError) as error:
        direct = f"{type(error).__name__}: {error}"
    assert direct == reference
    return reference


def _evidence(first: str, second: str) -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "id": "https://learnproof.example/credentials/1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"]},
        "validFrom": "2026-12-06T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"], "name": "Ada"},
        "evidence": [
            {"type": ["Evidence"], "name": first},
            {"type": ["Evidence"], "name": second},
        ],
    }


def _label_of(text: str, name: str) -> str:
    (line,) = [line for line in text.splitlines() if f'"{name}"' in line]
    return line.split(" ")[0]


def test_a_shape_is_prepared_for_its_second_document() -> None:
    """A verifier's one-off document does not pay for preparing; its first use is rdfc's."""
    first = rdf_template.fill(_evidence("a", "b"), jsonld._to_rdf, jsonld._context_terms())
    assert first is not None
    assert not first.template.prepared
    assert first.template.canonical is None
    ((_template, weight),) = rdf_template._TEMPLATES.values()
    second = rdf_template.fill(_evidence("c", "d"), jsonld._to_rdf, jsonld._context_terms())
    assert second is not None
    assert second.template.prepared
    assert second.template.canonical is not None
    ((template, prepared_weight),) = rdf_template._TEMPLATES.values()
    assert template is second.template
    assert prepared_weight == weight + second.template.canonical.weight
    for filled in (first, second):
        assert filled.canonical(rdfc.DEFAULT_LIMITS) == rdfc.canonicalize_dataset(filled.dataset())


def test_labels_follow_each_document_hashes() -> None:
    """One template, documents whose hashes put its blank nodes in different orders."""
    reference = _same_both_ways(_evidence("alpha", "beta"))
    beta_label = _label_of(reference, "beta")
    reordered = 0
    for number in range(20):
        text = _same_both_ways(_evidence(f"other {number}", "beta"))
        reordered += _label_of(text, "beta") != beta_label
    assert reordered > 0  # the same template node was labelled differently
    assert len(rdf_template._TEMPLATES.values()) == 1


def test_hashes_whose_lines_sort_by_their_strings() -> None:
    """A blank node with several values of one property: the lines its hash reads are
    sorted per document, not once for the template."""
    for tags in (["b", "a"], ["a", "b"], ["ab", "a"], ["a", "a b"], ["", "%s"], ["z", "a"]):
        document = _evidence("alpha", "beta")
        document["credentialSubject"]["achievement"] = {
            "type": ["Achievement"],
            "name": "Tagged",
            "tag": tags,
        }
        text = _same_both_ways(document)
        assert [tag for tag in sorted(tags) if f'keywords> "{tag}"' in text] == sorted(tags)
        prepared = _filled(document).template.canonical
        assert prepared is not None
        assert not all(rows.in_order for _blank_node, rows in prepared.slot_hashes)


def test_awkward_strings_fill_the_format_texts_verbatim() -> None:
    """Slots and kept strings with % and braces (the prepared texts are %-formats), escapes,
    and one slot string used in several quads."""
    for name in ["%s", "%%", "100 %", "{0}", "%(x)s", 'q"\\\n\t\x00', "\u2028\U0001f600"]:
        document = _evidence(name, name + " 2")
        document["type"] = ["VerifiableCredential", "https://example.org/types%20%s"]
        document["credentialSubject"]["id"] = f"https://example.org/{name}"
        document["credentialSubject"]["achievement"] = {
            "id": f"https://example.org/{name}",
            "type": ["Achievement"],
            "name": name,
        }
        _same_both_ways(document)


def test_limits_hold_on_the_prepared_path() -> None:
    document = _evidence("alpha", "beta")
    assert "CanonicalizationLimitExceeded" not in _same_both_ways(document)
    for limits in [CanonicalizationLimits(max_quads=5), CanonicalizationLimits(max_blank_nodes=2)]:
        outcome = _same_both_ways(document, limits=limits)
        assert outcome.startswith("CanonicalizationLimitExceeded")


def test_look_alike_blank_nodes_of_one_document_take_rdfc_full_path() -> None:
    assert _filled(_evidence("alpha", "beta")).template.canonical is not None
    text = _same_both_ways(_evidence("same", "same"))
    assert text.count('"same"') == 2


def test_an_empty_dataset() -> None:
    assert _same_both_ways({"@context": CONTEXTS}) == ""


def test_templates_it_declines_still_canonicalize_as_rdfc() -> None:
    raw_language = {
        "@context": CONTEXTS,
        "type": ["VerifiableCredential"],
        "credentialSubject": {"name": {"@value": "Ada", "@language": "en\n"}},
    }
    surrogate_kept = {
        "@context": CONTEXTS,
        "type": ["VerifiableCredential"],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": {"@value": "1.5\ud800", "@type": XSD_DOUBLE},  # xsd:double: kept
        },
    }
    for document in (raw_language, surrogate_kept):
        assert _filled(document).template.canonical is None
        _same_both_ways(document)
        _same_both_ways(copy.deepcopy(document))
    assert _same_both_ways(surrogate_kept).startswith("UnicodeEncodeError")


def test_a_lone_surrogate_in_a_slot_gives_rdfc_error() -> None:
    document = _evidence("alpha \ud800", "beta")
    assert _filled(document).template.canonical is not None
    assert _same_both_ways(document).startswith("UnicodeEncodeError")


@pytest.mark.parametrize(
    "values", [[], ["plain", "é 😀"], ["a", 'q"', "\\", "\x00\x7f", "\ud800"], ["<a b>"]]
)
def test_escaping_many_is_escaping_each(values: list[str]) -> None:
    assert list(rdfc.escape_literals(values)) == [rdfc._escape_literal(v) for v in values]
    assert list(rdfc.escape_iris(values)) == [rdfc._escape_iri(v) for v in values]
