"""The JSON-LD corpus canonicalization is checked over: every JSON-LD document under
tests/vectors/ (with unsecured forms and proof configurations), a credential as our builder
issues it, and shapes that exercise the context caches and both RDFC paths."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).parents[1] / "vectors"
EX = "http://example.org/vocab#"


def issued_ob_credential() -> dict[str, Any]:
    """An OpenBadgeCredential in the shape app/credentials/builder.py issues, unsigned."""
    base = "https://learnproof.example/issuers/uni-example"
    achievement = f"{base}/achievements/f4250b39-dda2-42f5-b840-97a122787d64"
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        ],
        "id": "https://learnproof.example/credentials/0fc59cf6-7417-4668-88e3-8bcd6cbc4a23",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Introduction to Python Programming",
        "issuer": {
            "id": "did:web:learnproof.example:issuers:uni-example",
            "type": ["Profile"],
            "name": "Université d'Exemple",
            "url": "https://uni.example.org/",
        },
        "validFrom": "2026-11-26T12:00:00Z",
        "validUntil": "2031-11-26T12:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": "Ada Lovelace",
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": "sha256$" + "7ea296ec862473150bed49b595fc345c" * 2,
                    "identityType": "emailAddress",
                    "salt": "1de4627dca9ca688af3b3a965d4f9fb3",
                }
            ],
            "achievement": {
                "id": achievement,
                "type": ["Achievement"],
                "name": "Introduction to Python Programming",
                "description": "Writes, tests and debugs small Python programs.",
                "criteria": {"narrative": "Passed all graded exercises and the final project."},
                "achievementType": "Certificate",
                "tag": ["python", "programming"],
                "creditsAvailable": 5.0,
                "fieldOfStudy": "Software and applications development and analysis",
                "resultDescription": [
                    {
                        "id": f"{achievement}#grade",
                        "type": ["ResultDescription"],
                        "name": "Final grade",
                        "resultType": "LetterGrade",
                        "allowedValue": ["A", "B", "C", "D", "F"],
                    }
                ],
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "European Qualifications Framework, level 5",
                        "targetCode": "5",
                        "targetFramework": "European Qualifications Framework",
                        "targetType": "ext:QualificationFrameworkLevel",
                        "targetUrl": "https://learnproof.example/frameworks/eqf/levels/5",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "Software and applications development and analysis",
                        "targetCode": "0613",
                        "targetFramework": "ISCED-F 2013",
                        "targetType": "ext:ISCEDFieldOfStudy",
                        "targetUrl": "https://learnproof.example/v1/isced-f/0613",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "Python (computer programming)",
                        "targetType": "ceasn:Competency",
                        "targetUrl": f"{achievement}#skill-1",
                        "targetFramework": "ESCO",
                    },
                ],
            },
            "result": [
                {"type": ["Result"], "resultDescription": f"{achievement}#grade", "value": "A"},
                {"type": ["Result"], "status": "Completed"},
            ],
            "creditsEarned": 5.0,
        },
        "evidence": [
            {
                "type": ["Evidence"],
                "id": "https://portfolio.example.org/ada/project",
                "name": "Project",
                "narrative": "Built a *parser*.",
            },
            {"type": ["Evidence"], "name": "Viva", "description": "Oral examination."},
        ],
        "credentialStatus": {
            "id": "https://learnproof.example/status/uni-example/revocation-1#130757",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "130757",
            "statusListCredential": "https://learnproof.example/status/uni-example/revocation-1",
        },
        "credentialSchema": [
            {
                "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                "ob_v3p0_achievementcredential_schema.json",
                "type": "1EdTechJsonSchemaValidator2019",
            }
        ],
    }


# Shapes that pyld handles along different paths through the caches and RDFC-1.0.
_SCOPED_CONTEXT = {
    "@version": 1.1,
    "ex": EX,
    "p": "ex:p0",
    "child": "ex:child",
    "A": {"@id": "ex:A", "@context": {"@propagate": True, "p": "ex:pA"}},
    "B": {
        "@id": "ex:B",
        "@context": {"p": "ex:pB", "q": {"@id": "ex:q", "@context": {"p": "ex:pQ"}}},
    },
    "C": {"@id": "ex:C", "@context": {"p": "ex:pC", "child": {"@id": "ex:childC"}}},
    "knows": {"@id": "ex:knows", "@type": "@id"},
    "graph": {"@id": "ex:graph", "@container": "@graph"},
}
EDGE_CASES: dict[str, dict[str, Any]] = {
    "type-scoped contexts, propagating or not, nested and combined": {
        "@context": _SCOPED_CONTEXT,
        "@id": "urn:x:a",
        "@type": "A",
        "p": "1",
        "child": {
            "p": "2",
            "child": {"@type": "B", "p": "3", "q": {"p": "4"}, "child": {"p": "5"}},
        },
        "knows": {"@type": ["C", "B"], "p": "6", "child": {"p": "7"}},
    },
    "the same scoped contexts under another outer context": {
        "@context": [_SCOPED_CONTEXT, {"p": "ex:outer"}],
        "@id": "urn:x:b",
        "p": "1",
        "child": {"@type": "B", "p": "2", "child": {"@type": "C", "p": "3"}},
    },
    "inline contexts equal but for key order": {
        "@context": {"child": "ex:child", "p": "ex:p0", "ex": EX},
        "@id": "urn:x:c",
        "p": "1",
    },
    "embedded contexts on nodes": {
        "@context": {"ex": EX, "p": "ex:p0", "child": "ex:child"},
        "p": "1",
        "child": {"@context": {"p": "ex:inner"}, "p": "2", "child": {"p": "3"}},
    },
    "a VC 2.0 credential with an inline context after the URLs": {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"@vocab": "https://example.org/terms#", "note": "https://example.org/note"},
        ],
        "type": ["VerifiableCredential", "NotedCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"note": "hello", "extra": {"deeper": 1}},
    },
    "no blank nodes": {
        "@context": {"knows": {"@id": "https://schema.org/knows", "@type": "@id"}},
        "@id": "urn:x:a",
        "knows": ["urn:x:b", "urn:x:c"],
    },
    # pyld hashes a quad naming its blank node twice twice; rdf-canonize (jsonld.js) once, and
    # so labels these two nodes the other way round. We keep pyld's bytes, as before.
    "a blank node naming itself": {
        "@context": {"knows": {"@id": f"{EX}knows", "@type": "@id"}, "p": f"{EX}p"},
        "@id": "urn:x",
        "knows": [{"@id": "_:self", "knows": "_:self", "p": "v2"}, {"p": "w"}],
    },
    "blank node graph names": {
        "@context": _SCOPED_CONTEXT,
        "@id": "urn:x:a",
        "graph": [{"p": "1", "knows": {"p": "2"}}, {"p": "3"}],
    },
    "identical blank nodes (Hash N-Degree Quads path)": {
        "@context": _SCOPED_CONTEXT,
        "@id": "urn:x:a",
        "child": [{"p": "same"}, {"p": "same"}, {"p": "other", "child": {"p": "same"}}],
    },
    "a blank node label that looks canonical": {
        "@context": _SCOPED_CONTEXT,
        "@id": "_:c14n0",
        "knows": {"@id": "_:c14n1", "p": "1"},
    },
}


def _with_variants(name: str, document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The document, and when secured, what its proofs sign: it unsecured, each proof config."""
    yield name, document
    proofs = document.get("proof")
    if proofs is None:
        return
    yield f"{name} unsecured", {key: value for key, value in document.items() if key != "proof"}
    for index, proof in enumerate(proofs if isinstance(proofs, list) else [proofs]):
        if isinstance(proof, dict):
            config = {key: value for key, value in proof.items() if key != "proofValue"}
            yield f"{name} proof {index}", {**config, "@context": document["@context"]}


def _documents_in(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON-LD object in a vector file, nested ones (endorsements…) included."""
    if isinstance(value, dict):
        if "@context" in value:
            yield from _with_variants(path, value)
        for key, item in value.items():
            yield from _documents_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _documents_in(item, f"{path}[{index}]")


def _corpus() -> dict[str, dict[str, Any]]:
    corpus: dict[str, dict[str, Any]] = {}
    for path in sorted(VECTORS.rglob("*.json")):
        name = str(path.relative_to(VECTORS))
        corpus.update(_documents_in(json.loads(path.read_text()), name))
    corpus.update(_with_variants("issued OB credential", issued_ob_credential()))
    corpus.update(EDGE_CASES)
    return corpus


CORPUS = _corpus()
