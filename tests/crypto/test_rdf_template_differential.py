"""Signing's shape reuse (app/crypto/rdf_template.py) writes exactly what plain pyld writes.

10,000 Open Badges credentials generated from a fixed seed, in the shapes our builder issues
and with every optional field it (and OB 3.0) knows, strings drawn from what breaks things:
astral, combining and right-to-left text, quotes, backslashes and escapes, control
characters, empty and very long strings, IRIs with spaces or unknown prefixes, terms and
keywords as values, blank node identifiers, repeated values that JSON-LD merges, value
objects with `@language`, `@direction` and datatypes (`xsd:double` included), numbers and
dates. Each credential is canonicalized both ways (`canonize(..., reuse_shape="signing")` and
pyld's full expansion and toRDF); the canonical N-Quads, or the error, must be identical.
Shape reuse canonicalizes with the template's prepared text (app/crypto/rdfc_template.py),
whose labels follow each document's hashes; the test counts that most documents took it.
Every fiftieth one also checks rdfc's fast labelling against pyld's URDNA2015. A verifier's
reuse (`"verifying"`: one skeleton run per call) is held to the same, and so are the safe-mode
problems it reads from a template (`undefined_terms`).
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from app.crypto import jsonld, rdf_shape, rdf_template, rdfc, rdfc_template
from app.crypto.errors import JsonLdProcessingError
from app.crypto.jsonld import canonize

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
COUNT = 10_000
XSD = "http://www.w3.org/2001/XMLSchema#"

TRICKY_TEXT = [
    "",
    " ",
    "Ada Lovelace",
    "Université d'Exemple",
    "e\u0301\u0301 combining",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 astral \U0001f469\u200d\U0001f52c",
    "مرحبا بالعالم",
    "שלום \u200f עולם",
    "\u202eright-to-left override\u202c",
    "计算机软件工程技术人员",
    'quote " and backslash \\ and \\u0041 and \\n',
    "tab\tnewline\nreturn\r",
    "controls \x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f",
    "\ufeffbom \u2028 line \u2029 para \u00a0 nbsp",
    "lone surrogate \ud800",
    "<b>html</b> & entities &amp;",
    "https://looks.like/an/iri",
    "did:example:123",
    "_:b0",
    "xsd:string",
    "VerifiableCredential",
    "name",
    "@id",
    ":",
    "http:",
    "1.5",
    "1e21",
    "true",
    "x" * 5000,
]
PLAIN_TRICKY_TEXT = [text for text in TRICKY_TEXT if not re.match(r"[A-Za-z][\w+.-]*:", text)]
TRICKY_IRIS = [
    "https://learnproof.example/credentials/{n}",
    "https://learnproof.example/credentials/{n}#frag",
    "http://127.0.0.1:8000/c/{n}?q=1&r=é",
    "did:web:learnproof.example:issuers:{n}",
    "did:key:z6Mk{n}",
    "urn:uuid:0fc59cf6-7417-4668-88e3-{n:012d}",
    "urn:example:{n}",
    "mailto:ada{n}@example.org",
    "https://x.example/with space/{n}",
    "https://x.example/tab\t{n}",
    "https://x.example/newline{n}\n",
    "https://x.example/<angle>{n}",
    'https://x.example/"quote"{n}',
    "https://x.example/😀/{n}",
    "xsd:string{n}",
    "ob:Foo{n}",
    "ext:Level{n}",
    "schema:thing{n}",
    "relative/{n}",
    "_:b{n}",
    "name",
    "id",
    "",
    "https://learnproof.example/shared",  # equal in many places: nodes merge
]


SHAPES = 120  # credentials come in this many structures, as batches do


class _Gen:
    """Structure from `shape` (one of SHAPES seeds per credential), strings from `rng`."""

    def __init__(self, seed: int) -> None:
        self.values = random.Random(seed)
        self.rng = self.values
        self.shape = random.Random(0)
        self.n = 0

    def chance(self, p: float) -> bool:
        return self.shape.random() < p

    def text(self) -> Any:
        rng = self.rng
        if self.chance(0.3):
            # Text that reads as an IRI changes the shape; it comes in now and then.
            pool = TRICKY_TEXT if rng.random() < 0.01 else PLAIN_TRICKY_TEXT
            value: Any = rng.choice(pool)
        else:
            value = f"{rng.choice(TRICKY_TEXT[:12])} {rng.randrange(10**6)}"
        roll = self.shape.random()
        if roll < 0.05:
            # value objects: language and base direction (rdfDirection i18n-datatype)
            obj: dict[str, Any] = {"@value": value}
            if self.chance(0.8):
                obj["@language"] = self.shape.choice(
                    ["en", "ar", "he", "zh-Hans", "de-CH", "EN-us"]
                )
            if self.chance(0.7):
                obj["@direction"] = self.shape.choice(
                    ["ltr", "rtl", "rtl", "ltr", "ltr", "rtl", "sideways"]
                )
            return obj
        if roll < 0.07:
            datatype = self.shape.choice(["xsd:double", f"{XSD}double", f"{XSD}float", "xsd:date"])
            return {"@value": rng.choice(["1.50", "1e3", "abc", "-0", ""]), "@type": datatype}
        return value

    def iri(self) -> str:
        self.n += 1
        usual = self.shape.choice(TRICKY_IRIS[:8])  # the scheme is part of the shape
        if self.values.random() < 0.99:
            return usual.format(n=self.n)
        return self.values.choice(TRICKY_IRIS).format(n=self.n)

    def number(self) -> Any:
        return self.shape.choice([5, 5.0, 2.5, 0, -0.0, 0.1, 1e21, 10**22, 3.14159, 7.5e-7, True])

    def date(self) -> str:
        rng = self.rng
        if self.chance(0.1):
            return rng.choice(["2026-13-40T99:00:00Z", "yesterday", "", "2026-11-26"])
        stamp = f"20{rng.randrange(10, 40)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        return stamp + rng.choice(["T12:00:00Z", "T00:00:00.123Z", "T23:59:59+05:30"])

    def few(self, make: Any, most: int = 3) -> list[Any]:
        return [make() for _ in range(self.shape.randrange(1, most + 1))]

    def status(self) -> dict[str, Any]:
        list_url = self.shape.choice(["https://learnproof.example/status/u/rev-1", self.iri()])
        index = str(self.rng.randrange(131072))
        return {
            "id": f"{list_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.rng.choice(["revocation", "suspension"]),
            "statusListIndex": index if self.chance(0.95) else self.text(),
            "statusListCredential": list_url,
        }

    def achievement(self) -> dict[str, Any]:
        achievement: dict[str, Any] = {
            "id": self.iri(),
            "type": ["Achievement"],
            "name": self.text(),
            "criteria": {"narrative": self.text()} if self.chance(0.8) else {"id": self.iri()},
        }
        if self.chance(0.2):
            # A blank node with several values of one property (tags): the order of the
            # lines its hash reads then depends on the strings.
            del achievement["id"]
        optional = {
            "description": self.text,
            "achievementType": lambda: self.shape.choice(["Certificate", "Course", "ext:Custom"]),
            "tag": lambda: self.few(self.text),
            "creditsAvailable": self.number,
            "fieldOfStudy": self.text,
            "specialization": self.text,
            "humanCode": self.text,
            "inLanguage": lambda: self.shape.choice(["en", "zh-Hans", "ar"]),
            "version": self.text,
            "image": lambda: {"id": self.iri(), "type": "Image", "caption": self.text()},
            "resultDescription": lambda: [
                {
                    "id": self.iri(),
                    "type": ["ResultDescription"],
                    "name": self.text(),
                    "resultType": self.shape.choice(["LetterGrade", "Status", "ext:Score"]),
                    "allowedValue": self.few(self.text, 5),
                }
            ],
            "alignment": lambda: self.few(self.alignment),
            "otherIdentifier": lambda: [
                {
                    "type": "IdentifierEntry",
                    "identifier": self.text(),
                    "identifierType": "sourcedId",
                }
            ],
        }
        for key, make in optional.items():
            if self.chance(0.5):
                achievement[key] = make()
        return achievement

    def alignment(self) -> dict[str, Any]:
        alignment: dict[str, Any] = {"type": ["Alignment"], "targetName": self.text()}
        for key, make in {
            "targetCode": self.text,
            "targetDescription": self.text,
            "targetFramework": self.text,
            "targetType": lambda: self.shape.choice(
                ["ext:QualificationFrameworkLevel", "ceasn:Competency", "CFItem"]
            ),
            "targetUrl": self.iri,
        }.items():
            if self.chance(0.7):
                alignment[key] = make()
        return alignment

    def credential(self) -> dict[str, Any]:
        self.shape = random.Random(self.values.randrange(SHAPES))
        subject: dict[str, Any] = {"type": ["AchievementSubject"]}
        if self.chance(0.3):
            subject["id"] = self.iri()
        if self.chance(0.8):
            subject["name"] = self.text()
        if self.chance(0.8):
            subject["identifier"] = [
                {
                    "type": "IdentityObject",
                    "hashed": self.chance(0.9),
                    "identityHash": "sha256$" + f"{self.rng.getrandbits(256):064x}",
                    "identityType": "emailAddress",
                    "salt": f"{self.rng.getrandbits(128):032x}",
                }
            ]
        subject["achievement"] = self.achievement()
        if self.chance(0.5):
            subject["result"] = [
                {"type": ["Result"], "resultDescription": self.iri(), "value": self.text()},
                {"type": ["Result"], "status": self.shape.choice(["Completed", "Enrolled"])},
            ][: self.shape.randrange(1, 3)]
        if self.chance(0.5):
            subject["creditsEarned"] = self.number()
        issuer: dict[str, Any] = {"id": self.iri(), "type": ["Profile"], "name": self.text()}
        if self.chance(0.7):
            issuer["url"] = self.iri()
        if self.chance(0.3):
            issuer["email"] = f"badges{self.n}@example.org"
        credential: dict[str, Any] = {
            "@context": list(CONTEXTS),
            "id": self.iri(),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": self.text(),
            "issuer": issuer,
            "validFrom": self.date(),
        }
        if self.chance(0.5):
            credential["validUntil"] = self.date()
        if self.chance(0.3):
            credential["description"] = self.text()
        credential["credentialSubject"] = subject
        if self.chance(0.4):
            credential["evidence"] = [
                {
                    "type": ["Evidence"],
                    "id": self.iri(),
                    "name": self.text(),
                    "narrative": self.text(),
                },
                {
                    "type": ["Evidence"],
                    "name": self.text(),
                    "description": self.text(),
                    "genre": self.text(),
                },
            ][: self.shape.randrange(1, 3)]
        credential["credentialStatus"] = (
            self.status() if self.chance(0.6) else [self.status(), self.status()]
        )
        credential["credentialSchema"] = [
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                "ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ]
        if self.values.random() < 0.01:
            credential["undefinedTerm"] = self.text()  # safe mode refuses it, both ways
        if self.values.random() < 0.01:
            credential["credentialSubject"]["achievement"]["tag"] = ["same", "same"]  # merged
        return credential


def _outcome(document: Mapping[str, Any], reuse_shape: jsonld.ShapeReuse | None) -> str:
    try:
        return canonize(document, safe=True, reuse_shape=reuse_shape)
    except (JsonLdProcessingError, UnicodeEncodeError) as error:  # lone surrogates: hashing
        return f"{type(error).__name__}: {error}"


def _check_simple_rdfc_path(document: Mapping[str, Any]) -> None:
    """rdfc's fast labelling writes what pyld's URDNA2015 (with our escaping) writes."""
    try:
        dataset, _problems = jsonld._to_rdf(document)
    except JsonLdProcessingError:
        return
    try:
        simple = rdfc._canonicalize_simple(dataset)
        if simple is None:
            return
        full = rdfc._BoundedURDNA2015(rdfc._Budget(rdfc.DEFAULT_LIMITS)).main(
            copy.deepcopy(dataset), {}
        )
    except UnicodeEncodeError:  # lone surrogates cannot be hashed either way
        return
    assert simple == full


@pytest.fixture
def counted_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the template path ran pyld (skeletons, and the caller's fallbacks)."""
    runs = [0]
    real = rdf_template.fill

    def counting(document: Any, run: Any, terms: Any, **options: Any) -> Any:
        def counted(doc: Any) -> Any:
            runs[0] += 1
            return run(doc)

        filled = real(document, counted, terms, **options)
        if filled is None:
            runs[0] += 1  # the caller runs pyld on the document itself
        return filled

    monkeypatch.setattr(rdf_template, "fill", counting)
    return runs


@pytest.fixture
def prepared_outcomes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often a template's prepared canonicalization (rdfc_template) gave the text, and
    how often it handed the document to rdfc's own path (look-alike blank nodes, lone
    surrogates)."""
    outcomes: Counter[str] = Counter()
    real = rdfc_template.CanonicalTemplate.canonical

    def counting(self: rdfc_template.CanonicalTemplate, leaves: Any, limits: Any) -> str | None:
        text = real(self, leaves, limits)
        outcomes["prepared" if text is not None else "rdfc"] += 1
        return text

    monkeypatch.setattr(rdfc_template.CanonicalTemplate, "canonical", counting)
    return outcomes


def test_ten_thousand_generated_credentials_canonicalize_identically(
    counted_runs: list[int], prepared_outcomes: Counter[str]
) -> None:
    generator = _Gen(seed=20261206)
    mismatches = []
    for number in range(COUNT):
        document = generator.credential()
        reference = _outcome(document, reuse_shape=None)
        fast = _outcome(document, reuse_shape="signing")
        if fast != reference:
            mismatches.append((number, document, reference, fast))
        if number % 50 == 0:
            _check_simple_rdfc_path(document)
    assert not mismatches, mismatches[0]
    # The comparison means something only if most documents took the template path, and
    # their canonical form the prepared one, while some still needed rdfc's own path.
    assert counted_runs[0] < COUNT // 2, counted_runs[0]
    assert prepared_outcomes["prepared"] > COUNT // 2, prepared_outcomes
    assert prepared_outcomes["rdfc"] > 0, prepared_outcomes


def test_a_batch_of_one_shape_runs_pyld_once(counted_runs: list[int]) -> None:
    generator = _Gen(seed=7)
    template = generator.credential()
    template["type"] = ["VerifiableCredential", "OpenBadgeCredential"]
    for number in range(50):
        document = copy.deepcopy(template)
        document["id"] = f"https://learnproof.example/credentials/batch-{number}"
        document["credentialSubject"]["name"] = f"Learner {number} 学生"
        assert canonize(document, safe=True, reuse_shape="signing") == canonize(document, safe=True)
    assert counted_runs[0] <= 3  # the first skeleton, and at most two rounds to settle it


@pytest.fixture
def cold_templates() -> None:
    """Start with no learnt shapes, as a verifier that has signed nothing does."""
    rdf_template._BOUND.clear()
    rdf_template._TEMPLATES.clear()


def _problems(document: Mapping[str, Any], reuse_shape: jsonld.ShapeReuse | None) -> str:
    try:
        return repr(jsonld.undefined_terms(document, reuse_shape=reuse_shape))
    except JsonLdProcessingError as error:
        return f"{type(error).__name__}: {error}"


def test_a_verifier_reuses_shapes_with_the_same_results_and_bounded_runs(
    cold_templates: None, counted_runs: list[int], prepared_outcomes: Counter[str]
) -> None:
    """Over 3,000 generated credentials a verifier's reuse writes what pyld writes, finds the
    problems pyld finds, and no call costs more than two pyld runs (one skeleton, one
    fallback), however new its shape."""
    generator = _Gen(seed=20261207)
    mismatches = []
    for number in range(3_000):
        document = generator.credential()
        reference = _outcome(document, reuse_shape=None)
        expected_problems = _problems(document, reuse_shape=None)
        before = counted_runs[0]
        fast = _outcome(document, reuse_shape="verifying")
        assert counted_runs[0] - before <= 2
        before = counted_runs[0]
        problems = _problems(document, reuse_shape="verifying")
        assert counted_runs[0] - before <= 2
        if (fast, problems) != (reference, expected_problems):
            mismatches.append((number, document, (reference, expected_problems), (fast, problems)))
    assert not mismatches, mismatches[0]
    # Most calls were served from templates (each call counts at least one run otherwise).
    assert counted_runs[0] < 3_000, counted_runs[0]
    assert prepared_outcomes["prepared"] > 1_000, prepared_outcomes


def test_undefined_terms_from_a_template_name_the_document_own_terms(
    cold_templates: None,
) -> None:
    for number in range(3):
        document = {
            "@context": CONTEXTS,
            "id": f"https://learnproof.example/credentials/extra-{number}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:example:issuer", "type": ["Profile"]},
            "credentialSubject": {"type": ["AchievementSubject"], "id": f"relative-{number}"},
            "notDefined": f"value {number}",
        }
        problems = jsonld.undefined_terms(document, reuse_shape="verifying")
        assert problems == jsonld.undefined_terms(document)
        assert any(f"relative-{number}" in problem for problem in problems), problems
        assert any("notDefined" in problem for problem in problems), problems


def test_documents_outside_the_template_path_take_pyld() -> None:
    inline = {
        "@context": [*CONTEXTS, {"extra": "https://example.org/extra"}],
        "type": ["VerifiableCredential"],
        "extra": "x",
    }
    assert canonize(inline, reuse_shape="signing") == canonize(inline)
    mark = {"@context": CONTEXTS, "type": ["VerifiableCredential"], "name": rdf_shape.MARK}
    assert canonize(mark, reuse_shape="signing") == canonize(mark)


def test_terms_cover_the_vendored_contexts() -> None:
    terms = jsonld._context_terms()
    assert {"VerifiableCredential", "OpenBadgeCredential", "xsd", "name", "@vocab"} <= terms


def _templates_text() -> str:
    """The cached templates' quads (their canonical labels' list names _:c14n, of course)."""
    return json.dumps(
        [repr(template and template.graphs) for template, _ in rdf_template._TEMPLATES.values()]
    )


def test_look_alike_blank_nodes_leave_the_shared_template_intact() -> None:
    """Two identical anonymous nodes take RDFC's full path, which relabels quads in place."""
    for number in range(5):
        evidence = {"type": ["Evidence"], "name": "Viva", "narrative": f"same {number}"}
        document = {
            "@context": CONTEXTS,
            "id": f"https://learnproof.example/credentials/look-alike-{number}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:example:issuer", "type": ["Profile"]},
            "validFrom": "2026-12-06T00:00:00Z",
            "credentialSubject": {"type": ["AchievementSubject"], "name": f"Ada {number}"},
            "evidence": [evidence, dict(evidence)],
        }
        assert canonize(document, reuse_shape="signing") == canonize(document)
        before = _templates_text()
        assert canonize(document, reuse_shape="signing") == canonize(document)
        assert _templates_text() == before
        assert "_:c14n" not in before
